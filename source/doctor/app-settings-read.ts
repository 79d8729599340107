/**
 * Reading an app's settings, whatever the platform (a web app's `config/appsettings`, a container
 * app's container env, a Spring app's deployment env), and what they say: the database user, and
 * which values may be secrets (shown by name only, never recorded). Also whether the app's
 * subscription has registered Service Connector.
 */
import { listWebAppSettings } from '../azure/app-service.ts';
import { type ArmResponse, armError, armGet } from '../azure/arm.ts';
import { getContainerApp } from '../azure/container-apps.ts';
import { listPermissions, missingActions } from '../azure/permissions.ts';
import { readActiveSpringDeployment } from '../azure/spring-deployment.ts';
import type { CheckResult } from '../core/types.ts';
import { APP_API_VERSIONS } from './app-identity.ts';
import type { DoctorContext } from './check.ts';
import { endpointOf } from './connection-string.ts';
import type { AppFacts } from './facts.ts';

/** One setting as read. */
export interface Setting {
  name: string;
  /** Undefined for a secret reference (Container Apps never return those values). Never printed when `secret`. */
  value: string | undefined;
  /** Shown by name only. */
  secret: boolean;
  /** Holds a password (by name, by reference name, or `password=` inside). */
  password: boolean;
}

/** Service Connector's resource provider: a subscription must register it before the first link. */
export const SERVICE_LINKER = 'Microsoft.ServiceLinker';
export const REGISTER_ACTION = `${SERVICE_LINKER}/register/action`;

/**
 * Whether the app's subscription has registered Service Connector's provider (ARM refuses every link
 * call with 409 MissingSubscriptionRegistration until it has). Unknown counts as registered: the
 * doctor only says what it saw.
 */
export async function linkerRegistration(
  ctx: DoctorContext,
  app: AppFacts,
): Promise<{ registered: boolean; mayRegister?: boolean | null; lines: string[] }> {
  const subscription = `/subscriptions/${app.subscriptionId}`;
  const path = `${subscription}/providers/${SERVICE_LINKER}`;
  const answer = await armGet(ctx.services.azure, path, '2021-04-01', ctx.signal);
  if (answer.status !== 200) {
    const error = armError(answer.body);
    return {
      registered: true,
      lines: [
        `cannot read whether ${SERVICE_LINKER} is registered (${answer.status}${error ? ` ${error.code}` : ''})`,
      ],
    };
  }
  const state = String((answer.body as { registrationState?: string }).registrationState ?? 'Unknown');
  if (state.toLowerCase() === 'registered') return { registered: true, lines: [] };
  // Registering is a subscription-wide action of its own: Contributor and Owner have it, Reader not.
  const permissions = await listPermissions(ctx.services.azure, subscription, ctx.signal);
  const mayRegister = permissions.ok
    ? missingActions(permissions.entries, [REGISTER_ACTION]).length === 0
    : null;
  return {
    registered: false,
    mayRegister,
    lines: [
      `${SERVICE_LINKER} is ${state} in subscription ${app.subscriptionId}: Service Connector links cannot be made until it is registered.`,
      mayRegister === null
        ? `cannot tell whether you may register it (${REGISTER_ACTION}): your permissions on the subscription could not be read`
        : `you ${mayRegister ? 'may' : 'may not'} register it (${REGISTER_ACTION})`,
    ],
  };
}

/** The database user the settings name (`_USER`, `_USERNAME`, or inside a connection string). */
export function databaseUserOf(settings: readonly Setting[]): string | null {
  for (const { name, value } of settings) {
    if (value === undefined) continue;
    if (/_(USER|USERNAME)$/i.test(name) || name.toLowerCase() === 'spring.datasource.username') return value;
  }
  for (const { name, value } of settings) {
    if (value === undefined) continue;
    if (/CONNECTIONSTRING$/i.test(name) || name.toLowerCase() === 'spring.datasource.url') {
      const user = endpointOf(value).user;
      if (user) return user;
    }
  }
  return null;
}

/**
 * Whether a setting's value may be a secret, by its name or a password inside it: such values are
 * shown by name only and never recorded. `value` undefined is a secret reference.
 */
export function looksSecret(name: string, value: string | undefined): boolean {
  return (
    value === undefined || /password|pwd|secret|token|(^|_)key$/i.test(name) || /password=|pwd=/i.test(value)
  );
}

/**
 * A name that says the value is a password. Not `passwordless`: Service Connector writes
 * `spring.datasource.azure.passwordless-enabled=true` for every Spring Boot passwordless connection.
 */
const PASSWORD_NAME = /password(?!less)|pwd/i;

/** A setting as read; `value` undefined for a secret reference. */
function setting(name: string, value: string | undefined): Setting {
  const password = PASSWORD_NAME.test(name) || /password=|pwd=/i.test(value ?? '');
  return { name, value, secret: looksSecret(name, value), password };
}

type ReadSettings = { ok: true; settings: Setting[] } | { ok: false; result: CheckResult };

export async function readSettings(ctx: DoctorContext, app: AppFacts): Promise<ReadSettings> {
  const { azure } = ctx.services;
  // Web apps: the documented read action `config/appsettings/list` (a POST); Container Apps: the
  // containers' env in the app itself, where secrets are references without their values; Spring
  // apps: the environment variables of the app's active deployment.
  const response =
    app.kind === 'webapp'
      ? await listWebAppSettings(azure, app.id, ctx.signal)
      : app.kind === 'spring'
        ? await springDeployment(ctx, app)
        : await getContainerApp(azure, app.id, ctx.signal);
  if (response.status !== 200) {
    const error = armError(response.body);
    return {
      ok: false,
      // Not being able to look is a gap in the diagnosis, not a fault of the app: a warning.
      result: {
        status: 'warn',
        message: `cannot read the settings of ${app.name} (${response.status}${error ? ` ${error.code}` : ''})`,
        details: error ? [error.message] : [],
        remediation: {
          summary:
            response.status !== 403
              ? 'Try again; if it persists, the request id helps Azure support.'
              : app.kind === 'webapp'
                ? `Ask for Website Contributor (or Contributor) on ${app.name}: reading its settings needs Microsoft.Web/sites/config/list/action.`
                : `Ask for at least Reader on ${app.name} to read its settings.`,
          commands: [],
          fixable: false,
        },
      },
    };
  }
  if (app.kind === 'webapp' || app.kind === 'spring') {
    const body = (response.body ?? {}) as {
      properties?: Record<string, unknown> & { deploymentSettings?: { environmentVariables?: unknown } };
    };
    const properties = (
      app.kind === 'webapp'
        ? (body.properties ?? {})
        : (body.properties?.deploymentSettings?.environmentVariables ?? {})
    ) as Record<string, unknown>;
    return {
      ok: true,
      settings: Object.entries(properties).map(([name, raw]) => setting(name, String(raw ?? ''))),
    };
  }
  const containers =
    ((response.body as { properties?: { template?: { containers?: unknown } } })?.properties?.template
      ?.containers as { env?: { name?: string; value?: string; secretRef?: string }[] }[] | undefined) ?? [];
  const settings: Setting[] = [];
  for (const container of containers) {
    for (const env of container.env ?? []) {
      if (!env.name) continue;
      const found = setting(env.name, env.secretRef !== undefined ? undefined : env.value);
      // A reference's own name tells a password apart from other secrets.
      if (env.secretRef && PASSWORD_NAME.test(env.secretRef)) found.password = true;
      settings.push(found);
    }
  }
  return { ok: true, settings };
}

/**
 * A Spring app's active deployment (its environment variables are the app's settings), found among
 * the app's deployments (source/azure/spring-deployment.ts); Azure's answer when they cannot be read,
 * and a 404 when none is active.
 */
async function springDeployment(ctx: DoctorContext, app: AppFacts): Promise<ArmResponse> {
  const found = await readActiveSpringDeployment(
    ctx.services.azure,
    app.id,
    APP_API_VERSIONS.spring,
    ctx.signal,
  );
  if (found.kind === 'refused') return found.response;
  if (found.kind === 'none')
    return {
      status: 404,
      body: { error: { code: 'NoActiveDeployment', message: `${app.name} has no active deployment` } },
      requestId: undefined,
    };
  return { status: 200, body: found.deployment.body, requestId: undefined };
}
