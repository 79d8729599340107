/**
 * A Spring app's active deployment: where its environment variables (the app's settings) live. At the
 * api-versions sc-doctor uses (2023-12-01) the app resource does not name it (Apps_Get.json has no
 * `activeDeploymentName`; only old previews had it): the deployment marks itself with
 * `properties.active: true` (Deployments_List.json), and `az spring` finds it the same way, listing
 * the app's deployments and taking the active one (azure-cli-extensions, src/spring,
 * `_get_active_deployment`). Shared by the doctor, setup's settings store and the fleet audit.
 */
import { type ArmResponse, armGet, armList } from './arm.ts';
import type { AzureSession } from './session.ts';

/** The deployment as listed (or read), with its name and ARM id. */
export interface SpringDeployment {
  id: string;
  name: string;
  body: Record<string, unknown>;
}

export type ActiveDeploymentRead =
  | { kind: 'found'; deployment: SpringDeployment }
  /** Azure answered, and no deployment of the app is active. */
  | { kind: 'none' }
  /** Azure would not show the deployments (or the one the app named): its answer as it came. */
  | { kind: 'refused'; response: ArmResponse };

/**
 * Finds the active deployment of the Spring app `appId`: lists `{appId}/deployments` (every page) and
 * takes the one with `properties.active === true`. When `app` (an answer for the app already at hand)
 * names `properties.activeDeploymentName`, as older api-versions did, that deployment is read instead.
 */
export async function readActiveSpringDeployment(
  azure: AzureSession,
  appId: string,
  apiVersion: string,
  signal?: AbortSignal,
  app?: unknown,
): Promise<ActiveDeploymentRead> {
  const named = (app as { properties?: { activeDeploymentName?: unknown } } | undefined)?.properties
    ?.activeDeploymentName;
  if (typeof named === 'string' && named) {
    const id = `${appId}/deployments/${named}`;
    const response = await armGet(azure, id, apiVersion, signal);
    if (response.status !== 200) return { kind: 'refused', response };
    return { kind: 'found', deployment: { id, name: named, body: asObject(response.body) } };
  }
  const listed = await armList(azure, `${appId}/deployments`, apiVersion, signal);
  if (!listed.ok) return { kind: 'refused', response: listed.response };
  for (const item of listed.items) {
    const body = asObject(item);
    if ((body.properties as { active?: unknown } | undefined)?.active !== true) continue;
    const name = typeof body.name === 'string' ? body.name : '';
    if (!name) continue;
    return { kind: 'found', deployment: { id: `${appId}/deployments/${name}`, name, body } };
  }
  return { kind: 'none' };
}

/** A deployment's environment variables (`deploymentSettings.environmentVariables`), values as strings. */
export function springEnvironment(deployment: SpringDeployment): Record<string, string> {
  const env = ((deployment.body.properties as { deploymentSettings?: { environmentVariables?: unknown } })
    ?.deploymentSettings?.environmentVariables ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value ?? '')]));
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}
