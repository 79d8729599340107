/**
 * `app-settings`: the settings Service Connector writes for the database (`AZURE_POSTGRESQL_*`,
 * `AZURE_MYSQL_*`, `AZURE_SQL_*`, `spring.datasource.*`) are there and point at this server, port and
 * database, and a client id names an identity the app has or the service principal it connects as
 * (app-service-principal.ts). Web apps' settings, a container app's env, and a Spring app's active
 * deployment's environment variables are read alike. Values that may be secrets are never shown:
 * only their names.
 */
import { armError, armGet, armPostRead } from '../azure/arm.ts';
import { listPermissions, missingActions } from '../azure/permissions.ts';
import type { Check, CheckContext, CheckResult } from '../core/types.ts';
import { APP_API_VERSIONS } from './app-identity.ts';
import {
  type AppServicePrincipal,
  appLinkers,
  connectsAsServicePrincipal,
  linkerTargets,
  resolveServicePrincipals,
} from './app-service-principal.ts';
import { endpointOf } from './connection-string.ts';
import type { AppFacts, DatabaseKind, ServerFacts } from './facts.ts';
import { appFactsOf, serverFactsOf } from './facts-of.ts';
import { providerRegisterCommand } from './remedy-commands.ts';

/** The key prefix Service Connector uses per database. */
export const SETTING_PREFIX: Record<DatabaseKind, string> = {
  postgres: 'AZURE_POSTGRESQL_',
  mysql: 'AZURE_MYSQL_',
  sql: 'AZURE_SQL_',
};

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

interface Problem {
  key: string;
  is: string;
  shouldBe: string;
}

export const appSettingsCheck: Check = {
  id: 'app-settings',
  title: 'App settings',
  needs: ['app-identity', 'server'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const app = appFactsOf(ctx);
    const server = serverFactsOf(ctx);
    if (!app || !server) return { status: 'skip', message: 'needs both an app and a server' };

    const [read, linker, linkers] = await Promise.all([
      readSettings(ctx, app),
      linkerRegistration(ctx, app),
      appLinkers(ctx, app),
    ]);
    if (!read.ok) return read.result;
    const prefix = SETTING_PREFIX[server.kind];
    const relevant = read.settings.filter(
      (s) => s.name.toUpperCase().startsWith(prefix) || s.name.toLowerCase().startsWith('spring.datasource.'),
    );
    const hidden = relevant.filter((s) => s.secret).map((s) => s.name);
    const shown = relevant.map((s) => (s.secret ? `${s.name} (value hidden)` : `${s.name}=${s.value}`));
    // A client id that is none of the app's managed identities may be the service principal the
    // app connects as: the settings or its Service Connector connection to this server name it.
    const identityClientIds = new Set(app.userIdentities.map((u) => u.clientId?.toLowerCase()));
    const servicePrincipals = await resolveServicePrincipals(
      ctx,
      [
        ...clientIdsIn(read.settings, server.kind),
        ...(linkers ?? [])
          .filter((l) => connectsAsServicePrincipal(l) && linkerTargets(l, server.id))
          .map((l) => l.clientId!),
      ].filter((id) => !identityClientIds.has(id.toLowerCase())),
    );
    const data = {
      keys: relevant.map((s) => s.name),
      hidden,
      user: databaseUserOf(relevant),
      servicePrincipals,
    };
    const spLines = servicePrincipals.map(
      (sp) =>
        `connects as the service principal ${sp.displayName} (client ${sp.clientId}, object ${sp.objectId})`,
    );

    if (relevant.length === 0) {
      return {
        status: 'warn',
        message: `no ${prefix}* settings on ${app.name}${linker.registered ? '' : ` · ${SERVICE_LINKER} is not registered`}`,
        details: [
          read.settings.length === 0
            ? 'The app has no other settings.'
            : `The app has ${read.settings.length} other setting${read.settings.length === 1 ? '' : 's'}.`,
          ...linker.lines,
        ],
        remediation: {
          summary: linker.registered
            ? `Setup writes the ${prefix}* settings (host, database, user) through Service Connector.`
            : linker.mayRegister === false
              ? `You may not register ${SERVICE_LINKER} (${REGISTER_ACTION} on the subscription, e.g. Contributor): run setup with --no-linker to write the ${prefix}* settings directly, or ask an Owner or Contributor of the subscription to register it.`
              : `Setup registers ${SERVICE_LINKER} in the subscription, then writes the ${prefix}* settings (host, database, user) through Service Connector; or run setup with --no-linker to write them directly.`,
          commands: linker.registered ? [] : [providerRegisterCommand(SERVICE_LINKER)],
          fixable: true,
        },
        data,
      };
    }

    const groups = byConnection(relevant, prefix);
    const ownGroup = groups.find((group) => group.connection === null);
    const consistent = (settings: Setting[]) => consistency(settings, server, app, servicePrincipals);
    const agreeing = groups.filter((group) => consistent(group.settings).length === 0);
    const suffixed = agreeing.find((group) => group.connection !== null);
    if (suffixed && !(ownGroup && agreeing.includes(ownGroup))) {
      // This server's settings carry a connection's name: code reading AZURE_<TYPE>_* does not see them.
      const names = `${prefix}${suffixed.connection}_*`;
      return {
        status: 'warn',
        message: `the settings for ${server.name} are ${names}, not ${prefix}*: code that reads ${prefix}* ${ownGroup ? 'connects elsewhere' : 'finds none'}`,
        details: [
          `Service Connector names a second connection's settings after it (${names}) when the app already has a connection of this type.`,
          ...(ownGroup
            ? consistent(ownGroup.settings).map(
                (p) => `${p.key} is ${p.is}; for ${server.name} it would be ${p.shouldBe}`,
              )
            : []),
          ...shown,
          ...linker.lines,
        ],
        remediation: {
          summary: `Setup registers the connection again with the plain ${prefix}* names (customizedKeys); or make the code read ${names}.`,
          commands: [],
          fixable: true,
        },
        data: { ...data, connection: suffixed.connection },
      };
    }
    const problems = consistent((ownGroup ?? groups[0]!).settings);
    const passwords = relevant.filter((s) => s.password);
    const smell = passwords.length
      ? [
          `${passwords.map((s) => s.name).join(', ')} hold${passwords.length === 1 ? 's' : ''} a password: in a passwordless setup that is a smell (left over, or a secret-based connection).`,
        ]
      : [];
    if (problems.length > 0) {
      return {
        status: 'fail',
        message: problems.map((p) => `${p.key} should be ${p.shouldBe}`).join('; '),
        details: [
          ...problems.map((p) => `${p.key} is ${p.is}; it should be ${p.shouldBe}`),
          ...smell,
          ...shown,
          ...linker.lines,
        ],
        remediation: {
          summary: `Setup rewrites the ${prefix}* settings; or fix ${problems.map((p) => p.key).join(', ')} by hand.`,
          commands: [],
          fixable: true,
        },
        data,
      };
    }
    if (smell.length > 0) {
      return {
        status: 'warn',
        message: `${relevant.length} ${prefix}* settings agree with ${server.name}, but one holds a password`,
        details: [...smell, ...shown],
        remediation: {
          summary: 'Remove the password setting once the app signs in with its managed identity.',
          commands: [],
          fixable: false,
        },
        data,
      };
    }
    return {
      status: 'pass',
      message: `${relevant.length} ${prefix}* settings agree with ${server.name}`,
      details: [...spLines, ...shown],
      data,
    };
  },
};

/** Service Connector's resource provider: a subscription must register it before the first link. */
const SERVICE_LINKER = 'Microsoft.ServiceLinker';
const REGISTER_ACTION = `${SERVICE_LINKER}/register/action`;

/**
 * Whether the app's subscription has registered Service Connector's provider (ARM refuses every link
 * call with 409 MissingSubscriptionRegistration until it has). Unknown counts as registered: the
 * doctor only says what it saw.
 */
async function linkerRegistration(
  ctx: CheckContext,
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
 * The client ids the settings name for the identity that connects: `AZURE_<TYPE>_CLIENTID` (of any
 * connection), Spring's `spring.cloud.azure.credential.client-id`, and for Azure SQL the user
 * settings, which hold a client id (`AZURE_SQL_USER`, `_USERNAME`, Spring's datasource username).
 */
export function clientIdsIn(settings: readonly Setting[], kind: DatabaseKind): string[] {
  const prefix = SETTING_PREFIX[kind];
  const ids: string[] = [];
  for (const { name, value } of settings) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const base = name.toUpperCase().startsWith(prefix) ? settingParts(name, prefix).base : '';
    if (
      base === 'CLIENTID' ||
      lower === 'spring.cloud.azure.credential.client-id' ||
      (kind === 'sql' && (base === 'USER' || base === 'USERNAME' || lower === 'spring.datasource.username'))
    )
      ids.push(value.trim());
  }
  return ids;
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

async function readSettings(ctx: CheckContext, app: AppFacts): Promise<ReadSettings> {
  const { azure } = ctx.services;
  const version = APP_API_VERSIONS[app.kind];
  // Web apps: the documented read action `config/appsettings/list` (a POST); Container Apps: the
  // containers' env in the app itself, where secrets are references without their values; Spring
  // apps: the environment variables of the app's active deployment.
  const response =
    app.kind === 'webapp'
      ? await armPostRead(azure, `${app.id}/config/appsettings/list`, version, ctx.signal)
      : app.kind === 'spring'
        ? await springDeployment(ctx, app)
        : await armGet(azure, app.id, version, ctx.signal);
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
 * A Spring app's active deployment (its environment variables are the app's settings), read as the
 * app names it; the app's own answer when it cannot be read, and a 404 when it has no active one.
 */
async function springDeployment(ctx: CheckContext, app: AppFacts) {
  const { azure } = ctx.services;
  const version = APP_API_VERSIONS.spring;
  const read = await armGet(azure, app.id, version, ctx.signal);
  if (read.status !== 200) return read;
  const active = (read.body as { properties?: { activeDeploymentName?: unknown } } | undefined)?.properties
    ?.activeDeploymentName;
  if (typeof active !== 'string' || !active)
    return {
      ...read,
      status: 404,
      body: { error: { code: 'NoActiveDeployment', message: `${app.name} has no active deployment` } },
    };
  return armGet(azure, `${app.id}/deployments/${active}`, version, ctx.signal);
}

/** The last part of a setting Service Connector writes, after `AZURE_<TYPE>_` and any connection name. */
const BASE_NAMES = [
  'CONNECTIONSTRING',
  'AUTHENTICATIONTYPE',
  'AUTHENTICATION',
  'CLIENTSECRET',
  'CLIENTID',
  'TENANTID',
  'USERNAME',
  'DATABASE',
  'PASSWORD',
  'SSLMODE',
  'DBNAME',
  'SERVER',
  'HOST',
  'PORT',
  'NAME',
  'USER',
  'FLAG',
  'SSL',
];

/** `AZURE_POSTGRESQL_ORDERS_HOST` → connection `ORDERS`, base `HOST`; `AZURE_POSTGRESQL_HOST` → no connection. */
export function settingParts(name: string, prefix: string): { connection: string | null; base: string } {
  const rest = name.toUpperCase().slice(prefix.length);
  if (BASE_NAMES.includes(rest)) return { connection: null, base: rest };
  const base = BASE_NAMES.find((candidate) => rest.endsWith(`_${candidate}`));
  if (!base) return { connection: null, base: rest };
  return { connection: rest.slice(0, -(base.length + 1)), base };
}

/**
 * The settings grouped by the connection that wrote them: the plain `AZURE_<TYPE>_*` (and Spring's
 * `spring.datasource.*`) first, then each `AZURE_<TYPE>_<CONNECTION>_*` of a further connection.
 */
function byConnection(
  settings: Setting[],
  prefix: string,
): { connection: string | null; settings: Setting[] }[] {
  const groups = new Map<string | null, Setting[]>();
  for (const setting of settings) {
    const connection = setting.name.toUpperCase().startsWith(prefix)
      ? settingParts(setting.name, prefix).connection
      : null;
    groups.set(connection, [...(groups.get(connection) ?? []), setting]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? -1 : b === null ? 1 : a.localeCompare(b)))
    .map(([connection, group]) => ({ connection, settings: group }));
}

/** Settings that point somewhere else than the server, port, database or identities the doctor found. */
function consistency(
  settings: Setting[],
  server: ServerFacts,
  app: AppFacts,
  servicePrincipals: readonly AppServicePrincipal[],
): Problem[] {
  const problems: Problem[] = [];
  const database = server.database?.name;
  const clientIds = app.userIdentities.map((u) => u.clientId?.toLowerCase()).filter(Boolean);
  const spClientIds = servicePrincipals.map((sp) => sp.clientId.toLowerCase());
  const check = (key: string, is: string | number | undefined, shouldBe: string | number | undefined) => {
    if (is === undefined || shouldBe === undefined) return;
    if (String(is).toLowerCase() !== String(shouldBe).toLowerCase())
      problems.push({ key, is: String(is), shouldBe: String(shouldBe) });
  };
  for (const { name, value } of settings) {
    if (value === undefined) continue;
    const prefix = SETTING_PREFIX[server.kind];
    const suffix = name.toUpperCase().startsWith(prefix) ? settingParts(name, prefix).base : '';
    if (['HOST', 'SERVER'].includes(suffix)) check(name, value, server.fqdn);
    else if (suffix === 'PORT') check(name, value, server.port);
    else if (['DATABASE', 'NAME', 'DBNAME'].includes(suffix)) check(name, value, database);
    else if (suffix === 'CLIENTID') {
      if (!clientIds.includes(value.toLowerCase()) && !spClientIds.includes(value.toLowerCase()))
        problems.push({
          key: name,
          is: value,
          shouldBe:
            clientIds.length > 0
              ? `the client id of a user-assigned identity of ${app.name} (${clientIds.join(', ')}) or of the service principal it connects as`
              : `the client id of a user-assigned identity attached to ${app.name} (it has none) or of the service principal it connects as`,
        });
    } else if (suffix === 'CONNECTIONSTRING' || name.toLowerCase() === 'spring.datasource.url') {
      const endpoint = endpointOf(value);
      check(`${name} host`, endpoint.host, server.fqdn);
      check(`${name} port`, endpoint.port, endpoint.port === undefined ? undefined : server.port);
      check(`${name} database`, endpoint.database, database);
    }
  }
  return problems;
}
