/**
 * Container Apps (Microsoft.App) through @azure/arm-appcontainers 4, on the session's ARM pipeline:
 * the one seam between sc-doctor and Microsoft.App for a container app's read (its identities and
 * its containers' env), its environment's network and the subscription's container apps (writes:
 * container-apps-write.ts). The package is imported on the first call, so a run with no container
 * app in it never loads it; only the operations used here (`api/containerApps`,
 * `api/managedEnvironments`) go into its chunks.
 *
 * A TypeSpec-generated ("modular") client like @azure/arm-appservice 19: every answer is taken from
 * the wire (`onResponse`, arm-sdk.ts), not from its model (which flattens `properties`), and a
 * refusal keeps Azure's status, code and message.
 */
import type { ContainerAppsAPIContext } from '@azure/arm-appcontainers/api';
import type * as ContainerApps from '@azure/arm-appcontainers/api/containerApps';
import type * as ManagedEnvironments from '@azure/arm-appcontainers/api/managedEnvironments';
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import type { ArmListResponse, ArmResponse } from './arm.ts';
import {
  armIdParts,
  type ModularClientOptions,
  modularCallOptions,
  sdkGet,
  sdkModularClient,
  sdkModularList,
} from './arm-sdk.ts';
import type { AzureSession } from './session.ts';

/** The api-version @azure/arm-appcontainers 4 sends for every operation (its default). */
export const CONTAINER_APPS_API_VERSION = '2026-07-01';

/** Whether `id` is a container app's (`Microsoft.App/containerApps/<name>`), which this client reads and writes. */
export function isContainerAppId(id: string): boolean {
  return /\/providers\/Microsoft\.App\/containerApps\/[^/]+$/i.test(id);
}

/** A subscription's Container Apps client: its context and the operations sc-doctor makes. */
export interface ContainerAppsClient {
  context: ContainerAppsAPIContext;
  apps: typeof ContainerApps;
  environments: typeof ManagedEnvironments;
  /**
   * A context of its own for one write, whose every answer (the first, each poll, the final read)
   * is shown to `see` as it came: the client's poller asks for the polls without the call's
   * `onResponse`.
   */
  watched(see: (response: PipelineResponse) => void): ContainerAppsAPIContext;
}

/** The session's Container Apps client for `subscriptionId`, the package loaded on first use. */
export function containerAppsClient(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<ContainerAppsClient> {
  return sdkModularClient(
    azure,
    'appcontainers',
    subscriptionId,
    async (credential, subscription, options) => {
      const [{ createContainerAppsAPI }, apps, environments] = await Promise.all([
        import('@azure/arm-appcontainers/api'),
        import('@azure/arm-appcontainers/api/containerApps'),
        import('@azure/arm-appcontainers/api/managedEnvironments'),
      ]);
      return {
        context: createContainerAppsAPI(credential, subscription, options),
        apps,
        environments,
        watched: (see) =>
          createContainerAppsAPI(credential, subscription, { ...options, pipeline: watching(options, see) }),
      };
    },
    signal,
  );
}

/** The client's pipeline with every answer shown to `see` once it came back. */
function watching(
  options: ModularClientOptions,
  see: (response: PipelineResponse) => void,
): ModularClientOptions['pipeline'] {
  const { pipeline } = options;
  return {
    ...pipeline,
    sendRequest: async (httpClient, request) => {
      const response = await pipeline.sendRequest(httpClient, request);
      see(response);
      return response;
    },
  };
}

/** A container app (`ContainerApps_Get`), answered as `armGet` answers: the status and the JSON Azure sent. */
export async function getContainerApp(
  azure: AzureSession,
  id: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const { subscriptionId, resourceGroup, name } = armIdParts(id);
  const { context, apps } = await containerAppsClient(azure, subscriptionId, signal);
  return sdkGet(
    azure,
    (options) => apps.get(context, resourceGroup, name, modularCallOptions(options)),
    signal,
  );
}

/** A Container Apps environment (`ManagedEnvironments_Get`), as `armGet` answers. */
export async function getManagedEnvironment(
  azure: AzureSession,
  id: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const { subscriptionId, resourceGroup, name } = armIdParts(id);
  const { context, environments } = await containerAppsClient(azure, subscriptionId, signal);
  return sdkGet(
    azure,
    (options) => environments.get(context, resourceGroup, name, modularCallOptions(options)),
    signal,
  );
}

/** Every container app of the subscription (`ContainerApps_ListBySubscription`), as `armList` answers. */
export async function listContainerApps(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<ArmListResponse> {
  const { context, apps } = await containerAppsClient(azure, subscriptionId, signal);
  return sdkModularList(
    azure,
    (options) => apps.listBySubscription(context, modularCallOptions(options)),
    signal,
  );
}
