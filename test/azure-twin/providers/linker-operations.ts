/**
 * Service Connector's own long-running operations. The framework's `startLro` cannot produce them:
 * the status URL must sit under `Microsoft.ServiceLinker/locations/{REGION}` (the linker id's first
 * provider is the source's, e.g. Microsoft.Web), a delete answers its in-progress polls with HTTP 202
 * `Deleting` plus fresh headers, and a validation's result is the terminal status body itself
 * (Service Connector's REST reference; docs/architecture.md, "Where the facts come from").
 *
 * Timing: the first poll always sees the running status (as clients do against Azure); the work runs
 * on the next poll, or after `IDLE_COMPLETION_MS` when nobody polls, exactly once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AzureError, type TwinResponse } from '../api.ts';

export type LinkerOperationKind = 'create' | 'delete' | 'validate';

/** What the work reports back: extra `properties` for the terminal status body. */
export type OperationOutcome = { properties: unknown };

interface LinkerOperation {
  name: string;
  kind: LinkerOperationKind;
  path: string;
  url: string;
  resourceId: string;
  startTime: string;
  endTime?: string;
  state: 'Running' | 'Succeeded' | 'Failed';
  polls: number;
  outcome?: OperationOutcome;
  error?: { code: string; message: string };
  running?: Promise<void>;
  work: () => Promise<OperationOutcome> | OperationOutcome;
  now: () => string;
}

const IDLE_COMPLETION_MS = 1500;
const operations = new Map<string, LinkerOperation>();

const RUNNING_STATUS: Record<LinkerOperationKind, string> = {
  create: 'Accepted',
  delete: 'Deleting',
  validate: 'Accepted',
};

/** Region as Service Connector spells it in status URLs: `East US` → `EASTUS`. */
export function regionToken(location: string | undefined): string {
  return (location ?? 'eastus').replace(/\s+/g, '').toUpperCase();
}

export interface StartOptions {
  kind: LinkerOperationKind;
  baseUrl: string;
  subscriptionId: string;
  location: string | undefined;
  resourceId: string;
  apiVersion: string;
  now: () => string;
  work: () => Promise<OperationOutcome> | OperationOutcome;
}

/** Registers an operation; returns its absolute status URL. */
export function startLinkerOperation(options: StartOptions): string {
  const name = `${randomUUID()}*${randomBytes(32).toString('hex').toUpperCase()}`;
  const path = `/subscriptions/${options.subscriptionId}/providers/Microsoft.ServiceLinker/locations/${regionToken(options.location)}/operationStatuses/${name}`;
  const url = `${options.baseUrl}${path}?api-version=${encodeURIComponent(options.apiVersion)}`;
  const operation: LinkerOperation = {
    name,
    kind: options.kind,
    path,
    url,
    resourceId: options.resourceId,
    startTime: options.now(),
    state: 'Running',
    polls: 0,
    work: options.work,
    now: options.now,
  };
  operations.set(name.toLowerCase(), operation);
  setTimeout(() => void run(operation), IDLE_COMPLETION_MS).unref();
  return url;
}

function run(operation: LinkerOperation): Promise<void> {
  operation.running ??= (async () => {
    try {
      operation.outcome = await operation.work();
      operation.state = 'Succeeded';
    } catch (error) {
      operation.state = 'Failed';
      const detail = error instanceof AzureError ? error.message : String((error as Error)?.message ?? error);
      // The RP wraps whatever went wrong downstream in one generic user error.
      operation.error = {
        code: 'GeneralUserError',
        message: detail.startsWith('Execution failed.') ? detail : `Execution failed. ${detail}`,
      };
    }
    operation.endTime = operation.now();
  })();
  return operation.running;
}

/** Answers a poll of the status URL. */
export async function pollLinkerOperation(name: string): Promise<TwinResponse> {
  const operation = operations.get(name.toLowerCase());
  if (!operation)
    throw new AzureError(404, 'OperationNotFound', `The operation '${name}' could not be found.`);
  operation.polls += 1;
  if (operation.state === 'Running' && operation.polls >= 2) await run(operation);
  const body: Record<string, unknown> = {
    id: operation.path,
    name: operation.name,
    resourceId: operation.resourceId,
    status: operation.state === 'Running' ? RUNNING_STATUS[operation.kind] : operation.state,
    startTime: operation.startTime,
  };
  if (operation.state === 'Running') {
    if (operation.kind === 'delete') {
      return {
        status: 202,
        headers: { 'Azure-AsyncOperation': operation.url, Location: operation.url, 'Retry-After': '0' },
        body,
      };
    }
    return { status: 200, headers: { 'Retry-After': '0' }, body };
  }
  body.endTime = operation.endTime;
  if (operation.state === 'Failed') body.error = operation.error;
  else body.properties = operation.outcome?.properties ?? null;
  return { status: 200, body };
}
