/**
 * The run journal: `~/.sc-doctor/runs/<run-id>.json`, written before and after every step so that a
 * run killed at any moment can still be undone from the file alone. Every write replaces the whole
 * file atomically (temporary file, fsync, rename): a crash leaves the previous version or the next,
 * never half of one. The directory is 0700 and the files 0600, and nothing that looks like a secret
 * is ever written (see secret-scrubber.ts).
 */
import { existsSync } from 'node:fs';
import { chmod, link, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { LeftBehind, NotDone, PlannedStepView } from './engine-events.ts';
import { assertPlainJson } from './plain-json.ts';
import { isRunId, newRunId } from './run-id.ts';
import { acquireRunLock, isProcessAlive, type RunLock } from './run-lock.ts';
import { assertNoSecrets } from './secret-scrubber.ts';
import type { UndoRecord } from './step.ts';

/** Where a run stands. `running` or `rolling-back` in a journal whose process is gone: it was killed. */
export type RunStatus =
  | 'running'
  | 'rolling-back'
  | 'succeeded'
  /** Every step ran, some work went to a script (finish it with `setup --resume`): not done. */
  | 'handed-off'
  | 'rolled-back'
  | 'rollback-incomplete'
  | 'cancelled'
  /** Reversed later by `sc-doctor undo`. */
  | 'undone';

export type JournalStepState =
  | 'pending'
  | 'not-run'
  /** Written before `apply`; with a `record` when the step checkpointed one before its write. */
  | 'started'
  | 'applied'
  | 'already-done'
  | 'handed-off'
  | 'failed'
  | 'cancelled'
  /** Written before `undo`. */
  | 'undoing'
  | 'undone'
  | 'already-gone'
  | 'changed-since'
  | 'undo-failed';

export interface JournalStep {
  id: string;
  title: string;
  resource: string;
  after: string[];
  preview: string[];
  consent: string | null;
  state: JournalStepState;
  /** What `undo` needs; null when the step changed nothing here. */
  record: UndoRecord | null;
  /** 1, 2, 3... in the order steps finished applying: undo runs in reverse. */
  appliedOrder: number | null;
  scriptPath: string | null;
  /** Why it failed or could not be undone (redacted), or what the hand-off script does. */
  message: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

export interface RunDocument {
  version: 1;
  runId: string;
  /** The resource the run is locked on (the server's ARM id). */
  target: string;
  /** Which database's steps ran (`postgres`, `mysql`): `undo` needs that kind's undoers. */
  database?: string;
  /** The run whose hand-off this run finishes (`setup --resume`); that run's journal is left as it was. */
  resumes?: string;
  /** The process that ran it, to tell a live run from a killed one. */
  pid: number;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  steps: JournalStep[];
  notDone: NotDone[];
  left: LeftBehind[];
}

/** One line of `sc-doctor undo --list`. */
export interface RunSummary {
  runId: string;
  target: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  /** Steps whose change is still in place as far as the journal knows. */
  changesInPlace: number;
  unfinished: boolean;
}

/** `loadRun` of an id that has no journal. */
export class UnknownRunError extends Error {
  constructor(readonly runId: string) {
    super(`there is no run ${runId}. Run sc-doctor undo --list to see the runs.`);
    this.name = 'UnknownRunError';
  }
}

export interface JournalOptions {
  /** The home directory that holds `.sc-doctor`; the user's by default (tests pass a temporary one). */
  home?: string;
  now?: () => number;
  pid?: number;
  isProcessAlive?: (pid: number) => boolean;
}

const IN_PLACE: ReadonlySet<JournalStepState> = new Set([
  'started',
  'applied',
  'undoing',
  'undo-failed',
  'changed-since',
]);

/** True when a run ended without finishing its job and its process is gone: offer to undo it. */
export function isUnfinished(run: RunDocument, alive: (pid: number) => boolean): boolean {
  if (run.status === 'rollback-incomplete') return true;
  if (run.status === 'running' || run.status === 'rolling-back') return !alive(run.pid);
  return false;
}

/** The runs and run locks under `<home>/.sc-doctor`: lists, reads and writes run documents. */
export class Journal {
  readonly root: string;
  readonly runsDir: string;
  readonly locksDir: string;
  readonly #now: () => number;
  readonly #pid: number;
  readonly #alive: (pid: number) => boolean;

  constructor(options: JournalOptions = {}) {
    this.root = path.join(options.home ?? homedir(), '.sc-doctor');
    this.runsDir = path.join(this.root, 'runs');
    this.locksDir = path.join(this.root, 'locks');
    this.#now = options.now ?? Date.now;
    this.#pid = options.pid ?? process.pid;
    this.#alive = options.isProcessAlive ?? isProcessAlive;
  }

  /** A run id no journal uses yet. */
  newRunId(): string {
    for (;;) {
      const id = newRunId(this.#now());
      if (!existsSync(this.#file(id))) return id;
    }
  }

  /** Takes the lock on `target` for `runId`, or throws `RunLockedError` while a live run holds it. */
  async lock(target: string, runId: string): Promise<RunLock> {
    await this.#ensureDirs();
    return acquireRunLock({
      locksDir: this.locksDir,
      target,
      runId,
      pid: this.#pid,
      now: this.#now(),
      isProcessAlive: this.#alive,
    });
  }

  /** Writes the plan as a new journal (status `running`, every step `pending`) and returns its writer. */
  async create(input: {
    runId: string;
    target: string;
    database?: string;
    resumes?: string;
    steps: readonly PlannedStepView[];
    notDone: readonly NotDone[];
  }): Promise<RunWriter> {
    await this.#ensureDirs();
    const at = new Date(this.#now()).toISOString();
    const document: RunDocument = {
      version: 1,
      runId: input.runId,
      target: input.target,
      ...(input.database ? { database: input.database } : {}),
      ...(input.resumes ? { resumes: input.resumes } : {}),
      pid: this.#pid,
      createdAt: at,
      updatedAt: at,
      status: 'running',
      steps: input.steps.map((view) => ({
        id: view.id,
        title: view.title,
        resource: view.resource,
        after: [...view.after],
        preview: [...view.lines],
        consent: view.consent,
        state: 'pending',
        record: null,
        appliedOrder: null,
        scriptPath: null,
        message: null,
        startedAt: null,
        endedAt: null,
      })),
      notDone: [...input.notDone],
      left: [],
    };
    checkWritable(document);
    // link() refuses an existing name, so a run id is never reused even by two processes at once.
    const temporary = await this.#writeTemporary(input.runId, document);
    try {
      await link(temporary, this.#file(input.runId));
    } finally {
      await rm(temporary, { force: true });
    }
    return new RunWriter(document, (next) => this.#replace(next), this.#now);
  }

  /** A writer for an existing run (used by undo). */
  async open(runId: string): Promise<RunWriter> {
    return new RunWriter(await this.loadRun(runId), (next) => this.#replace(next), this.#now);
  }

  async loadRun(runId: string): Promise<RunDocument> {
    if (!isRunId(runId)) throw new UnknownRunError(runId);
    let text: string;
    try {
      text = await readFile(this.#file(runId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UnknownRunError(runId);
      throw error;
    }
    const document = JSON.parse(text) as RunDocument;
    if (document.version !== 1 || document.runId !== runId) {
      throw new Error(`the journal of run ${runId} (${this.#file(runId)}) is not one this version can read`);
    }
    return document;
  }

  /** Every run, oldest first. */
  async listRuns(): Promise<RunSummary[]> {
    let names: string[];
    try {
      names = await readdir(this.runsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ids = names
      .filter((name) => name.endsWith('.json') && isRunId(name.slice(0, -5)))
      .map((name) => name.slice(0, -5))
      .sort();
    const runs = await Promise.all(ids.map((id) => this.loadRun(id)));
    return runs.map((run) => ({
      runId: run.runId,
      target: run.target,
      status: run.status,
      createdAt: run.createdAt,
      updatedAt: run.updatedAt,
      changesInPlace: run.steps.filter((step) => IN_PLACE.has(step.state)).length,
      unfinished: isUnfinished(run, this.#alive),
    }));
  }

  /** Runs that were killed, or whose rollback could not finish: offered for undo on the next start. */
  async unfinishedRuns(): Promise<RunDocument[]> {
    const runs = await this.listRuns();
    return Promise.all(runs.filter((run) => run.unfinished).map((run) => this.loadRun(run.runId)));
  }

  #file(runId: string): string {
    return path.join(this.runsDir, `${runId}.json`);
  }

  async #ensureDirs(): Promise<void> {
    for (const dir of [this.root, this.runsDir, this.locksDir]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // mkdir leaves an existing directory's mode alone, and the umask trims a new one: set it.
      await chmod(dir, 0o700);
    }
  }

  async #writeTemporary(runId: string, document: RunDocument): Promise<string> {
    const temporary = path.join(this.runsDir, `.${runId}.${this.#pid}.${temporaryCounter++}.tmp`);
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temporary;
  }

  async #replace(document: RunDocument): Promise<void> {
    const temporary = await this.#writeTemporary(document.runId, document);
    await rename(temporary, this.#file(document.runId));
  }
}

let temporaryCounter = 0;

/**
 * Changes one run's journal. Writes are queued, so concurrent steps never interleave a write, and each
 * change is checked on a copy first: a change that would write a secret throws and is not kept.
 */
export class RunWriter {
  #document: RunDocument;
  #queue: Promise<void> = Promise.resolve();
  readonly #write: (document: RunDocument) => Promise<void>;
  readonly #now: () => number;

  constructor(document: RunDocument, write: (document: RunDocument) => Promise<void>, now: () => number) {
    this.#document = document;
    this.#write = write;
    this.#now = now;
  }

  get runId(): string {
    return this.#document.runId;
  }

  /** A copy of the journal as last written. */
  get document(): RunDocument {
    return structuredClone(this.#document);
  }

  /** Applies `change` to a copy, checks it, and writes it; resolves once it is on disk. */
  update(change: (document: RunDocument) => void): Promise<void> {
    const next = this.#queue.then(async () => {
      const draft = structuredClone(this.#document);
      change(draft);
      draft.updatedAt = new Date(this.#now()).toISOString();
      checkWritable(draft);
      await this.#write(draft);
      this.#document = draft;
    });
    // A failed write must not block the ones after it; the caller of this one sees the error.
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Updates one step by id. */
  updateStep(id: string, change: (step: JournalStep, document: RunDocument) => void): Promise<void> {
    return this.update((document) => {
      const step = document.steps.find((s) => s.id === id);
      if (!step) throw new Error(`the journal of run ${document.runId} has no step ${id}`);
      change(step, document);
    });
  }
}

function checkWritable(document: RunDocument): void {
  assertPlainJson(document, 'journal');
  assertNoSecrets(document, 'journal');
}
