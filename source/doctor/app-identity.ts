/**
 * `app-identity`: the app exists, which managed identities it has (system-assigned, user-assigned,
 * with principal and client ids) and the subnet its outbound traffic leaves from. Shares an
 * `AppFacts` as `data.app` for the RBAC, app-settings and database-user checks. An app without a
 * managed identity is fine when its Service Connector connections sign in as a service principal.
 */
import { APP_SERVICE_API_VERSION, getWebApp } from '../azure/app-service.ts';
import { armError, armGet } from '../azure/arm.ts';
import { isResourceGroupResourceId } from '../azure/arm-sdk.ts';
import {
  CONTAINER_APPS_API_VERSION,
  getContainerApp,
  getManagedEnvironment,
} from '../azure/container-apps.ts';
import type { AppKind } from '../azure/resource-id.ts';
import { lastSegment } from '../azure/resource-id.ts';
import type { CheckResult } from '../core/types.ts';
import { appLinkers, connectsAsServicePrincipal } from './app-service-principal.ts';
import type { DoctorCheck } from './check.ts';
import type { AppFacts, UserIdentityFacts } from './facts.ts';
import { published } from './facts.ts';
import { appIdentityAssignCommand, appListCommand } from './remedy-commands.ts';
import { APP_TARGET_FLAGS, type AppRef, appRefOf } from './target.ts';

/**
 * Api-versions apps are read and written at (stable versions current SDKs send); a web app's and a
 * container app's are their clients' own (@azure/arm-appservice, @azure/arm-appcontainers), the
 * clients sending every App Service and Container Apps call.
 */
export const APP_API_VERSIONS: Record<AppKind, string> = {
  webapp: APP_SERVICE_API_VERSION,
  containerapp: CONTAINER_APPS_API_VERSION,
  spring: '2023-12-01',
};

const KIND_WORDS: Record<AppKind, string> = {
  webapp: 'web app',
  containerapp: 'container app',
  spring: 'Spring app',
};

export const appIdentityCheck: DoctorCheck = {
  id: 'app-identity',
  title: 'App identity',
  // Not `subscription`: a caller with a role only on a resource group may fail that check and still
  // read the app.
  needs: ['signin'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const { services, options, signal } = ctx;
    const selector = options.target.app;
    if (!selector) return { status: 'skip', message: `no app chosen (${APP_TARGET_FLAGS})` };
    const subscriptionId =
      selector.by === 'id' ? selector.subscriptionId : ((await services.azure.subscription())?.id ?? '');
    if (!subscriptionId) {
      return {
        status: 'fail',
        message: `no subscription to look for ${selector.name} in`,
        remediation: {
          summary: 'Pass --subscription, or name the app by its resource id with --source-id.',
          commands: ['az account list -o table'],
          fixable: false,
        },
      };
    }
    const target = appRefOf(selector, subscriptionId);
    const words = `${KIND_WORDS[target.kind]} ${displayName(target)}`;
    const response =
      target.kind === 'webapp'
        ? await getWebApp(services.azure, target.id, signal)
        : target.kind === 'containerapp'
          ? await getContainerApp(services.azure, target.id, signal)
          : await armGet(services.azure, target.id, APP_API_VERSIONS[target.kind], signal);
    if (response.status === 404) {
      const error = armError(response.body);
      return {
        status: 'fail',
        message: `${words} not found in ${target.resourceGroup}`,
        details: [...(error ? [`${error.code}: ${error.message}`] : []), `Looked for ${target.id}.`],
        remediation: {
          summary: 'Check the app name, its resource group, --target and the subscription.',
          commands: [appListCommand(target)],
          fixable: false,
        },
        blocking: true,
      };
    }
    if (response.status !== 200) {
      const error = armError(response.body);
      return {
        status: 'fail',
        message: `cannot read ${words} (${response.status}${error ? ` ${error.code}` : ''})`,
        details: [
          ...(error ? [error.message] : []),
          ...(response.requestId ? [`request id ${response.requestId}`] : []),
        ],
        remediation: {
          summary:
            response.status === 403
              ? `Ask for at least Reader on ${target.resourceGroup} to look at the app.`
              : 'Try again; if it persists, the request id helps Azure support.',
          commands: [],
          fixable: false,
        },
        blocking: response.status === 403,
      };
    }

    const body = (response.body ?? {}) as AppBody;
    const outbound = await outboundSubnet(ctx, target, body);
    const app: AppFacts = {
      kind: target.kind,
      id: body.id ?? target.id,
      name: body.name ?? target.name,
      subscriptionId: target.subscriptionId,
      resourceGroup: target.resourceGroup,
      location: body.location ?? null,
      systemIdentity: systemIdentityOf(body.identity),
      userIdentities: userIdentitiesOf(body.identity),
      outboundSubnetId: outbound.subnetId,
      ...(target.kind === 'containerapp'
        ? { containers: (body.properties?.template?.containers ?? []).map((c) => String(c.name ?? '')) }
        : {}),
    };
    const details = [
      ...identityLines(app),
      outbound.subnetId
        ? `outbound subnet ${outbound.subnetId}`
        : outbound.known
          ? 'not integrated with a virtual network (outbound traffic leaves from public addresses)'
          : `outbound network unknown: ${outbound.reason}`,
    ];
    const data = published('app-identity', { app });

    if (!app.systemIdentity && app.userIdentities.length === 0) {
      // Only then is it worth a read: an app that connects as a service principal needs no identity.
      const viaSp = ((await appLinkers(ctx, app)) ?? []).filter(connectsAsServicePrincipal);
      if (viaSp.length > 0) {
        const clients = [...new Set(viaSp.map((linker) => linker.clientId))].join(', ');
        return {
          status: 'pass',
          message: `${words} · no managed identity · connects as service principal ${clients}`,
          details: [
            ...details,
            ...viaSp.map(
              (linker) =>
                `Service Connector connection ${linker.name} signs in as the service principal ${linker.clientId}`,
            ),
          ],
          data,
        };
      }
      return {
        status: 'fail',
        message: `${words} has no managed identity`,
        details,
        remediation: {
          summary: 'Setup turns on the system-assigned identity of the app.',
          commands: [appIdentityAssignCommand(target)],
          fixable: true,
        },
        data,
      };
    }
    const parts = [
      app.systemIdentity ? 'system-assigned' : null,
      app.userIdentities.length > 0
        ? `user-assigned ${app.userIdentities.map((u) => lastSegment(u.id)).join(', ')}`
        : null,
    ].filter(Boolean);
    const only = app.systemIdentity ? '' : ' only';
    return { status: 'pass', message: `${words} · ${parts.join(' + ')}${only}`, details, data };
  },
};

interface IdentityBody {
  type?: string;
  principalId?: string;
  tenantId?: string;
  userAssignedIdentities?: Record<string, { principalId?: string; clientId?: string } | null>;
}

interface AppBody {
  id?: string;
  name?: string;
  location?: string;
  identity?: IdentityBody;
  properties?: {
    virtualNetworkSubnetId?: string | null;
    managedEnvironmentId?: string | null;
    template?: { containers?: { name?: string }[] };
  };
}

function systemIdentityOf(identity: IdentityBody | undefined): AppFacts['systemIdentity'] {
  if (!identity || !/systemassigned/i.test(identity.type ?? '') || !identity.principalId) return null;
  return { principalId: identity.principalId, tenantId: identity.tenantId ?? null };
}

function userIdentitiesOf(identity: IdentityBody | undefined): UserIdentityFacts[] {
  if (!identity || !/userassigned/i.test(identity.type ?? '')) return [];
  return Object.entries(identity.userAssignedIdentities ?? {}).map(([id, value]) => ({
    id,
    principalId: value?.principalId ?? null,
    clientId: value?.clientId ?? null,
  }));
}

type Outbound = { subnetId: string | null; known: boolean; reason?: string };

/** Web apps name their subnet; a container app's is its environment's infrastructure subnet. */
async function outboundSubnet(
  ctx: Parameters<DoctorCheck['run']>[0],
  target: AppRef,
  body: AppBody,
): Promise<Outbound> {
  if (target.kind === 'webapp')
    return { subnetId: body.properties?.virtualNetworkSubnetId || null, known: true };
  if (target.kind === 'spring')
    return { subnetId: null, known: false, reason: "Spring apps take the service's network, not read here" };
  const environmentId = body.properties?.managedEnvironmentId;
  if (!environmentId) return { subnetId: null, known: false, reason: 'the app names no environment' };
  // The client takes the id's parts one by one: one of another shape is not read (as REST refused it).
  if (!isResourceGroupResourceId(environmentId))
    return {
      subnetId: null,
      known: false,
      reason: `the app names an environment id of another shape (${environmentId})`,
    };
  const response = await getManagedEnvironment(ctx.services.azure, environmentId, ctx.signal);
  if (response.status !== 200)
    return {
      subnetId: null,
      known: false,
      reason: `environment ${lastSegment(environmentId)} answered ${response.status}`,
    };
  const environment = (response.body ?? {}) as {
    properties?: { vnetConfiguration?: { infrastructureSubnetId?: string | null } | null };
  };
  return { subnetId: environment.properties?.vnetConfiguration?.infrastructureSubnetId || null, known: true };
}

function identityLines(app: AppFacts): string[] {
  const lines: string[] = [];
  if (app.systemIdentity) lines.push(`system-assigned identity: principal ${app.systemIdentity.principalId}`);
  else lines.push('system-assigned identity: off');
  for (const user of app.userIdentities) {
    lines.push(
      `user-assigned ${lastSegment(user.id)}: principal ${user.principalId ?? 'unknown'}, client ${user.clientId ?? 'unknown'}`,
    );
  }
  return lines;
}

function displayName(target: AppRef): string {
  return target.service ? `${target.service}/${target.name}` : target.name;
}
