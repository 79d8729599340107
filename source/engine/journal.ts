/**
 * The run journal: `~/.sc-doctor/runs/<run-id>.json`, written before and after every step so that a
 * run killed at any moment can still be undone from the file alone. Every write replaces the whole
 * file atomically (journal-file.ts): a crash leaves the previous version or the next, never half of
 * one. The directory is 0700 and the files 0600, and nothing that looks like a secret
 * is ever written (see secret-scrubber.ts).
 *
 * Reading is as careful: `~/.sc-doctor` must be the user's own (state-dir.ts), and a journal that is
 * cut short, malformed or from a newer version is listed as unreadable, never undone, and never in
 * the way of another run (journal-document.ts).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { NotDone, PlannedStepView } from './events.ts';
import { parseRunDocument, UnreadableJournalError } from './journal-document.ts';
import { replaceJournal, writeNewJournal } from './journal-file.ts';
import {
  type JournalStepState,
  type RunDocument,
  type RunSummary,
  UnknownRunError,
  type UnreadableRun,
} from './journal-types.ts';
import { isOwnerAlive, type ProcessProbe, systemProbe, thisProcess } from './process-identity.ts';
import { isRunId, newRunId } from './run-id.ts';
import { acquireRunLock, type RunLock } from './run-lock.ts';
import { checkWritable, RunWriter } from './run-writer.ts';
import { checkStateDirs } from './state-dir.ts';
import { onDisk, StorageError } from './storage-error.ts';

export { UnreadableJournalError } from './journal-document.ts';
export type {
  JournalStep,
  JournalStepState,
  RunDocument,
  RunStatus,
  RunSummary,
  UnreadableRun,
} from './journal-types.ts';
export { UnknownRunError } from './journal-types.ts';
export { RunWriter } from './run-writer.ts';

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
    await writeNewJournal(this.#file(input.runId), document, this.#pid);
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

  #replace(document: RunDocument): Promise<void> {
    return replaceJournal(this.#file(document.runId), document, this.#pid);
  }

  /** Checks `~/.sc-doctor` and makes what is missing (0700) before writing. */
  async #ensureDirs(): Promise<void> {
    await checkStateDirs({
      home: this.home,
      dirs: [this.root, this.runsDir, this.locksDir],
      create: true,
    });
  }
}
