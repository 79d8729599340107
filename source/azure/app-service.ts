/**
 * App Service (Microsoft.Web sites) through @azure/arm-appservice 19, on the session's ARM pipeline:
 * the one seam between sc-doctor and Microsoft.Web for a web app's read, its app settings and the
 * subscription's web apps (writes: app-service-write.ts). The package is imported on the first call,
 * so a run with no web app in it never loads it; only the operations used here (`api/webApps`) go
 * into its chunk.
 *
 * The client is a TypeSpec-generated one: its `RestError` carries the status but not the body, so
 * every answer is taken from the wire (`onResponse`, arm-sdk.ts) and Microsoft.Web's own PascalCase
 * refusal (`{"Code", "Message"}`) is read by `armError` as over REST.
 */
import type { WebSiteManagementContext } from '@azure/arm-appservice/api';
import type * as WebApps from '@azure/arm-appservice/api/webApps';
import type { ArmListResponse, ArmResponse } from './arm.ts';
import { armIdParts, modularCallOptions, sdkGet, sdkModularClient, sdkModularList } from './arm-sdk.ts';
import type { AzureSession } from './session.ts';

/** The api-version @azure/arm-appservice 19 sends for every operation (its default). */
export const APP_SERVICE_API_VERSION = '2025-05-01';

/** Whether `id` is a web app's (`Microsoft.Web/sites/<name>`), which this client reads and writes. */
export function isWebAppId(id: string): boolean {
  return /\/providers\/Microsoft\.Web\/sites\/[^/]+$/i.test(id);
}

/** A subscription's App Service client: its context and the web app operations. */
export interface WebAppsClient {
  context: WebSiteManagementContext;
  ops: typeof WebApps;
}

/** The session's App Service client for `subscriptionId`, the package loaded on first use. */
export function webAppsClient(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<WebAppsClient> {
  return sdkModularClient(
    azure,
    'appservice',
    subscriptionId,
    async (credential, subscription, options) => {
      const [{ createWebSiteManagement }, ops] = await Promise.all([
        import('@azure/arm-appservice/api'),
        import('@azure/arm-appservice/api/webApps'),
      ]);
      return { context: createWebSiteManagement(credential, subscription, options), ops };
    },
    signal,
  );
}

/** A web app (`Sites_Get`), answered as `armGet` answers: the status and the JSON Azure sent. */
export async function getWebApp(azure: AzureSession, id: string, signal?: AbortSignal): Promise<ArmResponse> {
  const { subscriptionId, resourceGroup, name } = armIdParts(id);
  const { context, ops } = await webAppsClient(azure, subscriptionId, signal);
  return sdkGet(
    azure,
    (options) => ops.get(context, resourceGroup, name, modularCallOptions(options)),
    signal,
  );
}

/** A web app's app settings (`config/appsettings/list`, a POST that reads), as `armPostRead` answers. */
export async function listWebAppSettings(
  azure: AzureSession,
  id: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const { subscriptionId, resourceGroup, name } = armIdParts(id);
  const { context, ops } = await webAppsClient(azure, subscriptionId, signal);
  return sdkGet(
    azure,
    (options) => ops.listApplicationSettings(context, resourceGroup, name, modularCallOptions(options)),
    signal,
  );
}

/** Every web app of the subscription (`WebApps_List`), as `armList` answers (`sdkModularList`). */
export async function listWebApps(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<ArmListResponse> {
  const { context, ops } = await webAppsClient(azure, subscriptionId, signal);
  return sdkModularList(azure, (options) => ops.list(context, modularCallOptions(options)), signal);
}
