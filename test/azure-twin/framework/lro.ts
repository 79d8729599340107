/**
 * Long-running operations as ARM runs them (azure-resource-manager-rpc `async-api-reference.md`; Learn
 * "Track asynchronous Azure operations"): the initial 201/202 names the operation-status resource
 * (`Azure-AsyncOperation`, always 200 with a `status`) and, for 202, the separate operation-result URL
 * (`Location`: 202 while running, then the operation's own answer), as the PostgreSQL example
 * `ServersUpdateWithMicrosoftEntraEnabled.json` shows. The work runs once, on a timer, when the
 * operation's delay has passed, whether or not anyone polls. Injected LRO faults end an operation
 * `Failed` or `Canceled` without its work. Once a PUT or PATCH succeeded, its result URL answers 200
 * with the resource as a GET of the request's own URL does (ARM RPC `async-api-reference.md`,
 * "Operation Result Rules"); a DELETE's (and an action's without a result) answers 204. `Retry-After`
 * says how many whole seconds the operation still runs unless a fixed value is set
 * (fixtures/SOURCES.md, "Long-running operations").
 */
import {
  AzureError,
  type LroOptions,
  type LroOutcome,
  type Principal,
  type TwinRequest,
  type TwinResponse,
} from '../api.ts';
import type { FaultInjector } from './faults.ts';

type State = 'InProgress' | LroOutcome;

interface Operation {
  id: string;
  options: LroOptions;
  state: State;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string; status: number };
  apiVersion: string;
  statusUrl: string;
  resultUrl: string;
  /** The write that started it: a PUT's or PATCH's result is the resource at `path`. */
  method: string;
  path: string;
  caller: Principal;
  /** When its work is due (ms since the epoch), for `Retry-After`. */
  dueAt: number;
  done: Promise<void>;
}

/** A GET of `path` as `caller` would get it (the twin's own route for the resource). */
export type ReadResource = (
  path: string,
  apiVersion: string,
  caller: Principal,
) => Promise<TwinResponse | undefined>;

/** How long a status poll waits for a pending operation before answering "still running". */
const POLL_HOLD_MS = 100;

export class LroManager {
  private readonly operations = new Map<string, Operation>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Set once the router exists: how a finished PUT or PATCH reads its resource back. */
  readResource: ReadResource | undefined;

  constructor(
    private readonly baseUrl: () => string,
    private readonly faults: FaultInjector,
    private readonly uuid: () => string,
    private readonly nowIso: () => string,
  ) {}

  start(req: TwinRequest, options: LroOptions): TwinResponse {
    const id = this.uuid();
    const apiVersion = req.apiVersion ?? '2021-01-01';
    const { statusUrl, resultUrl } = this.urls(
      options.resourceId,
      id,
      apiVersion,
      options.statusSegment ?? 'operationStatuses',
    );
    const fault = this.faults.takeLro(options.resourceId);
    const delayMs = fault?.delayMs ?? this.faults.lroDelayMs;
    let finish!: () => void;
    const operation: Operation = {
      id,
      options,
      state: 'InProgress',
      startTime: this.nowIso(),
      apiVersion,
      statusUrl,
      resultUrl,
      method: req.method.toUpperCase(),
      path: req.path,
      caller: req.caller,
      dueAt: Date.now() + delayMs,
      done: new Promise((resolve) => {
        finish = resolve;
      }),
    };
    this.operations.set(id.toLowerCase(), operation);
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      try {
        if (fault?.outcome === 'Canceled') {
          operation.state = 'Canceled';
          operation.error = {
            code: fault.code ?? 'OperationCanceled',
            message: fault.message ?? 'The operation was canceled.',
            status: fault.status ?? 409,
          };
        } else if (fault?.outcome === 'Failed') {
          throw new AzureError(
            fault.status ?? 500,
            fault.code ?? 'InternalServerError',
            // The RPs' catch-all text, typo included (azure-cli#29708).
            fault.message ?? `An unexpected error occured while processing the request. Tracking ID: '${id}'`,
          );
        } else {
          await options.work();
          operation.state = 'Succeeded';
        }
      } catch (error) {
        operation.state = 'Failed';
        operation.error =
          error instanceof AzureError
            ? { code: error.code, message: error.message, status: error.status }
            : {
                code: 'InternalServerError',
                message: String((error as Error)?.message ?? error),
                status: 500,
              };
      }
      operation.endTime = this.nowIso();
      try {
        options.settle?.(operation.state as LroOutcome);
      } finally {
        finish();
      }
    }, delayMs);
    this.timers.add(timer);

    const headers: Record<string, string> = { 'Retry-After': this.retryAfter(operation) };
    if (options.style === 'azure-async-operation') {
      headers['Azure-AsyncOperation'] = statusUrl;
      // A 202 must also name the operation-result URL (RPC: PATCH/DELETE/POST 202 "must" send Location).
      if (options.initialStatus === 202) headers.Location = resultUrl;
    } else {
      headers.Location = resultUrl;
    }
    return { status: options.initialStatus, headers, body: options.initialBody };
  }

  /** Status body (`Azure-AsyncOperation` polls). */
  async status(id: string): Promise<TwinResponse> {
    const operation = await this.settled(id);
    const body: Record<string, unknown> = {
      id: new URL(operation.statusUrl).pathname,
      name: operation.id,
      resourceId: operation.options.resourceId,
      status:
        operation.state === 'InProgress'
          ? (operation.options.runningStatus ?? 'InProgress')
          : operation.state,
      startTime: operation.startTime,
    };
    if (operation.endTime) body.endTime = operation.endTime;
    if (operation.error) body.error = { code: operation.error.code, message: operation.error.message };
    Object.assign(body, operation.options.statusExtras?.(operation.state) ?? {});
    const running = operation.state === 'InProgress';
    return {
      status: 200,
      body,
      ...(running ? { headers: { 'Retry-After': this.retryAfter(operation) } } : {}),
    };
  }

  /**
   * Result answer (`Location` polls): 202 while running, then the result (a PUT's or PATCH's
   * resource, an action's own result), 204 when there is none, or the error.
   */
  async result(id: string): Promise<TwinResponse> {
    const operation = await this.settled(id);
    if (operation.state === 'InProgress') {
      return {
        status: 202,
        headers: { Location: operation.resultUrl, 'Retry-After': this.retryAfter(operation) },
      };
    }
    if (operation.state === 'Failed' || operation.state === 'Canceled') {
      const { status, code, message } = operation.error!;
      throw new AzureError(status, code, message);
    }
    const result = operation.options.result?.();
    if (result !== undefined) return { status: 200, body: result };
    if ((operation.method === 'PUT' || operation.method === 'PATCH') && this.readResource) {
      const read = await this.readResource(operation.path, operation.apiVersion, operation.caller);
      if (read?.status === 200) return { status: 200, body: read.body };
    }
    return { status: 204 };
  }

  /** `Retry-After` for an answer about `operation`: the fixed value, else its whole seconds left. */
  private retryAfter(operation: Operation): string {
    const fixed = this.faults.retryAfterSeconds;
    if (fixed !== undefined) return String(fixed);
    return String(Math.max(0, Math.floor((operation.dueAt - Date.now()) / 1000)));
  }

  /** Stops pending timers (twin shutdown). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Every operation (for the state endpoint). */
  list(): { id: string; resourceId: string; status: State; startTime: string; endTime?: string }[] {
    return [...this.operations.values()].map((op) => ({
      id: op.id,
      resourceId: op.options.resourceId,
      status: op.state,
      startTime: op.startTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
    }));
  }

  private async settled(id: string): Promise<Operation> {
    const operation = this.operations.get(id.toLowerCase());
    if (!operation) {
      throw new AzureError(404, 'OperationNotFound', `The operation '${id}' could not be found.`);
    }
    // Hold a poll briefly so `Retry-After: 0` does not become a busy loop.
    if (operation.state === 'InProgress') {
      await Promise.race([operation.done, new Promise((resolve) => setTimeout(resolve, POLL_HOLD_MS))]);
    }
    return operation;
  }

  private urls(
    resourceId: string,
    id: string,
    apiVersion: string,
    statusSegment: string,
  ): { statusUrl: string; resultUrl: string } {
    const match = /^\/subscriptions\/([^/]+)\/(?:resourceGroups\/[^/]+\/)?providers\/([^/]+)\//i.exec(
      resourceId,
    );
    const prefix = match
      ? `/subscriptions/${match[1]}/providers/${match[2]}/locations/eastus`
      : '/providers/Microsoft.Twin/locations/eastus';
    const query = `?api-version=${encodeURIComponent(apiVersion)}`;
    return {
      statusUrl: `${this.baseUrl()}${prefix}/${statusSegment}/${id}${query}`,
      resultUrl: `${this.baseUrl()}${prefix}/operationResults/${id}${query}`,
    };
  }
}
