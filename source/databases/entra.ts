/**
 * The doctor's `entra-config` check, shared by the kinds: who is asking, and the pieces every kind's
 * reading of its Entra settings uses. Each kind's own reading is `<kind>/entra-config.ts`: PostgreSQL's
 * `authConfig` and its admins; MySQL's single admin and the server identity's Graph app roles; Azure
 * SQL's admin, Entra-only flag and server identity.
 */
import { type ArmResponse, armError } from '../azure/arm.ts';
import type { CallerGroups } from '../azure/caller-groups.ts';
import type { CheckContext, CheckResult } from '../core/types.ts';
import type { ServerFacts } from './facts.ts';

/**
 * Who is asking, from the sign-in (never the token). An app (service principal or managed identity)
 * is one everywhere: PostgreSQL admin type ServicePrincipal, SQL admin `sid` = its client id, Graph
 * groups through `servicePrincipals/{id}`.
 */
export interface Caller {
  objectId: string | undefined;
  /** The sign-in name: a person's UPN, an app's client id. */
  name: string;
  /** How the caller reads in a sentence: `dana@contoso.com`, `the managed identity <client id>`. */
  label: string;
  isApp: boolean;
  appId: string | undefined;
}

/** The caller from the sign-in state. */
export function callerOf(
  signIn: Awaited<ReturnType<CheckContext<unknown>['services']['azure']['signIn']>>,
): Caller {
  if (!signIn.ok) return { objectId: undefined, name: 'you', label: 'you', isApp: false, appId: undefined };
  const { identity } = signIn;
  const managed = identity.userType === 'managedIdentity' || signIn.credential === 'managed-identity';
  const isApp = managed || identity.userType === 'servicePrincipal';
  const name = identity.user ?? identity.appId ?? 'you';
  return {
    objectId: identity.objectId,
    name,
    label: isApp ? `the ${managed ? 'managed identity' : 'service principal'} ${name}` : name,
    isApp,
    appId: identity.appId,
  };
}

/** Who is made an Entra admin, for the commands a remedy prints (a placeholder when unknown). */
export interface AdminCaller {
  name: string;
  objectId?: string | null | undefined;
  /**
   * A service principal or managed identity: a ServicePrincipal admin to PostgreSQL, named by its
   * client id (`appId`) to Azure SQL.
   */
  isApp?: boolean;
  appId?: string | undefined;
}

/** What a command names when the caller's object id is not known. */
export const OBJECT_ID_PLACEHOLDER = '<your-object-id>';

/**
 * What `entra-config` publishes as its outcome's `data` (setup and the database-user check read it),
 * whatever the kind: each kind fills in what it has.
 */
export type EntraFacts = {
  /** PostgreSQL: whether Entra authentication and password authentication are on. */
  entraAuth?: boolean;
  passwordAuth?: boolean;
  /** PostgreSQL's admins (several). */
  admins?: { objectId: string; principalName: string; principalType: string }[];
  /** MySQL's and Azure SQL's single admin; null when there is none. */
  admin?: { login: string; sid: string } | null;
  entraOnly?: boolean | null;
  /** The name setup logs in with, when the caller is an admin (its own entry's, or its group's). */
  login?: string | null;
  loginVia?: 'direct' | 'group' | null;
  /** MySQL: the server's identities, and the Graph roles the one it uses lacks. */
  identities?: string[];
  graphRoles?: { identity: string; missing: string[] } | null;
  /** Azure SQL: the admin's kind, and the server identity an app's CREATE USER goes through. */
  adminType?: string | null;
  serverIdentity?: { principalId: string | null; graph: string } | null;
};

/** A kind's reading of its Entra settings, for the caller (the doctor's `entra-config`). */
export type EntraCheck = (
  ctx: CheckContext<unknown>,
  server: ServerFacts,
  caller: Caller,
) => Promise<CheckResult>;

/** A read that Azure refused or could not answer: the check fails, blocking when it was a 403. */
export function unreadable(what: string, response: ArmResponse): CheckResult {
  const error = armError(response.body);
  return {
    status: 'fail',
    message: `cannot read ${what} (${response.status}${error ? ` ${error.code}` : ''})`,
    details: error ? [error.message] : [],
    remediation: {
      summary:
        response.status === 403
          ? 'Ask for at least Reader on the server to see its Entra settings.'
          : 'Try again; if it persists, the request id helps Azure support.',
      commands: [],
      fixable: false,
    },
    blocking: response.status === 403,
  };
}

/** Entra ids compare without case. */
export const sameId = (a: string | undefined | null, b: string | undefined | null) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** What the caller's group memberships showed, when they were looked up. */
export function groupLines(groups: CallerGroups | undefined): string[] {
  if (!groups) return [];
  if (!groups.ok) return [`cannot verify your group memberships: ${groups.reason}`];
  return [
    groups.groups.length === 0
      ? 'you are in no Entra group'
      : `your groups: ${groups.groups.map((g) => g.displayName).join(', ')} (none of them is an admin)`,
  ];
}

/** The `value` array of a list answer (empty when there is none). */
export function listOf(body: unknown): Record<string, unknown>[] {
  const value = (body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}
