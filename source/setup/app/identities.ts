/**
 * Which Entra object the database role is mapped to: the app's system identity, the user-assigned
 * identity with the given client id, or the service principal with the given client id. Looked up
 * when a step needs it (the system identity may only exist once `app-identity` has run).
 */

import { getWebApp, isWebAppId } from '../../azure/app-service.ts';
import { readArm, readGraph, sameId } from '../../azure/arm-calls.ts';
import { refusal } from '../../azure/arm-refusal.ts';
import { getContainerApp, isContainerAppId } from '../../azure/container-apps.ts';
import { enumIs } from '../../azure/enums.ts';
import { listSubscriptionIdentities } from '../../azure/user-assigned-identities.ts';
import type { Services } from '../../core/services.ts';
import type { SetupInput } from '../input.ts';
import { API } from '../input.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user-assigned identity found by its client id. */
export interface UamiRef {
  id: string;
  name: string;
  principalId: string;
  clientId: string;
}

/** The app's identity block as ARM answers it, or undefined when it has none. */
export async function readAppIdentity(
  services: Services,
  input: SetupInput,
  signal?: AbortSignal,
): Promise<Record<string, unknown> | undefined> {
  const app = await readApp(services, input.app.id, API[appApi(input)], `reading ${input.app.name}`, signal);
  if (!app) throw new Error(`the app ${input.app.name} no longer exists (${input.app.id})`);
  const identity = app.identity as Record<string, unknown> | undefined;
  return identity && !enumIs(identity.type, 'None') ? identity : undefined;
}

/**
 * An app as Azure sent it, undefined for a 404, a refusal otherwise: a web app through
 * @azure/arm-appservice, a container app through @azure/arm-appcontainers (each at its client's own
 * api-version, whatever an older journal's record says), a Spring app over REST at `apiVersion`.
 */
export async function readApp(
  services: Services,
  appId: string,
  apiVersion: string,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown> | undefined> {
  const read = isWebAppId(appId) ? getWebApp : isContainerAppId(appId) ? getContainerApp : undefined;
  if (!read) return readArm(services, appId, apiVersion, what, signal);
  const response = await read(services.azure, appId, signal);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw refusal(response, what);
  return (response.body ?? {}) as Record<string, unknown>;
}

/** Which entry of `API` reads and writes the app. */
export function appApi(input: SetupInput): 'webapp' | 'containerapp' | 'spring' {
  return input.app.kind;
}

/** The user-assigned identity whose client id is `clientId`, in its subscription; undefined when none. */
export async function lookupUami(
  services: Services,
  input: Pick<SetupInput, 'app'>,
  clientId: string,
  subscriptionId: string | undefined,
  signal?: AbortSignal,
): Promise<UamiRef | undefined> {
  const subscription = subscriptionId ?? input.app.subscriptionId;
  const answer = await listSubscriptionIdentities(services.azure, subscription, signal);
  if (!answer.ok)
    throw refusal(answer.response, `listing the user-assigned identities of subscription ${subscription}`);
  const items = answer.items as Record<string, unknown>[];
  const found = items.find(
    (item) =>
      String((item.properties as { clientId?: string })?.clientId).toLowerCase() === clientId.toLowerCase(),
  );
  if (!found) return undefined;
  const props = found.properties as { principalId: string; clientId: string };
  return {
    id: String(found.id),
    name: String(found.name),
    principalId: props.principalId,
    clientId: props.clientId,
  };
}

/** The user-assigned identity whose client id is `clientId`, in its subscription. */
export async function findUami(
  services: Services,
  input: SetupInput,
  clientId: string,
  subscriptionId: string | undefined,
  signal?: AbortSignal,
): Promise<UamiRef> {
  if (!GUID.test(clientId)) throw new Error(`client-id ${clientId} is not a GUID`);
  const found = await lookupUami(services, input, clientId, subscriptionId, signal);
  if (!found)
    throw new Error(
      `no user-assigned identity with client id ${clientId} in subscription ${subscriptionId ?? input.app.subscriptionId}`,
    );
  return found;
}

/** A service principal as Graph shows it. */
export interface ServicePrincipalRef {
  objectId: string;
  appId: string;
  displayName: string;
}

/** The service principal of the application `clientId` in the tenant; undefined when there is none. */
export async function lookupServicePrincipal(
  services: Services,
  clientId: string,
  signal?: AbortSignal,
): Promise<ServicePrincipalRef | undefined> {
  const answer = await readGraph(
    services,
    `v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${clientId}'`)}&$select=id,appId,displayName`,
    `looking up the service principal ${clientId}`,
    signal,
  );
  const sp = ((answer.value ?? []) as { id?: string; appId?: string; displayName?: string }[])[0];
  if (!sp?.id) return undefined;
  return { objectId: sp.id, appId: sp.appId ?? clientId, displayName: sp.displayName ?? clientId };
}

/** The object id the role is mapped to, and (user identity, service principal) the client id. */
export async function principalOf(
  services: Services,
  input: SetupInput,
  signal?: AbortSignal,
): Promise<{ objectId: string; clientId: string | null; label: string }> {
  const auth = input.auth;
  if (auth.kind === 'system') {
    const identity = await readAppIdentity(services, input, signal);
    const principalId = identity?.principalId;
    if (typeof principalId !== 'string') throw new Error(`${input.app.name} has no system-assigned identity`);
    return { objectId: principalId, clientId: null, label: `${input.app.name}'s system identity` };
  }
  if (auth.kind === 'user') {
    const uami = await findUami(services, input, auth.clientId, auth.subscriptionId, signal);
    return { objectId: uami.principalId, clientId: uami.clientId, label: `identity ${uami.name}` };
  }
  if (!GUID.test(auth.clientId)) throw new Error(`client-id ${auth.clientId} is not a GUID`);
  const sp = await lookupServicePrincipal(services, auth.clientId, signal);
  if (!sp) throw new Error(`no service principal with client id ${auth.clientId} in the tenant`);
  return {
    objectId: sp.objectId,
    clientId: auth.clientId,
    label: `service principal ${sp.displayName}`,
  };
}

/** True when `identity` lists the user-assigned identity `uamiId`. */
export function hasUami(identity: Record<string, unknown> | undefined, uamiId: string): boolean {
  const users = (identity?.userAssignedIdentities ?? {}) as Record<string, unknown>;
  return Object.keys(users).some((id) => sameId(id, uamiId));
}

/** True when the identity block has a system-assigned identity with a principal. */
export function hasSystem(identity: Record<string, unknown> | undefined): boolean {
  const types = String(identity?.type ?? 'None').toLowerCase();
  return types.includes('systemassigned') && typeof identity?.principalId === 'string';
}
