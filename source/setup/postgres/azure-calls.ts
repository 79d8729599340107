/**
 * The ARM calls the PostgreSQL steps make: reads, and writes followed to their end (long-running
 * operations polled, 429/5xx retried as the Azure SDK does). A refusal becomes an error that names
 * what was being done and Azure's code and message.
 */
import { type ArmResponse, armGet, armList, armWrite, graphGet } from '../../azure/arm.ts';
import { refusal, waitForArm } from '../../azure/arm-lro.ts';
import type { Services } from '../../core/services.ts';
import type { StepContext, UndoContext } from '../step.ts';

/** GET that returns the body, `undefined` for a 404, and throws for anything else. */
export async function readArm(
  services: Services,
  path: string,
  apiVersion: string,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown> | undefined> {
  const response = await armGet(services.azure, path, apiVersion, signal);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw refusal(response, what);
  return (response.body ?? {}) as Record<string, unknown>;
}

/** Every item of an ARM list, or throws naming what was read. */
export async function listArm(
  services: Services,
  path: string,
  apiVersion: string,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>[]> {
  const answer = await armList(services.azure, path, apiVersion, signal);
  if (!answer.ok) throw refusal(answer.response, what);
  return answer.items as Record<string, unknown>[];
}

/** A Microsoft Graph read; throws naming what was read. */
export async function readGraph(
  services: Services,
  path: string,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const response = await graphGet(services.azure, path, signal);
  if (response.status !== 200) throw refusal(response, what);
  return (response.body ?? {}) as Record<string, unknown>;
}

/**
 * A write followed to its end: resolves once Azure says it is done, rejects when Azure refused it or
 * the operation ended Failed. `ctx.progress` shows `waiting for Azure: <status>` meanwhile, with
 * how long until Azure is asked again when it named a wait (`Retry-After`).
 */
export async function writeArm(
  services: Services,
  ctx: StepContext | UndoContext,
  method: 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  apiVersion: string,
  body: unknown,
  what: string,
): Promise<unknown> {
  const first: ArmResponse = await armWrite(services.azure, method, path, apiVersion, body, ctx.signal);
  if (method === 'DELETE' && (first.status === 204 || first.status === 404)) return undefined;
  return waitForArm(services.azure, first, {
    what,
    signal: ctx.signal,
    onStatus: (status, nextPollMs) =>
      ctx.progress(
        `waiting for Azure: ${status}${nextPollMs >= 1000 ? ` (asking again in ${Math.round(nextPollMs / 1000)} s)` : ''}`,
      ),
  });
}

/** ARM ids compare case-insensitively. */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
