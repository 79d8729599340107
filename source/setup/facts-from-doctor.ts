/**
 * What setup learns from the doctor it runs first: the server, the app, who is signed in, this
 * machine's public IP, whether the server is reachable from here, and which failures stop it.
 */
import type { CheckOutcome } from '../core/types.ts';
import type { ServerFacts } from '../databases/facts.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { AppFacts } from '../doctor/facts.ts';
import { factsOf } from '../doctor/facts.ts';
import { appFactsOf, serverFactsOf } from '../doctor/facts-of.ts';
import type { NetworkVerdict } from '../doctor/network-probe.ts';

export interface DoctorFacts {
  server: ServerFacts | null;
  app: AppFacts | null;
  signedIn: { objectId: string; user: string; type: 'user' | 'servicePrincipal'; tenantId?: string } | null;
  /** The network-path check's verdict, when it got that far. */
  networkPath: NetworkVerdict | undefined;
  /** The entra-config check saw Entra authentication on (enabling it then needs no consent). */
  entraAuthEnabled: boolean | undefined;
  publicIp: string | undefined;
  /** The server cannot be reached from here: the database step is handed off as a script. */
  unreachable: boolean;
}

/** The outcome of check `id`, or undefined when the doctor did not run it. */
function outcome(outcomes: readonly CheckOutcome[], id: string): CheckOutcome | undefined {
  return outcomes.find((o) => o.id === id);
}

function failed(o: CheckOutcome | undefined): boolean {
  return o !== undefined && (o.status === 'fail' || o.status === 'error' || o.status === 'timeout');
}

/** Reads the shared facts the checks left in their `data`. */
export function factsFromDoctor(outcomes: readonly CheckOutcome[]): DoctorFacts {
  const signin = factsOf(outcomes, 'signin') ?? {};
  const firewall = factsOf(outcomes, 'firewall')?.firewall;
  const network = outcome(outcomes, 'network-path');
  const networkFacts = factsOf(outcomes, 'network-path')?.network;
  const objectId = typeof signin.objectId === 'string' ? signin.objectId : null;
  return {
    server: serverFactsOf(outcomes),
    app: appFactsOf(outcomes),
    signedIn:
      objectId === null
        ? null
        : {
            objectId,
            user: typeof signin.user === 'string' ? signin.user : objectId,
            // An app registration and a managed identity are both service principals to Entra
            // (admin principalType, SQL sid, Graph paths); people and anything unknown are users.
            type:
              signin.userType === 'servicePrincipal' || signin.userType === 'managedIdentity'
                ? 'servicePrincipal'
                : 'user',
            ...(typeof signin.tenantId === 'string' ? { tenantId: signin.tenantId } : {}),
          },
    publicIp: firewall?.publicIp ?? undefined,
    networkPath: networkFacts?.verdict,
    entraAuthEnabled: factsOf(outcomes, 'entra-config')?.entraAuth,
    // Through a tunnel (`via`) the path is the user's to fix; without one, the hand-off does the job.
    unreachable: failed(network) && !networkFacts?.via,
  };
}

/**
 * MySQL's single Entra admin as entra-config saw it: `null` when the server has none, `undefined`
 * when the check did not read it (replacing it then asks consent).
 */
export function mysqlAdminOf(
  outcomes: readonly CheckOutcome[],
): { login: string; sid: string } | null | undefined {
  const entra = factsOf(outcomes, 'entra-config');
  if (!entra || !('admin' in entra)) return undefined;
  const { admin } = entra;
  if (admin === null) return null;
  return typeof admin?.login === 'string' && typeof admin.sid === 'string'
    ? { login: admin.login, sid: admin.sid }
    : undefined;
}

/**
 * The Entra admin entry the signed-in caller is an admin through, as entra-config found it: the name
 * the database knows the caller by (the entry's `principalName` on PostgreSQL, `login` on MySQL,
 * which may differ from the token's: B2B guests, portal-made entries, a group's name for its
 * members) and whether it is the caller's own entry or a group's. Undefined when the caller is no
 * admin yet (setup then makes it one under its sign-in name) or the check did not say.
 */
export function adminLoginOf(
  outcomes: readonly CheckOutcome[],
): { login: string; via: 'direct' | 'group' } | undefined {
  const entra = factsOf(outcomes, 'entra-config');
  const login = entra?.login;
  const via = entra?.loginVia;
  if (typeof login !== 'string' || login === '' || (via !== 'direct' && via !== 'group')) return undefined;
  return { login, via };
}

/**
 * Why setup must not start: every blocking failure, named with what to do. The network path is the
 * exception when no tunnel was given, because the hand-off script covers an unreachable server.
 */
export function blockingReasons(outcomes: readonly CheckOutcome[], facts: DoctorFacts): string[] {
  const reasons: string[] = [];
  for (const o of outcomes) {
    if (!o.blocking || !failed(o)) continue;
    if (o.id === 'network-path' && facts.unreachable) continue;
    const fix = o.remediation ? ` Fix: ${o.remediation.summary}` : '';
    // The exact commands, each on its own line as `commandLine` built it, so it pastes as it is.
    const commands = (o.remediation?.commands ?? []).map((command) => `\n    ${command}`).join('');
    reasons.push(`${o.title} (${o.id}): ${o.message}.${fix}${commands}`);
  }
  return reasons;
}

/**
 * What setup still lacks from the doctor, each with what supplies it: the check that did not get
 * there (fix that first), or the flag that names the thing.
 */
export function missingFacts(
  facts: DoctorFacts,
  database: DatabaseKind | undefined,
  outcomes: readonly CheckOutcome[] = [],
): string[] {
  const missing: string[] = [];
  const notThere = (id: string, what: string, flags: string) => {
    const o = outcome(outcomes, id);
    if (o && o.status !== 'pass' && o.status !== 'warn')
      return `${what} is not known: the ${o.title} check ended ${o.status} (${o.message}); fix that first.`;
    return `no ${what} was found: name it with ${flags}.`;
  };
  if (!facts.signedIn) missing.push(notThere('signin', 'signed-in account', 'az login'));
  if (!facts.server) missing.push(notThere('server', 'database server', '--server or --server-id'));
  else if (database && facts.server.kind !== database)
    missing.push(
      `${facts.server.name} is a ${facts.server.kind} server, not ${database}: run sc-doctor setup ${facts.server.kind}.`,
    );
  if (!facts.app)
    missing.push(
      notThere('app-identity', 'app', '-g/--resource-group, -n/--app and --target, or --source-id'),
    );
  return missing;
}
