/**
 * Long-running operations as ARM runs them: the initial 201/202 names a status URL on the twin
 * (`Azure-AsyncOperation`) and/or a result URL (`Location`); the work runs once, on a timer, when the
 * operation's delay has passed, whether or not anyone polls.
 */
import { AzureError, type LroOptions, type TwinRequest, type TwinResponse } from '../api.ts';

type State = 'InProgress' | 'Succeeded' | 'Failed';

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
  done: Promise<void>;
}

/** How long a status poll waits for a pending operation before answering "still running". */
const POLL_HOLD_MS = 100;

export class LroManager {
  private readonly operations = new Map<string, Operation>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly delayMs: () => number,
    private readonly uuid: () => string,
    private readonly nowIso: () => string,
  ) {}

  start(req: TwinRequest, options: LroOptions): TwinResponse {
    const id = this.uuid();
    const apiVersion = req.apiVersion ?? '2021-01-01';
    const { statusUrl, resultUrl } = this.urls(options.resourceId, id, apiVersion);
    let finish!: () => void;
    const operation: Operation = {
      id,
      options,
      state: 'InProgress',
      startTime: this.nowIso(),
      apiVersion,
      statusUrl,
      resultUrl,
      done: new Promise((resolve) => {
        finish = resolve;
      }),
    };
    this.operations.set(id.toLowerCase(), operation);
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      try {
        await options.work();
        operation.state = 'Succeeded';
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
      finish();
    }, this.delayMs());
    this.timers.add(timer);

    const headers: Record<string, string> = { 'Retry-After': '0' };
    if (options.style === 'azure-async-operation') {
      headers['Azure-AsyncOperation'] = statusUrl;
      if (options.initialStatus === 202) headers.Location = statusUrl;
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
    return { status: 200, body };
  }

  /** Result answer (`Location` polls): 202 while running, then the result, 204 or the error. */
  async result(id: string): Promise<TwinResponse> {
    const operation = await this.settled(id);
    if (operation.state === 'InProgress') {
      return { status: 202, headers: { Location: operation.resultUrl, 'Retry-After': '0' } };
    }
    if (operation.state === 'Failed') {
      const { status, code, message } = operation.error!;
      throw new AzureError(status, code, message);
    }
    const result = operation.options.result?.();
    return result === undefined ? { status: 204 } : { status: 200, body: result };
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

  private urls(resourceId: string, id: string, apiVersion: string): { statusUrl: string; resultUrl: string } {
    const match = /^\/subscriptions\/([^/]+)\/(?:resourceGroups\/[^/]+\/)?providers\/([^/]+)\//i.exec(
      resourceId,
    );
    const prefix = match
      ? `/subscriptions/${match[1]}/providers/${match[2]}/locations/eastus`
      : '/providers/Microsoft.Twin/locations/eastus';
    const query = `?api-version=${encodeURIComponent(apiVersion)}`;
    return {
      statusUrl: `${this.baseUrl()}${prefix}/operationStatuses/${id}${query}`,
      resultUrl: `${this.baseUrl()}${prefix}/operationResults/${id}${query}`,
    };
  }
}
