/**
 * `database-user` (on request, `--check-user`): log in to the database as the signed-in user with an
 * Entra token and confirm the app's database user exists, is mapped to the app's identity (a managed
 * identity, or the service principal `app-settings` found the app connecting as) and holds its
 * grants. Azure SQL logs in with a token for its own audience (see database-user-sql.ts).
 */

import type { Check, CheckResult } from '../core/types.ts';
import { servicePrincipalsOf } from './app-service-principal.ts';
import { type AppSide, type ProbeLogin, probeMysql, probePostgres } from './database-probes.ts';
import { sqlDatabaseUser } from './database-user-sql.ts';
import { appFactsOf, serverFactsOf } from './facts-of.ts';
import { loginAddress } from './login-address.ts';

const CONNECT_TIMEOUT_MS = 10_000;

export const databaseUserCheck: Check = {
  id: 'database-user',
  title: 'Database user',
  needs: ['server', 'app-identity', 'signin'],
  phase: 'target',
  // Both only add facts: an admin's exact login name, the user the settings name and the service
  // principal the app connects as.
  wants: ['entra-config', 'app-settings'],
  timeoutMs: 30_000,
  async run(ctx): Promise<CheckResult> {
    const { services, options } = ctx;
    if (!options.checkUser) return { status: 'skip', message: 'runs with --check-user or after setup' };
    const server = serverFactsOf(ctx);
    const app = appFactsOf(ctx);
    if (!server || !app) return { status: 'skip', message: 'needs both an app and a server' };
    if (server.kind === 'sql') return sqlDatabaseUser(ctx, server, app);

    const { azure } = services;
    const [cloud, signIn] = await Promise.all([azure.cloud(), azure.signIn()]);
    const token = await azure.credential.tryGetToken(cloud.ossrdbmsScope, ctx.signal);
    if (!token.ok || !signIn.ok) {
      return {
        status: 'fail',
        message: 'no database token for the signed-in account',
        details: token.ok ? [] : [token.diagnosis.message],
        remediation: token.ok ? undefined : token.diagnosis.remediation,
      };
    }
    const address = await loginAddress(ctx, server);
    if (!address.ok)
      return { status: 'fail', message: `cannot log in to ${server.name}`, details: [address.message] };
    const login: ProbeLogin = {
      host: address.host,
      port: address.port,
      fqdn: server.fqdn,
      user:
        adminLogin(ctx.outcomeOf('entra-config')?.data, signIn.identity.objectId) ??
        signIn.identity.user ??
        '',
      token: token.token.token,
      ca: azure.tls?.ca,
      timeoutMs: CONNECT_TIMEOUT_MS,
      signal: ctx.signal,
    };
    const appSide: AppSide = {
      appName: app.name,
      objectIds: [
        ...(app.systemIdentity ? [app.systemIdentity.principalId] : []),
        ...app.userIdentities.map((u) => u.principalId).filter((id): id is string => !!id),
        ...servicePrincipalsOf(ctx).map((sp) => sp.objectId),
      ],
      database: server.database?.name ?? null,
      settingsUser: (ctx.outcomeOf('app-settings')?.data.user as string | null | undefined) ?? null,
    };
    const via = address.via ? [`connected through ${login.host}:${login.port} (${address.via})`] : [];

    try {
      const finding =
        server.kind === 'postgres' ? await probePostgres(login, appSide) : await probeMysql(login, appSide);
      return {
        status: finding.status,
        message: finding.message,
        details: [...finding.details, `logged in as ${login.user}`, ...via],
        ...(finding.status === 'pass'
          ? {}
          : {
              remediation: {
                summary: finding.remedy
                  ? finding.remedy
                  : finding.fixable
                    ? "Setup creates the app's database user and grants it the database."
                    : 'Ask the database owner to check the user.',
                commands: [],
                fixable: finding.fixable,
              },
            }),
        data: { user: login.user },
      };
    } catch (error) {
      return cannotLogIn(error, login, server.name, via);
    }
  },
};

/** The login name the server knows the caller by, when the Entra admins name it (B2B guests differ). */
function adminLogin(
  data: Record<string, unknown> | undefined,
  objectId: string | undefined,
): string | undefined {
  if (!data) return undefined;
  // entra-config names the login when the caller is an admin (a group admin's members log in as the group).
  if (typeof data.login === 'string' && data.login) return data.login;
  if (!objectId) return undefined;
  const admins = (data.admins ?? []) as { objectId?: string; principalName?: string }[];
  const match = admins.find((a) => a.objectId?.toLowerCase() === objectId.toLowerCase());
  if (match?.principalName) return match.principalName;
  const admin = data.admin as { sid?: string; login?: string } | null | undefined;
  return admin?.sid?.toLowerCase() === objectId.toLowerCase() ? admin.login : undefined;
}

function cannotLogIn(error: unknown, login: ProbeLogin, server: string, via: string[]): CheckResult {
  // Driver messages carry the server's words (never the token, which is only sent, not echoed).
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const network = /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|timeout/i.test(`${code} ${text}`);
  const auth = /password authentication failed|access denied|28000|28P01|ER_ACCESS_DENIED/i.test(
    `${code} ${text}`,
  );
  const tls = /certificate|self.signed|altnames|CERT_|UNABLE_TO_VERIFY/i.test(`${code} ${text}`);
  // Azure's firewall refusal names the address it saw: PostgreSQL's pg_hba text (SQLSTATE 28000,
  // like a bad token, so it must be told apart first), MySQL's error 9000, Azure SQL's 40615.
  const walled =
    /no pg_hba\.conf entry for host "([^"]+)"/.exec(text) ??
    /Client with IP address '([^']+)' is not allowed/i.exec(text);
  if (walled) {
    return {
      status: 'fail',
      message: `${server} refused this machine's address ${walled[1]}`,
      details: [text, ...via],
      remediation: {
        summary:
          'No firewall rule covers that address, or public access is off: see the firewall and network-path checks (setup adds a temporary rule; with public access off, connect from inside the network through --connect-to).',
        commands: [],
        fixable: false,
      },
    };
  }
  return {
    status: 'fail',
    message: network
      ? `cannot reach ${server} from this machine`
      : tls
        ? `${server}'s TLS certificate was not accepted for ${login.fqdn}`
        : auth
          ? `${server} refused ${login.user}'s token`
          : `cannot log in to ${server}`,
    details: [text, ...via],
    remediation: {
      summary: network
        ? 'See the network-path and firewall checks; a tunnel can be used through --connect-to.'
        : tls
          ? 'The certificate must be valid for the server name; a proxy that intercepts TLS needs its CA in NODE_EXTRA_CA_CERTS.'
          : auth
            ? 'Log in needs you to be an Entra admin of the server (see entra-config); setup adds you.'
            : 'Check the server is running and reachable.',
      commands: [],
      fixable: auth,
    },
  };
}
