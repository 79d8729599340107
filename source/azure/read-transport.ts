/**
 * "Send once, I pace the retries": an option of the session's one pipeline (arm-pipeline.ts) for a
 * run that schedules its own reads. A session may carry an `ArmReadTransport` (`AzureSession.reads`;
 * the fleet audit's, source/audit/arm-reads.ts); every read of that session, whichever way it is
 * made (plain REST, an SDK client, Graph), is handed to the transport, whose `send` passes it down
 * the same pipeline marked sent-once: the bearer policy, the origin guard and TLS as for every
 * request, but neither the capped throttling retry nor the 5xx and connection retries, because the
 * transport decides when a read is asked again (within ARM's budgets and Resource Graph's quota).
 * Without a transport (the doctor, setup) nothing here takes part.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { type ArmResponse, armResponseOf, rememberAnswer } from './arm-response.ts';
import type { AzureSession } from './session.ts';

/** A read as the transport sees it: the URL is complete (api-version included). */
export interface ArmReadRequest {
  method: 'GET' | 'POST';
  url: string;
  /** JSON text of a POST body (a Resource Graph query); absent for GETs and bodiless read actions. */
  body?: string;
}

/**
 * How a session's reads are sent. `send(signal)` performs the read once through the pipeline, with
 * no retry of its own: retrying a 429 or a 5xx is the transport's decision. `send`'s signal is the
 * transport's (a read shared by several callers must not die with the first caller's); `signal` is
 * the caller's, who may stop waiting. Answers may be shared between callers: treat them as read-only.
 */
export interface ArmReadTransport {
  read(
    request: ArmReadRequest,
    send: (signal?: AbortSignal) => Promise<ArmResponse>,
    signal?: AbortSignal,
  ): Promise<ArmResponse>;
}

/** Which transport a request was made under (the session it was made for had one). */
const transports = new WeakMap<PipelineRequest, ArmReadTransport>();
/** Requests the transport sends: the pipeline's retry policies let them pass (`isSentOnce`). */
const sentOnce = new WeakSet<PipelineRequest>();

/** Marks `request` with the session's read transport, when it has one; returns the request. */
export function throughSessionReads<T extends PipelineRequest>(azure: AzureSession, request: T): T {
  if (azure.reads) transports.set(request, azure.reads);
  return request;
}

/** The signals of SDK calls made for a session with a transport (`sessionCall`), and that transport. */
const callTransports = new WeakMap<AbortSignal, ArmReadTransport>();

/** One SDK call's options as `sessionCall` leaves them, and how to let go of the caller's signal. */
export interface SessionCall {
  /** The call's signal: the caller's, or (with a transport) one that follows it and names the transport. */
  signal: AbortSignal | undefined;
  /** Stops following the caller's signal; call it when the call (every page of a list) is over. */
  done(): void;
}

/**
 * The signal an SDK call of `azure` is made with. The SDK clients are shared by every view of a
 * session (one per credential and subscription: a fleet audit makes a view per app and per check, and
 * a client per view was 40,000 clients for 10,000 apps), so the transport cannot come from the client:
 * it comes with the call, on the one option both kinds of client copy onto each of their requests
 * (the abort signal, also the next pages'). Without a transport the caller's signal is kept as it is.
 */
export function sessionCall(azure: AzureSession, signal: AbortSignal | undefined): SessionCall {
  const transport = azure.reads;
  if (!transport) return { signal, done: () => {} };
  const controller = new AbortController();
  callTransports.set(controller.signal, transport);
  if (!signal) return { signal: controller.signal, done: () => {} };
  const follow = () => controller.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  return { signal: controller.signal, done: () => signal.removeEventListener('abort', follow) };
}

/** The transport `request` goes to: its session's (REST, Graph) or its SDK call's (`sessionCall`). */
function transportOf(request: PipelineRequest): ArmReadTransport | undefined {
  const signal = request.abortSignal as AbortSignal | undefined;
  return transports.get(request) ?? (signal ? callTransports.get(signal) : undefined);
}

/** Whether the pipeline's retry policies must let `request` pass: its transport paces it. */
export function isSentOnce(request: PipelineRequest): boolean {
  return sentOnce.has(request);
}

/**
 * The pipeline policy that hands a marked read to its transport. It sits first in the Retry phase:
 * after core-client's deserialisation (each caller's SDK client reads its own copy of a shared
 * answer), before the retries (which a sent-once request passes by) and the bearer policy.
 */
export function readTransportPolicy(): PipelinePolicy {
  return {
    name: 'scDoctorReadTransportPolicy',
    async sendRequest(request, next) {
      const transport = transportOf(request);
      const method = request.method;
      if (!transport || (method !== 'GET' && method !== 'POST')) return next(request);
      const body = typeof request.body === 'string' ? request.body : undefined;
      const callerSignal = request.abortSignal as AbortSignal | undefined;
      // This caller's own wire answer, when its request was the one sent. Never kept with the answer:
      // a cached answer must not hold the request (and through it the caller's session and cache).
      let sent: PipelineResponse | undefined;
      const answer = await transport.read(
        { method, url: request.url, ...(body === undefined ? {} : { body }) },
        async (signal) => {
          sentOnce.add(request);
          request.abortSignal = signal;
          sent = await next(request);
          return armResponseOf(sent);
        },
        callerSignal,
      );
      if (sent && armResponseOf(sent) === answer) return sent;
      // Another caller's answer (a read shared or cached): its bytes, as the answer to this request.
      return answered(request, answer);
    },
  };
}

/**
 * A response to `request` from an answer read before (a shared or cached read, or a stand-in's in
 * tests): the JSON and the headers sc-doctor reads, so each caller's SDK client deserialises its own.
 */
async function answered(request: PipelineRequest, answer: ArmResponse): Promise<PipelineResponse> {
  const { createHttpHeaders } = await import('@azure/core-rest-pipeline');
  const headers = createHttpHeaders();
  if (answer.requestId) headers.set('x-ms-request-id', answer.requestId);
  if (answer.headers?.retryAfter) headers.set('retry-after', answer.headers.retryAfter);
  if (answer.headers?.location) headers.set('location', answer.headers.location);
  if (answer.headers?.asyncOperation) headers.set('azure-asyncoperation', answer.headers.asyncOperation);
  const response: PipelineResponse = {
    request,
    status: answer.status,
    headers,
    ...(answer.body === undefined ? {} : { bodyAsText: JSON.stringify(answer.body) }),
  };
  rememberAnswer(response, answer);
  return response;
}
