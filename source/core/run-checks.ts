/**
 * The check runner: starts every check as soon as the checks it `needs` have finished, runs
 * independent ones concurrently, enforces a per-check timeout, reports checks that are slow, and
 * turns a thrown error into status `error` so one broken check never crashes the doctor.
 */
import { formatSeconds, startDeadline } from './deadline.ts';
import type { EventBus } from './events.ts';
import type { Services } from './services.ts';
import type { Check, CheckOutcome, CheckResult, CheckStatus, DoctorOptions, DoctorSummary } from './types.ts';
import { reportingWaitsTo } from './wait-reports.ts';

export interface RunChecksOptions {
  services: Services;
  options: DoctorOptions;
  bus: EventBus;
  /** Applies to checks without their own `timeoutMs`. */
  defaultTimeoutMs?: number;
  /** A `check:slow` event is emitted once a check has run this long. */
  slowAfterMs?: number;
  /** Cancels every running check (Ctrl-C); unfinished checks end as `skip`. */
  signal?: AbortSignal;
  /**
   * Outcomes of checks that ran before (the base checks, when these are the target checks): a check
   * may `need` them as if they were part of this run.
   */
  previous?: readonly CheckOutcome[];
  /** Emit `doctor:start` and `doctor:end` (default true); a flow that runs checks in phases does it once itself. */
  announce?: boolean;
}

/**
 * Long enough for two az processes in a row at their own 15 s limit (signin asks `az cloud show`, then
 * for a token), so a stuck az is reported with az's own message rather than the runner's.
 */
export const DEFAULT_CHECK_TIMEOUT_MS = 35_000;
export const DEFAULT_SLOW_AFTER_MS = 3_000;

const PROCEED_STATUSES: ReadonlySet<CheckStatus> = new Set(['pass', 'warn']);

/** Runs the checks and resolves with their outcomes in declared order. */
export async function runChecks(checks: readonly Check[], run: RunChecksOptions): Promise<CheckOutcome[]> {
  const previous = run.previous ?? [];
  assertValidGraph(checks, previous);
  const { bus } = run;
  const announce = run.announce ?? true;
  if (announce) bus.emit({ type: 'doctor:start', checks: checks.map(({ id, title }) => ({ id, title })) });

  const outcomes = new Map<string, CheckOutcome>(previous.map((outcome) => [outcome.id, outcome]));
  const pending = new Map<string, Promise<CheckOutcome>>(
    previous.map((outcome) => [outcome.id, Promise.resolve(outcome)]),
  );

  const start = (check: Check): Promise<CheckOutcome> => {
    const existing = pending.get(check.id);
    if (existing) return existing;
    const promise = (async () => {
      const needed = await Promise.all(
        (check.needs ?? []).map((id) => pending.get(id) ?? start(checks.find((c) => c.id === id)!)),
      );
      await Promise.all(
        (check.wants ?? []).map((id) => pending.get(id) ?? start(checks.find((c) => c.id === id)!)),
      );
      const blocker = needed.find((outcome) => !PROCEED_STATUSES.has(outcome.status));
      // Down a chain (signin → subscription → server → ...) every skipped row names the failure at
      // its root, the one thing to act on, rather than the skipped row in between.
      // `data.blockedBy` carries the root across runs (the target checks see the base outcomes).
      const rootId = blocker?.data.blockedBy;
      const root = blocker && typeof rootId === 'string' ? (outcomes.get(rootId) ?? blocker) : blocker;
      const outcome = root
        ? skipped(check, `needs ${root.title.toLowerCase()} (${root.status})`, { blockedBy: root.id })
        : await runOne(check, run, outcomes);
      outcomes.set(check.id, outcome);
      bus.emit({ type: 'check:end', outcome });
      return outcome;
    })();
    pending.set(check.id, promise);
    return promise;
  };

  const all = await Promise.all(checks.map(start));
  if (announce) bus.emit({ type: 'doctor:end', outcomes: all, summary: summarize(all) });
  return all;
}

async function runOne(
  check: Check,
  run: RunChecksOptions,
  outcomes: ReadonlyMap<string, CheckOutcome>,
): Promise<CheckOutcome> {
  const { bus, services } = run;
  if (run.signal?.aborted) return skipped(check, 'cancelled');
  const startedAt = services.now();
  bus.emit({ type: 'check:start', id: check.id, title: check.title, at: startedAt });

  const timeoutMs = check.timeoutMs ?? run.defaultTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const slowAfterMs = run.slowAfterMs ?? DEFAULT_SLOW_AFTER_MS;
  const limit = startDeadline(timeoutMs, run.signal);
  const slowTimer = setTimeout(() => {
    bus.emit({
      type: 'check:slow',
      id: check.id,
      title: check.title,
      elapsedMs: services.now() - startedAt,
    });
  }, slowAfterMs);
  const deadline = limit.expired.then(
    (): CheckResult => ({
      status: 'timeout',
      message: `no answer after ${formatSeconds(timeoutMs)}`,
      details: ['The check was stopped; anything it started was cancelled.'],
    }),
  );
  const cancelled = new Promise<CheckResult>((resolve) => {
    limit.signal.addEventListener('abort', () => {
      if (run.signal?.aborted) resolve({ status: 'skip', message: 'cancelled' });
    });
  });

  const needs = new Set([...(check.needs ?? []), ...(check.wants ?? [])]);
  // A wait deep in a request (Azure throttling) is said on this check's row, as a slow check's why.
  const waiting = (detail: string) =>
    bus.emit({
      type: 'check:slow',
      id: check.id,
      title: check.title,
      elapsedMs: services.now() - startedAt,
      detail,
    });
  const attempt = reportingWaitsTo(waiting, async (): Promise<CheckResult> => {
    try {
      return await check.run({
        services,
        options: run.options,
        signal: limit.signal,
        outcomeOf: (id) => (needs.has(id) ? outcomes.get(id) : undefined),
      });
    } catch (error) {
      return crashed(error);
    }
  });

  try {
    const result = await Promise.race([attempt, deadline, cancelled]);
    return toOutcome(check, result, services.now() - startedAt);
  } finally {
    clearTimeout(slowTimer);
    limit.dispose();
  }
}

function crashed(error: unknown): CheckResult {
  const text = error instanceof Error ? error.message : String(error);
  return {
    status: 'error',
    message: 'the check itself failed',
    details: [text],
    remediation: {
      summary:
        'This is a bug in sc-doctor: please report it with the output of `sc-doctor doctor --json --verbose`.',
      commands: [],
      docsUrl: 'https://github.com/sc-doctor/sc-doctor/issues',
      fixable: false,
    },
  };
}

function skipped(check: Check, message: string, data?: Record<string, unknown>): CheckOutcome {
  return toOutcome(check, { status: 'skip', message, ...(data ? { data } : {}) }, 0);
}

function toOutcome(check: Check, result: CheckResult, durationMs: number): CheckOutcome {
  return {
    id: check.id,
    title: check.title,
    status: result.status,
    durationMs: Math.max(0, Math.round(durationMs)),
    message: result.message,
    details: result.details ?? [],
    remediation: result.remediation ?? null,
    data: result.data ?? {},
    blocking: (result.status === 'fail' || result.status === 'error') && result.blocking === true,
  };
}

/** Counts outcomes per status. */
export function summarize(outcomes: readonly Pick<CheckOutcome, 'status'>[]): DoctorSummary {
  const summary: DoctorSummary = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0, timeout: 0 };
  for (const { status } of outcomes) summary[status] += 1;
  return summary;
}

function assertValidGraph(checks: readonly Check[], previous: readonly CheckOutcome[]): void {
  const ids = new Set(checks.map((c) => c.id));
  if (ids.size !== checks.length) throw new Error('duplicate check id');
  const earlier = new Set(previous.map((outcome) => outcome.id));
  for (const check of checks) {
    if (earlier.has(check.id)) throw new Error(`check ${check.id} already ran`);
    for (const need of [...(check.needs ?? []), ...(check.wants ?? [])]) {
      if (!ids.has(need) && !earlier.has(need))
        throw new Error(`check ${check.id} needs unknown check ${need}`);
    }
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string) => {
    if (done.has(id)) return;
    if (visiting.has(id)) throw new Error(`checks form a cycle through ${id}`);
    visiting.add(id);
    const check = checks.find((c) => c.id === id);
    for (const need of [...(check?.needs ?? []), ...(check?.wants ?? [])]) visit(need);
    visiting.delete(id);
    done.add(id);
  };
  for (const check of checks) visit(check.id);
}
