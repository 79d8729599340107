/**
 * ARM writes followed to their end (long-running operations polled, 429/5xx retried as the Azure SDK
 * does), and the wait for a write a killed run left in flight. Loaded only by what writes: setup,
 * undo, and the doctor's offer to undo an unfinished run.
 */
import type { Services } from '../core/services.ts';
import { type InFlightWrite, nothingChanged, type StepContext, type UndoContext } from '../engine/step.ts';
import { type ArmResponse, armWrite } from './arm.ts';
import { ArmOperationError, waitForArm } from './arm-lro.ts';
import { refusal } from './arm-refusal.ts';

/**
 * A write followed to its end: resolves once Azure says it is done, rejects when Azure refused it or
 * the operation ended Failed. `ctx.progress` shows `waiting for Azure: <status>` meanwhile, with
 * how long until Azure is asked again when it named a wait (`Retry-After`).
 *
 * A write Azure runs on as a long-running operation is noted with `ctx.inFlight` first, so an undo
 * waits for it to end however this wait ends. A refusal of the write itself (a 4xx first answer:
 * busy, conflict, invalid, forbidden) changed nothing and is marked so (`nothingChanged`): the
 * engine then undoes nothing for it.
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
  if (first.status >= 400 && first.status < 500) throw nothingChanged(refusal(first, what));
  const operation = inFlightOf(first, what);
  if (operation) ctx.inFlight(operation);
  return waitForArm(services.azure, first, {
    what,
    signal: ctx.signal,
    onStatus: (status, nextPollMs) =>
      ctx.progress(
        `waiting for Azure: ${status}${nextPollMs >= 1000 ? ` (asking again in ${Math.round(nextPollMs / 1000)} s)` : ''}`,
      ),
  });
}

/** The operation a first answer names, when Azure goes on with the write after answering. */
export function inFlightOf(first: ArmResponse, what: string): InFlightWrite | undefined {
  const statusUrl = first.headers?.asyncOperation ?? null;
  const resultUrl = first.status === 202 ? (first.headers?.location ?? null) : null;
  if (!statusUrl && !resultUrl) return undefined;
  return { statusUrl, resultUrl, what };
}

/**
 * Waits until a write noted as in flight has ended, however it ended: the rollback and `undo` call
 * this (as the engine's `settleWrite`) before undoing a step whose write was cut off, so the undo
 * reads the resource as the write left it. An operation Azure no longer knows, or that ended Failed,
 * is over too; a poll Azure cannot answer is an error (the undo then fails and says what is left).
 */
export async function settleArmWrite(
  services: Services,
  write: InFlightWrite,
  ctx: UndoContext,
): Promise<void> {
  const pending: ArmResponse = {
    status: 202,
    body: undefined,
    requestId: undefined,
    // Poll at once: after a kill, the operation has usually ended long ago.
    headers: {
      ...(write.statusUrl ? { asyncOperation: write.statusUrl } : {}),
      ...(write.resultUrl ? { location: write.resultUrl } : {}),
      retryAfter: '0',
    },
  };
  try {
    await waitForArm(services.azure, pending, {
      what: write.what,
      signal: ctx.signal,
      onStatus: (status) => ctx.progress(`waiting for Azure to finish ${write.what}: ${status}`),
    });
  } catch (error) {
    if (error instanceof ArmOperationError) return;
    throw error;
  }
}
