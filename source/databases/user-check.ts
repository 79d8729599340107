/**
 * The doctor's `database-user` check as each kind makes it: log in as the signed-in account with an
 * Entra token and find the app's database user, whether it is mapped to the app's identity and what
 * it holds. PostgreSQL and MySQL share the login and its failures here (their probes differ); Azure
 * SQL's is `sql/user-check.ts`. The doctor's check (source/doctor/database-user.ts) gives what it knows
 * of the app and where the login goes.
 */
import type { CheckContext, CheckResult } from '../core/types.ts';
import type { DatabaseDescriptor } from './descriptor.ts';
import type { ServerFacts } from './facts.ts';
import type { AppSide, ProbeFinding, ProbeLogin } from './probe.ts';

/** The app as the check knows it: its identities, and the user its settings name. */
export interface AppIdentities {
  name: string;
  /** Object (principal) ids of its identities. */
  objectIds: string[];
  /** The client ids of its identities (Azure SQL keeps them in `sid`); looked up only when asked. */
  clientIds(): Promise<string[]>;
  /** The database user the app settings name, when they name one. */
  settingsUser: string | null;
}

/** What the check gives a kind's user check. */
export interface UserCheckInput {
  server: ServerFacts;
  app: AppIdentities;
  /**
   * Where the login goes (a `--connect-to` mapping, or the address the DNS servers the user named
   * give), and what sent it there; or why it cannot be told.
   */
  address(): Promise<LoginAddress>;
  /** The name the server knows the account of `objectId` by (an Entra admin entry's), when known. */
  loginName(objectId: string | undefined): string | undefined;
}

/** See `UserCheckInput.address`. */
export type LoginAddress =
  | { ok: true; host: string; port: number; via: string | null }
  | { ok: false; message: string };

export type UserCheck = (ctx: CheckContext<unknown>, input: UserCheckInput) => Promise<CheckResult>;

const CONNECT_TIMEOUT_MS = 10_000;

/** The check of a kind that logs in with the OSS RDBMS token (PostgreSQL, MySQL), with its probe. */
export function ossUserCheck(
  kind: Pick<DatabaseDescriptor, 'tokenAudience'>,
  probe: (login: ProbeLogin, app: AppSide) => Promise<ProbeFinding>,
): UserCheck {
  return async (ctx, { server, app, address, loginName }) => {
    const { azure } = ctx.services;
    const [cloud, signIn] = await Promise.all([azure.cloud(), azure.signIn()]);
    const scope = kind.tokenAudience === 'sql' ? cloud.sqlScope : cloud.ossrdbmsScope;
    const token = await azure.credential.tryGetToken(scope, ctx.signal);
    if (!token.ok || !signIn.ok) {
      return {
        status: 'fail',
        message: 'no database token for the signed-in account',
        details: token.ok ? [] : [token.diagnosis.message],
        remediation: token.ok ? undefined : token.diagnosis.remediation,
      };
    }
    const resolved = await address();
    if (!resolved.ok)
      return { status: 'fail', message: `cannot log in to ${server.name}`, details: [resolved.message] };
    const login: ProbeLogin = {
      host: resolved.host,
      port: resolved.port,
      fqdn: server.fqdn,
      user: loginName(signIn.identity.objectId) ?? signIn.identity.user ?? '',
      token: token.token.token,
      ca: azure.tls?.ca,
      timeoutMs: CONNECT_TIMEOUT_MS,
      signal: ctx.signal,
    };
    const appSide: AppSide = {
      appName: app.name,
      objectIds: app.objectIds,
      database: server.database?.name ?? null,
      settingsUser: app.settingsUser,
    };
    const via = resolved.via ? [`connected through ${login.host}:${login.port} (${resolved.via})`] : [];

    try {
      const finding = await probe(login, appSide);
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
  };
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
