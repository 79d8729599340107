/**
 * `database-user` for Azure SQL: log in to the app's database with the signed-in account's Entra
 * token for the SQL audience (TLS verified against the server's Azure name) and find the contained
 * user mapped to the app's identity by the client id Azure keeps in its `sid`, with what it may do.
 */
import { graphGet } from '../azure/arm.ts';
import type { CheckContext, CheckResult } from '../core/types.ts';
import { servicePrincipalsOf } from './app-service-principal.ts';
import { probeSql } from './database-probe-sql.ts';
import type { AppFacts, ServerFacts } from './facts.ts';
import { loginAddress } from './login-address.ts';
import { SqlServerError } from './sql-session.ts';

const CONNECT_TIMEOUT_MS = 10_000;

export async function sqlDatabaseUser(
  ctx: CheckContext,
  server: ServerFacts,
  app: AppFacts,
): Promise<CheckResult> {
  const database = server.database?.name;
  if (!database)
    return {
      status: 'skip',
      message: 'needs --database: Azure SQL users live in one database',
    };
  const { azure } = ctx.services;
  const cloud = await azure.cloud(ctx.signal);
  const token = await azure.credential.tryGetToken(cloud.sqlScope, ctx.signal);
  if (!token.ok)
    return {
      status: 'fail',
      message: 'no Azure SQL token for the signed-in account',
      details: [token.diagnosis.message],
      remediation: token.diagnosis.remediation,
    };
  const clientIds = await clientIdsOf(ctx, app);
  const resolved = await loginAddress(ctx, server);
  if (!resolved.ok)
    return { status: 'fail', message: `cannot log in to ${server.name}`, details: [resolved.message] };
  const address = { host: resolved.host, port: resolved.port };
  const via = resolved.via ? [`connected through ${address.host}:${address.port} (${resolved.via})`] : [];
  try {
    const finding = await probeSql(
      {
        ...address,
        fqdn: server.fqdn,
        database,
        token: token.token.token,
        ca: azure.tls?.ca,
        timeoutMs: CONNECT_TIMEOUT_MS,
        signal: ctx.signal,
      },
      { appName: app.name, clientIds, database },
    );
    return {
      status: finding.status,
      message: finding.message,
      details: [...finding.details, ...via],
      ...(finding.status === 'pass'
        ? {}
        : {
            remediation: {
              summary: finding.fixable
                ? "Setup creates the app's database user and adds it to db_datareader, db_datawriter and db_ddladmin."
                : 'Ask the database owner to check the user.',
              commands: [],
              fixable: finding.fixable,
            },
          }),
    };
  } catch (error) {
    return cannotLogIn(error, server.name, via);
  }
}

/**
 * The client ids of what the app connects as: its user-assigned identities' from the facts, the
 * system one's from Graph, and the service principal's `app-settings` found.
 */
async function clientIdsOf(ctx: CheckContext, app: AppFacts): Promise<string[]> {
  const ids = app.userIdentities.map((u) => u.clientId).filter((id): id is string => !!id);
  ids.push(...servicePrincipalsOf(ctx).map((sp) => sp.clientId));
  if (app.systemIdentity) {
    const answer = await graphGet(
      ctx.services.azure,
      `v1.0/servicePrincipals/${encodeURIComponent(app.systemIdentity.principalId)}?$select=appId`,
      ctx.signal,
    ).catch(() => undefined);
    const appId = (answer?.body as { appId?: string } | undefined)?.appId;
    if (answer?.status === 200 && appId) ids.push(appId);
  }
  return ids;
}

function cannotLogIn(error: unknown, server: string, via: string[]): CheckResult {
  const text = error instanceof Error ? error.message : String(error);
  const number = error instanceof SqlServerError ? error.number : undefined;
  const tls = /certificate|self.signed|altnames|CERT_|UNABLE_TO_VERIFY/i.test(text);
  const [message, summary, fixable] =
    number === 40615
      ? [
          `${server}'s firewall refuses this machine`,
          'See the firewall check; setup opens it for its run.',
          true,
        ]
      : number === 18456
        ? [
            `${server} refused the signed-in account's token`,
            'Logging in needs you to be the Entra admin of the server (see entra-config), or a user in the database.',
            true,
          ]
        : number === 47073
          ? [`${server} refuses connections over its public endpoint`, 'See the network-path check.', false]
          : tls
            ? [
                `${server}'s TLS certificate was not accepted`,
                'The certificate must be valid for the server name; a proxy that intercepts TLS needs its CA in NODE_EXTRA_CA_CERTS.',
                false,
              ]
            : [`cannot log in to ${server}`, 'Check the server is reachable (see network-path).', false];
  return {
    status: 'fail',
    message,
    details: [text, ...via],
    remediation: { summary, commands: [], fixable },
  };
}
