/**
 * `app-settings`: the settings Service Connector writes for the database (`AZURE_POSTGRESQL_*`,
 * `AZURE_MYSQL_*`, `AZURE_SQL_*`, `spring.datasource.*`) are there and point at this server, port and
 * database, and a user-assigned client id names an identity the app has. Values that may be secrets
 * are never shown: only their names.
 */
import type { CheckResult } from '../core/types.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import type { ServerFacts } from '../databases/facts.ts';
import {
  databaseUserOf,
  linkerRegistration,
  REGISTER_ACTION,
  readSettings,
  SERVICE_LINKER,
  type Setting,
} from './app-settings-read.ts';
import type { DoctorCheck } from './check.ts';
import { endpointOf } from './connection-string.ts';
import type { AppFacts } from './facts.ts';
import { published } from './facts.ts';
import { appFactsOf, serverFactsOf } from './facts-of.ts';
import { providerRegisterCommand } from './remedy-commands.ts';

export { databaseUserOf, looksSecret, type Setting } from './app-settings-read.ts';

interface Problem {
  key: string;
  is: string;
  shouldBe: string;
}

export const appSettingsCheck: DoctorCheck = {
  id: 'app-settings',
  title: 'App settings',
  needs: ['app-identity', 'server'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const app = appFactsOf(ctx);
    const server = serverFactsOf(ctx);
    if (!app || !server) return { status: 'skip', message: 'needs both an app and a server' };
    if (app.kind === 'spring')
      return { status: 'skip', message: 'Spring apps keep settings in their deployments: not read yet' };

    const [read, linker] = await Promise.all([readSettings(ctx, app), linkerRegistration(ctx, app)]);
    if (!read.ok) return read.result;
    const prefix = `${descriptorOf(server.kind).settingPrefix}_`;
    const relevant = read.settings.filter(
      (s) => s.name.toUpperCase().startsWith(prefix) || s.name.toLowerCase().startsWith('spring.datasource.'),
    );
    const hidden = relevant.filter((s) => s.secret).map((s) => s.name);
    const shown = relevant.map((s) => (s.secret ? `${s.name} (value hidden)` : `${s.name}=${s.value}`));
    const data = published('app-settings', {
      keys: relevant.map((s) => s.name),
      hidden,
      user: databaseUserOf(relevant),
    });

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
    const agreeing = groups.filter((group) => consistency(group.settings, server, app).length === 0);
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
            ? consistency(ownGroup.settings, server, app).map(
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
        data: published('app-settings', { ...data, connection: suffixed.connection }),
      };
    }
    const problems = consistency((ownGroup ?? groups[0]!).settings, server, app);
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
      details: shown,
      data,
    };
  },
};

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
function consistency(settings: Setting[], server: ServerFacts, app: AppFacts): Problem[] {
  const problems: Problem[] = [];
  const database = server.database?.name;
  const clientIds = app.userIdentities.map((u) => u.clientId?.toLowerCase()).filter(Boolean);
  const check = (key: string, is: string | number | undefined, shouldBe: string | number | undefined) => {
    if (is === undefined || shouldBe === undefined) return;
    if (String(is).toLowerCase() !== String(shouldBe).toLowerCase())
      problems.push({ key, is: String(is), shouldBe: String(shouldBe) });
  };
  for (const { name, value } of settings) {
    if (value === undefined) continue;
    const prefix = `${descriptorOf(server.kind).settingPrefix}_`;
    const suffix = name.toUpperCase().startsWith(prefix) ? settingParts(name, prefix).base : '';
    if (['HOST', 'SERVER'].includes(suffix)) check(name, value, server.fqdn);
    else if (suffix === 'PORT') check(name, value, server.port);
    else if (['DATABASE', 'NAME', 'DBNAME'].includes(suffix)) check(name, value, database);
    else if (suffix === 'CLIENTID') {
      if (!clientIds.includes(value.toLowerCase()))
        problems.push({
          key: name,
          is: value,
          shouldBe:
            clientIds.length > 0
              ? `the client id of a user-assigned identity of ${app.name} (${clientIds.join(', ')})`
              : `the client id of a user-assigned identity attached to ${app.name} (it has none)`,
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
