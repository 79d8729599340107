/**
 * ARM writes through an Azure SDK client, followed to their end with the client's own poller
 * (`beginX`: @azure/core-lro, which knows each operation's `final-state-via` from its spec), with
 * what sc-doctor's engine needs of a write kept (docs/architecture.md, "ARM through the SDK
 * clients, and what stays REST"):
 *
 * - the operation noted in flight (`ctx.inFlight`) as soon as Azure's first answer names it, before
 *   any poll, so a rollback or a later `undo` waits for it however this wait ends;
 * - a refusal of the write itself (a 4xx first answer) marked as changing nothing;
 * - the polls driven here, one at a time, each after the wait Azure names capped at 30 s, and shown
 *   on the step (`waiting for Azure: InProgress (asking again in 5 s)`), with Azure's own status word
 *   read from the wire;
 * - every ending in the product's words, from Azure's answers: `<what>: Azure answered 409 Code:
 *   message`, `<what> ended Failed: Code: message`, `<what> ended Canceled` (an error, never a
 *   success), and a final read that fails after Azure said Succeeded.
 *
 * Loaded only by what writes, like arm-write.ts.
 */
import type { FullOperationResponse } from '@azure/core-client';
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import { nothingChanged, type StepContext, type UndoContext } from '../engine/step.ts';
import { type ArmResponse, armError, armResponseOf } from './arm.ts';
import { ArmOperationError, pause, provisioningState } from './arm-lro.ts';
import { refusal } from './arm-refusal.ts';
import { answerOf } from './arm-sdk.ts';
import { inFlightOf } from './arm-write.ts';

/** The options a write is sent with. */
export interface SdkWriteOptions {
  abortSignal?: AbortSignal;
  onResponse: (raw: FullOperationResponse, flat: unknown, error?: unknown) => void;
}

/** What `beginX` resolves with (core-lro's `SimplePollerLike`, the part used here). */
export interface SdkPoller {
  isDone(): boolean;
  poll(options?: { abortSignal?: AbortSignal }): Promise<void>;
}

const TERMINAL_BAD = new Set(['failed', 'canceled', 'cancelled']);

/**
 * Sends a write with `send` (an SDK `beginX` call, or a plain one for an operation that is not
 * long-running) and follows it to its end. Resolves with the final resource as Azure sent it
 * (nothing for a DELETE); rejects with `ArmOperationError` when Azure refused or the operation did
 * not succeed. A DELETE of what is already gone (404) is done.
 */
export async function writeSdk(
  ctx: StepContext | UndoContext,
  method: 'PUT' | 'PATCH' | 'DELETE',
  what: string,
  send: (options: SdkWriteOptions) => Promise<unknown>,
): Promise<unknown> {
  let first: ArmResponse | undefined;
  let last: ArmResponse | undefined;
  let status = 'InProgress';
  let succeeded = false;
  const onResponse = (raw: PipelineResponse) => {
    const answer = armResponseOf(raw);
    if (!first) {
      first = answer;
      status = provisioningState(answer.body) ?? (answer.status === 202 ? 'Accepted' : 'InProgress');
      if (answer.status < 400) {
        const operation = inFlightOf(answer, what);
        if (operation) ctx.inFlight(operation);
      }
      return;
    }
    last = answer;
    if (answer.status >= 400) return;
    const reported = (answer.body as { status?: unknown } | undefined)?.status;
    status = typeof reported === 'string' ? reported : (provisioningState(answer.body) ?? status);
    if (status.toLowerCase() === 'succeeded') succeeded = true;
  };

  const ended = (error: unknown): unknown => {
    if (ctx.signal.aborted) return ctx.signal.reason ?? error;
    const answer = answerOf(error);
    const firstFailed = !last && (!first || first.status >= 400);
    if (firstFailed) {
      // The answer as it came (a modular client's `RestError` carries its status without the body).
      const response = first ?? (answer ? armResponseOf(answer) : undefined);
      if (!response) return error;
      if (method === 'DELETE' && response.status === 404) return undefined;
      if (response.status >= 400 && response.status < 500) return nothingChanged(refusal(response, what));
      return refusal(response, what);
    }
    if (answer && succeeded) {
      const read = armResponseOf(answer);
      const azure = armError(read.body);
      return new ArmOperationError(
        `${what}: Azure said the operation succeeded, but reading the result answered ${read.status}${azure ? ` ${azure.code}: ${azure.message}` : ''}`,
        read.status,
        azure?.code,
      );
    }
    if (answer) return refusal(armResponseOf(answer), what);
    if (TERMINAL_BAD.has(status.toLowerCase())) {
      const azure = armError(last?.body);
      return new ArmOperationError(
        `${what} ended ${status}${azure ? `: ${azure.code}: ${azure.message}` : ''}`,
        last?.status ?? 200,
        azure?.code,
      );
    }
    return error;
  };

  let poller: unknown;
  try {
    poller = await send({ abortSignal: ctx.signal, onResponse });
    if (isPoller(poller)) {
      while (!poller.isDone()) {
        await pause((last ?? first)?.headers?.retryAfter, status, {
          what,
          signal: ctx.signal,
          onStatus: (now, nextPollMs) =>
            ctx.progress(
              `waiting for Azure: ${now}${nextPollMs >= 1000 ? ` (asking again in ${Math.round(nextPollMs / 1000)} s)` : ''}`,
            ),
        });
        await poller.poll({ abortSignal: ctx.signal });
      }
    }
  } catch (error) {
    const outcome = ended(error);
    if (outcome === undefined) return undefined;
    throw outcome;
  }
  // A poller that takes an ending it does not throw for as done is still not a success.
  if (TERMINAL_BAD.has(status.toLowerCase())) throw ended(new Error(`${what} ended ${status}`));
  if (method === 'DELETE') return undefined;
  return (last ?? first)?.body;
}

function isPoller(value: unknown): value is SdkPoller {
  const candidate = value as Partial<SdkPoller> | undefined;
  return typeof candidate?.poll === 'function' && typeof candidate?.isDone === 'function';
}
