/**
 * `app-settings`: the settings Service Connector writes for the database (`AZURE_POSTGRESQL_*`,
 * `AZURE_MYSQL_*`, `AZURE_SQL_*`, `spring.datasource.*`) are there and point at this server, port and
 * database, and a client id names an identity the app has or the service principal it connects as
 * (app-service-principal.ts). Web apps' settings, a container app's env, and a Spring app's active
 * deployment's environment variables are read alike. Values that may be secrets are never shown:
 * only their names.
 */
import type { CheckResult } from '../core/types.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import type { ServerFacts } from '../databases/facts.ts';
import {
  type AppServicePrincipal,
  appLinkers,
  connectsAsServicePrincipal,
  linkerTargets,
  resolveServicePrincipals,
} from './app-service-principal.ts';
import { byConnection, clientIdsIn, settingParts } from './app-setting-names.ts';
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

    const [read, linker, linkers] = await Promise.all([
      readSettings(ctx, app),
      linkerRegistration(ctx, app),
      appLinkers(ctx, app),
    ]);
    if (!read.ok) return read.result;
    const prefix = `${descriptorOf(server.kind).settingPrefix}_`;
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
    const data = published('app-settings', {
      keys: relevant.map((s) => s.name),
      hidden,
      user: databaseUserOf(relevant),
      servicePrincipals,
    });
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
        data: published('app-settings', { ...data, connection: suffixed.connection }),
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
    const prefix = `${descriptorOf(server.kind).settingPrefix}_`;
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
