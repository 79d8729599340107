/**
 * The run journal: `~/.sc-doctor/runs/<run-id>.json`, written before and after every step so that a
 * run killed at any moment can still be undone from the file alone. Every write replaces the whole
 * file atomically (temporary file, fsync, rename): a crash leaves the previous version or the next,
 * never half of one. The directory is 0700 and the files 0600, and nothing that looks like a secret
 * is ever written (see secret-scrubber.ts).
 *
 * Reading is as careful: `~/.sc-doctor` must be the user's own (state-dir.ts), and a journal that is
 * cut short, malformed or from a newer version is listed as unreadable, never undone, and never in
 * the way of another run (journal-document.ts).
 */
import { existsSync } from 'node:fs';
import { link, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { LeftBehind, NotDone, PlannedStepView } from './events.ts';
import { parseRunDocument, UnreadableJournalError } from './journal-document.ts';
import { assertPlainJson } from './plain-json.ts';
import { isOwnerAlive, type ProcessProbe, systemProbe, thisProcess } from './process-identity.ts';
import { isRunId, newRunId } from './run-id.ts';
import { acquireRunLock, type RunLock } from './run-lock.ts';
import { assertNoSecrets } from './secret-scrubber.ts';
import { checkStateDirs } from './state-dir.ts';
import type { InFlightWrite, UndoRecord } from './step.ts';
import { onDisk, StorageError } from './storage-error.ts';

export { UnreadableJournalError } from './journal-document.ts';

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
  /** A write of this step (or of its undo) Azure was still running when last seen; null once it ended. */
  inFlight: InFlightWrite | null;
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
  /** The process that ran it, to tell a live run from a killed one (start and host: a pid is reused). */
  pid: number;
  processStart?: string | null;
  host?: string;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  steps: JournalStep[];
  notDone: NotDone[];
  left: LeftBehind[];
}

/** A journal file that cannot be read: listed with its path and what to do, never undone. */
export interface UnreadableRun {
  runId: string;
  path: string;
  problem: string;
  fix: string;
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
  /** How the start time of a process is read (tests fake a reused pid). */
  processStartOf?: (pid: number) => string | null;
  /** This machine's name, as locks and journals record it. */
  host?: string;
}

const IN_PLACE: ReadonlySet<JournalStepState> = new Set([
  'started',
  'applied',
  'undoing',
  'undo-failed',
  'changed-since',
]);

/** True when a run ended without finishing its job and its process is gone: offer to undo it. */
export function isUnfinished(run: RunDocument, probe: ProcessProbe = systemProbe): boolean {
  if (run.status === 'rollback-incomplete') return true;
  if (run.status === 'running' || run.status === 'rolling-back')
    return !isOwnerAlive({ pid: run.pid, started: run.processStart ?? null, host: run.host ?? '' }, probe);
  return false;
}

/** The runs and run locks under `<home>/.sc-doctor`: lists, reads and writes run documents. */
export class Journal {
  readonly home: string;
  readonly root: string;
  readonly runsDir: string;
  readonly locksDir: string;
  readonly #now: () => number;
  readonly #pid: number;
  readonly #probe: ProcessProbe;

  constructor(options: JournalOptions = {}) {
    this.home = options.home ?? homedir();
    this.root = path.join(this.home, '.sc-doctor');
    this.runsDir = path.join(this.root, 'runs');
    this.locksDir = path.join(this.root, 'locks');
    this.#now = options.now ?? Date.now;
    this.#pid = options.pid ?? process.pid;
    this.#probe = {
      isProcessAlive: options.isProcessAlive ?? systemProbe.isProcessAlive,
      startOf: options.processStartOf ?? systemProbe.startOf,
      host: options.host ?? systemProbe.host,
    };
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
      owner: this.#self(),
      now: this.#now(),
      probe: this.#probe,
    });
  }

  #self() {
    return thisProcess(this.#probe, this.#pid);
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
    const self = this.#self();
    const document: RunDocument = {
      version: 1,
      runId: input.runId,
      target: input.target,
      ...(input.database ? { database: input.database } : {}),
      ...(input.resumes ? { resumes: input.resumes } : {}),
      pid: self.pid,
      processStart: self.started,
      host: self.host,
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
        inFlight: null,
      })),
      notDone: [...input.notDone],
      left: [],
    };
    checkWritable(document);
    // link() refuses an existing name, so a run id is never reused even by two processes at once.
    const file = this.#file(input.runId);
    const temporary = await this.#writeTemporary(input.runId, document);
    try {
      await onDisk('write the journal', file, () => link(temporary, file));
    } finally {
      await rm(temporary, { force: true });
    }
    return new RunWriter(document, (next) => this.#replace(next), this.#now);
  }

  /** A writer for an existing run (used by undo). */
  async open(runId: string): Promise<RunWriter> {
    return new RunWriter(await this.loadRun(runId), (next) => this.#replace(next), this.#now);
  }

  /**
   * The run's journal, checked: throws `UnknownRunError` when there is none, `UnreadableJournalError`
   * when it is cut short, malformed or from a newer version, and refuses an unsafe `~/.sc-doctor`.
   */
  async loadRun(runId: string): Promise<RunDocument> {
    if (!isRunId(runId)) throw new UnknownRunError(runId);
    if (!(await this.#checkDirs())) throw new UnknownRunError(runId);
    return this.#read(runId);
  }

  async #read(runId: string): Promise<RunDocument> {
    const file = this.#file(runId);
    let text: string;
    try {
      text = await onDisk('read the journal', file, () => readFile(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UnknownRunError(runId);
      // A journal the system will not let us read is unreadable like a damaged one.
      if (error instanceof StorageError)
        throw new UnreadableJournalError({
          runId,
          path: file,
          problem: `cannot be read: ${error.problem}`,
          fix: error.hints[0] ?? '',
        });
      throw error;
    }
    return parseRunDocument(text, runId, file);
  }

  /** Every run that can be read, oldest first (see `listJournals` for the ones that cannot). */
  async listRuns(): Promise<RunSummary[]> {
    return (await this.listJournals()).runs;
  }

  /**
   * Every run, oldest first, and every journal file that cannot be read (with its path and what to
   * do): one damaged file never hides the others or stops a run.
   */
  async listJournals(): Promise<{ runs: RunSummary[]; unreadable: UnreadableRun[] }> {
    if (!(await this.#checkDirs())) return { runs: [], unreadable: [] };
    let names: string[];
    try {
      names = await onDisk('list the journals in', this.runsDir, () => readdir(this.runsDir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], unreadable: [] };
      throw error;
    }
    const ids = names
      .filter((name) => name.endsWith('.json') && isRunId(name.slice(0, -5)))
      .map((name) => name.slice(0, -5))
      .sort();
    type Read = { run?: RunDocument; unreadable?: UnreadableRun };
    const read = await Promise.all(
      ids.map((id) =>
        this.#read(id).then(
          (run): Read => ({ run }),
          (error: unknown): Read => {
            if (error instanceof UnreadableJournalError) return { unreadable: error.entry };
            // Gone between the listing and the read (undone and removed by hand): not a run any more.
            if (error instanceof UnknownRunError) return {};
            throw error;
          },
        ),
      ),
    );
    return {
      runs: read.flatMap(({ run }) =>
        run
          ? [
              {
                runId: run.runId,
                target: run.target,
                status: run.status,
                createdAt: run.createdAt,
                updatedAt: run.updatedAt,
                changesInPlace: run.steps.filter((step) => IN_PLACE.has(step.state)).length,
                unfinished: isUnfinished(run, this.#probe),
              },
            ]
          : [],
      ),
      unreadable: read.flatMap(({ unreadable }) => (unreadable ? [unreadable] : [])),
    };
  }

  /** Runs that were killed, or whose rollback could not finish: offered for undo on the next start. */
  async unfinishedRuns(): Promise<RunDocument[]> {
    const runs = await this.listRuns();
    return Promise.all(runs.filter((run) => run.unfinished).map((run) => this.loadRun(run.runId)));
  }

  /** Where the journal of `runId` is (or would be). */
  fileOf(runId: string): string {
    return this.#file(runId);
  }

  #file(runId: string): string {
    return path.join(this.runsDir, `${runId}.json`);
  }

  /** Checks `~/.sc-doctor` before reading; false when it does not exist yet. */
  #checkDirs(): Promise<boolean> {
    return checkStateDirs({
      home: this.home,
      dirs: [this.root, this.runsDir, this.locksDir],
      create: false,
    });
  }

  /** Checks `~/.sc-doctor` and makes what is missing (0700) before writing. */
  async #ensureDirs(): Promise<void> {
    await checkStateDirs({
      home: this.home,
      dirs: [this.root, this.runsDir, this.locksDir],
      create: true,
    });
  }

  async #writeTemporary(runId: string, document: RunDocument): Promise<string> {
    const temporary = path.join(this.runsDir, `.${runId}.${this.#pid}.${temporaryCounter++}.tmp`);
    return onDisk('write the journal', temporary, async () => {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.chmod(0o600);
        await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`);
        await handle.sync();
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      } finally {
        await handle.close();
      }
      return temporary;
    });
  }

  async #replace(document: RunDocument): Promise<void> {
    const temporary = await this.#writeTemporary(document.runId, document);
    const file = this.#file(document.runId);
    await onDisk('write the journal', file, () => rename(temporary, file)).catch(async (error: unknown) => {
      await rm(temporary, { force: true });
      throw error;
    });
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
