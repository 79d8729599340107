/**
 * The Azure CLI facade: every az question is asked at most once per run (a memoised promise), so the
 * checks and the credential chain share answers instead of paying ~0.5 s per extra process. A caller's
 * signal stops its wait; the process is killed once nobody waits on it, and an answer cut short
 * (cancelled, timed out) is never handed to the next caller.
 */

import { redactTokens } from '../core/redact.ts';
import type { ExecResult, Services } from '../core/services.ts';
import { type SharedTask, sharedTask } from '../core/shared-task.ts';
import { firstLine } from './cloud.ts';

export const DEFAULT_AZ_TIMEOUT_MS = 15_000;

/** Why az gave no usable answer. Text fields are redacted: they never contain a token. */
export type AzFailure =
  | { kind: 'not-found' }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'cancelled' }
  | { kind: 'non-json'; firstLine: string }
  | { kind: 'failed'; exitCode: number | null; stderr: string };

export type AzAnswer<T> = { ok: true; value: T } | { ok: false; failure: AzFailure };

/** `az account get-access-token -o json` as the tool keeps it. */
export interface AzAccessToken {
  accessToken: string;
  expiresOnMs: number;
  /** The CLI's default subscription. */
  subscription: string | undefined;
  tenant: string | undefined;
}

export interface AzFacade {
  /** `az version -o json` → the `azure-cli` version. */
  version(signal?: AbortSignal): Promise<AzAnswer<{ azureCli: string }>>;
  /** `az cloud show -o json [-n NAME]`: raw stdout (parsed by cloud.ts, which tolerates surprises). */
  cloudShow(name?: string, signal?: AbortSignal): Promise<AzAnswer<string>>;
  /** `az cloud list -o json` → the names of the clouds registered with az. */
  cloudNames(): Promise<AzAnswer<string[]>>;
  /** `az account get-access-token -o json --resource R`; `fresh` asks again (an expired token). */
  accessToken(resource: string, fresh?: boolean, signal?: AbortSignal): Promise<AzAnswer<AzAccessToken>>;
  /** How many az processes this facade started (the budget is four per doctor run). */
  processCount(): number;
  /** Stops every az process still running. */
  dispose(): void;
}

export interface AzFacadeOptions {
  exec: Services['exec'];
  env: Services['env'];
  timeoutMs?: number;
}

export function createAzFacade(options: AzFacadeOptions): AzFacade {
  const timeoutMs = options.timeoutMs ?? DEFAULT_AZ_TIMEOUT_MS;
  const lifetime = new AbortController();
  const memo = new Map<string, SharedTask<AzAnswer<string>>>();
  let processes = 0;

  const task = (args: string[]) =>
    sharedTask<AzAnswer<string>>(
      async (signal) => {
        processes += 1;
        const stop = AbortSignal.any([lifetime.signal, signal]);
        const result = await options.exec('az', args, {
          timeoutMs,
          signal: stop,
          env: { ...options.env, AZURE_CORE_NO_COLOR: 'true' },
        });
        return toAnswer(result, timeoutMs, stop.aborted);
      },
      { keep: (answer) => answer.ok || !TRANSIENT.has(answer.failure.kind) },
    );

  const run = async (args: string[], fresh = false, signal?: AbortSignal): Promise<AzAnswer<string>> => {
    const key = args.join('\u0000');
    let shared = memo.get(key);
    if (!shared) {
      shared = task(args);
      memo.set(key, shared);
    }
    if (fresh) shared.forget();
    try {
      return await shared.get(signal);
    } catch {
      // Only this caller's signal rejects the wait: the answer for it is "cancelled".
      return { ok: false, failure: { kind: 'cancelled' } };
    }
  };

  const json = async (args: string[], fresh = false, signal?: AbortSignal): Promise<AzAnswer<unknown>> => {
    const answer = await run(args, fresh, signal);
    if (!answer.ok) return answer;
    try {
      return { ok: true, value: JSON.parse(answer.value) };
    } catch {
      return { ok: false, failure: { kind: 'non-json', firstLine: redactTokens(firstLine(answer.value)) } };
    }
  };

  return {
    async version(signal) {
      const answer = await json(['version', '-o', 'json'], false, signal);
      if (!answer.ok) return answer;
      const value = answer.value as Record<string, unknown> | null;
      const azureCli = value && typeof value['azure-cli'] === 'string' ? value['azure-cli'] : undefined;
      if (!azureCli)
        return {
          ok: false,
          failure: { kind: 'non-json', firstLine: 'az version printed no azure-cli version' },
        };
      return { ok: true, value: { azureCli } };
    },
    cloudShow(name, signal) {
      const args = name ? ['cloud', 'show', '-o', 'json', '-n', name] : ['cloud', 'show', '-o', 'json'];
      return run(args, false, signal);
    },
    async cloudNames() {
      const answer = await json(['cloud', 'list', '-o', 'json']);
      if (!answer.ok) return answer;
      const names = Array.isArray(answer.value)
        ? answer.value.flatMap((cloud) =>
            cloud && typeof cloud === 'object' && typeof (cloud as { name?: unknown }).name === 'string'
              ? [(cloud as { name: string }).name]
              : [],
          )
        : [];
      return { ok: true, value: names };
    },
    async accessToken(resource, fresh = false, signal) {
      const args = ['account', 'get-access-token', '-o', 'json', '--resource', resource];
      const answer = await json(args, fresh, signal);
      if (!answer.ok) return answer;
      const token = parseAccessToken(answer.value);
      if (!token) {
        return {
          ok: false,
          failure: { kind: 'non-json', firstLine: 'az account get-access-token printed no accessToken' },
        };
      }
      return { ok: true, value: token };
    },
    processCount: () => processes,
    dispose: () => lifetime.abort(),
  };
}

/** Failures that say nothing about the next attempt: never remembered. */
const TRANSIENT: ReadonlySet<AzFailure['kind']> = new Set(['cancelled', 'timeout']);

function toAnswer(result: ExecResult, timeoutMs: number, cancelled: boolean): AzAnswer<string> {
  if (result.notFound) return { ok: false, failure: { kind: 'not-found' } };
  if (result.timedOut) return { ok: false, failure: { kind: 'timeout', timeoutMs } };
  if (cancelled && result.exitCode === null) return { ok: false, failure: { kind: 'cancelled' } };
  if (result.exitCode !== 0) {
    return {
      ok: false,
      failure: { kind: 'failed', exitCode: result.exitCode, stderr: redactTokens(result.stderr) },
    };
  }
  return { ok: true, value: result.stdout };
}

function parseAccessToken(value: unknown): AzAccessToken | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.accessToken !== 'string' || record.accessToken === '') return undefined;
  return {
    accessToken: record.accessToken,
    expiresOnMs: expiresOn(record),
    subscription: typeof record.subscription === 'string' ? record.subscription : undefined,
    tenant: typeof record.tenant === 'string' ? record.tenant : undefined,
  };
}

/** `expires_on` (POSIX seconds, az >= 2.54) wins; older az only has `expiresOn` in local time. */
function expiresOn(record: Record<string, unknown>): number {
  const seconds = Number(record.expires_on);
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  if (typeof record.expiresOn === 'string') {
    const parsed = Date.parse(record.expiresOn.replace(' ', 'T'));
    if (Number.isFinite(parsed)) return parsed;
  }
  // Unknown expiry: assume the usual minimum lifetime so the token is asked for again later, not never.
  return Date.now() + 5 * 60_000;
}

/** Words for a failure, shared by every check that asks az something. */
export function describeAzFailure(failure: AzFailure): string {
  switch (failure.kind) {
    case 'not-found':
      return 'az is not on PATH';
    case 'timeout':
      return `az did not answer in ${Math.round(failure.timeoutMs / 100) / 10}s`;
    case 'cancelled':
      return 'cancelled';
    case 'non-json':
      return `az printed something that is not JSON: ${failure.firstLine}`;
    case 'failed':
      return `az failed (exit ${failure.exitCode ?? 'signal'}): ${firstLine(failure.stderr)}`;
  }
}
