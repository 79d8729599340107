/**
 * Reading one journal file: a run document is taken only when it is whole, of a version this
 * sc-doctor writes, and shaped as it writes it. Anything else (cut short by a full disk, edited by
 * hand, written by a newer version, `steps: null`) is an `UnreadableJournalError` naming the file, the
 * problem and what to do: it is listed, never undone, and never in the way of another run.
 */
import { commandLine } from '../core/command-line.ts';
import { UsageError } from '../core/usage-error.ts';
import type { JournalStep, JournalStepState, RunDocument, RunStatus, UnreadableRun } from './journal.ts';
import { type Field, is, type RecordSchema } from './record-schema.ts';
import type { InFlightWrite, RecordOrigin } from './step.ts';

/** The journal version this sc-doctor writes and reads. */
export const JOURNAL_VERSION = 1;

/** A journal file that cannot be used: `entry` is what `undo --list` shows of it. */
export class UnreadableJournalError extends UsageError {
  constructor(readonly entry: UnreadableRun) {
    super(`the journal of run ${entry.runId} (${entry.path}) ${entry.problem}; nothing was undone.`, [
      entry.fix,
    ]);
    this.name = 'UnreadableJournalError';
  }
}

// Every value of the types, by key: a status or state added to journal.ts and not here fails to compile.
const STATUS_KEYS: Record<RunStatus, true> = {
  running: true,
  'rolling-back': true,
  succeeded: true,
  'handed-off': true,
  'rolled-back': true,
  'rollback-incomplete': true,
  cancelled: true,
  undone: true,
};
const STATE_KEYS: Record<JournalStepState, true> = {
  pending: true,
  'not-run': true,
  started: true,
  applied: true,
  'already-done': true,
  'handed-off': true,
  failed: true,
  cancelled: true,
  undoing: true,
  undone: true,
  'already-gone': true,
  'changed-since': true,
  'undo-failed': true,
};
const STATUSES = Object.keys(STATUS_KEYS) as RunStatus[];
const STATES = Object.keys(STATE_KEYS) as JournalStepState[];

const count: Field<number> = {
  check: (v, at) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 ? [] : [`${at} must be a number`],
};
const jsonObject: Field<Record<string, never>> = {
  check: (v, at) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? [] : [`${at} must be an object`],
};
const strings = is.array(is.string());

const IN_FLIGHT: RecordSchema<InFlightWrite> = {
  statusUrl: is.nullable(is.string()),
  resultUrl: is.nullable(is.string()),
  what: is.string(),
};

const STEP: RecordSchema<JournalStep> = {
  id: is.text(),
  title: is.string(),
  resource: is.string(),
  after: strings,
  preview: strings,
  consent: is.nullable(is.string()),
  state: is.oneOf(...STATES),
  record: is.nullable(jsonObject),
  appliedOrder: is.nullable(count),
  scriptPath: is.nullable(is.string()),
  message: is.nullable(is.string()),
  startedAt: is.nullable(is.string()),
  endedAt: is.nullable(is.string()),
  // Journals written before in-flight writes were noted have none.
  inFlight: is.optional(is.nullable(is.object(IN_FLIGHT))) as Field<InFlightWrite | null>,
};

const DOCUMENT: RecordSchema<RunDocument> = {
  // Compared before the shape, to tell a newer version from a damaged file.
  version: { check: () => [] },
  runId: is.text(),
  target: is.text(),
  database: is.optional(is.string()),
  resumes: is.optional(is.string()),
  pid: count,
  processStart: is.optional(is.nullable(is.string())),
  host: is.optional(is.string()),
  createdAt: is.string(),
  updatedAt: is.string(),
  status: is.oneOf(...STATUSES),
  steps: is.array(is.object(STEP)),
  notDone: is.array(is.object({ id: is.string(), title: is.string(), reason: is.string() })),
  left: is.array(is.object({ id: is.string(), title: is.string(), reason: is.string(), commands: strings })),
};

/** The document in `text`, the journal of `runId` at `file`; throws `UnreadableJournalError`. */
export function parseRunDocument(text: string, runId: string, file: string): RunDocument {
  const unreadable = (problem: string, fix = damagedFix(file)) =>
    new UnreadableJournalError({ runId, path: file, problem, fix });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unreadable(text.trim() === '' ? 'is empty' : 'is not complete JSON (cut short, or edited by hand)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw unreadable('does not hold a run');
  const document = value as Record<string, unknown>;
  const version = document.version;
  if (typeof version === 'number' && version > JOURNAL_VERSION)
    throw unreadable(
      `was written by a newer sc-doctor (journal version ${version}; this one reads version ${JOURNAL_VERSION})`,
      'Fix: undo it with the sc-doctor version that made the run, or a newer one.',
    );
  if (version !== JOURNAL_VERSION) throw unreadable('has no journal version this sc-doctor knows');
  if (document.runId !== runId)
    throw unreadable(`holds run ${JSON.stringify(document.runId)}, not ${runId} (was it renamed?)`);
  const origin: RecordOrigin = { runId, target: '', resource: '', title: '', preview: [] };
  const problems = is.object(DOCUMENT).check(document, 'journal', origin);
  if (problems.length > 0)
    throw unreadable(
      `is not shaped as sc-doctor writes it (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; ...' : ''})`,
    );
  const run = document as unknown as RunDocument;
  for (const step of run.steps) step.inFlight ??= null;
  return run;
}

/** What to do about a journal that is damaged: check by hand, then move it out of the way. */
function damagedFix(file: string): string {
  return (
    'Fix: it cannot be undone automatically. Check by hand what that run changed (its plan is in the ' +
    `file, if it can be read at all), then move the file away: ${commandLine(['mv', file, `${file}.unreadable`])}`
  );
}
