/**
 * Before the first write, every identity the plan names is read: the user-assigned identity of
 * `--user-identity client-id=`, the service principal of `--service-principal client-id=`, MySQL's
 * server identity (`mysql-identity-id=`) and the signed-in principal the plan makes an Entra admin.
 * One that does not exist stops the run at plan time with exit 2 naming it, instead of being found
 * by a step after other changes were made (and rolled back).
 *
 * Only "not there" stops the run: when Azure or Graph will not say (no right to read, a network
 * error), the steps meet the same question later and report it as they do.
 */

import { readGraph } from '../azure/arm-calls.ts';
import { ArmOperationError } from '../azure/arm-lro.ts';
import { readUserAssignedIdentity } from '../azure/user-assigned-identities.ts';
import { commandLine } from '../core/command-line.ts';
import type { Services } from '../core/services.ts';
import { UsageError } from '../core/usage-error.ts';

import { lookupServicePrincipal, lookupUami } from './app/identities.ts';
import type { SetupInput } from './input.ts';

/** What one read found: known, unknown (with what to tell the user), or not readable (skipped). */
type Finding = { known: true } | { known: false; problem: string; hint: string } | { skipped: string };

/** True for Graph's or ARM's "there is no such thing" (as opposed to "you may not look"). */
function notFound(error: unknown): boolean {
  return error instanceof ArmOperationError && error.status === 404;
}

/** A read that could not be made is skipped: the steps meet it again and say why. */
async function readOrSkip(read: () => Promise<Finding>): Promise<Finding> {
  try {
    return await read();
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
}

async function userIdentity(
  services: Services,
  input: SetupInput,
  clientId: string,
  subscriptionId: string | undefined,
  signal: AbortSignal,
): Promise<Finding> {
  const found = await lookupUami(services, input, clientId, subscriptionId, signal);
  if (found) return { known: true };
  const subscription = subscriptionId ?? input.app.subscriptionId;
  return {
    known: false,
    problem: `--user-identity client-id=${clientId}: no user-assigned identity has this client id in subscription ${subscription}.`,
    hint: `List them with: ${commandLine(['az', 'identity', 'list', '--subscription', subscription, '--query', '[].{name:name, clientId:clientId}', '-o', 'table'])}`,
  };
}

async function servicePrincipal(services: Services, clientId: string, signal: AbortSignal): Promise<Finding> {
  const found = await lookupServicePrincipal(services, clientId, signal);
  if (found) return { known: true };
  return {
    known: false,
    problem: `--service-principal client-id=${clientId}: no service principal of this application id is in the tenant.`,
    hint: `Check the application (client) id: ${commandLine(['az', 'ad', 'sp', 'show', '--id', clientId])}`,
  };
}

async function serverIdentity(services: Services, id: string, signal: AbortSignal): Promise<Finding> {
  if (await readUserAssignedIdentity(services, id, `reading the identity ${id}`, signal))
    return { known: true };
  return {
    known: false,
    problem: `mysql-identity-id=${id}: no such user-assigned identity.`,
    hint: `Find its id with: ${commandLine(['az', 'identity', 'show', '-g', '<group>', '-n', '<name>', '--query', 'id'])}`,
  };
}

/** The signed-in principal the plan makes an Entra admin: a person, or an app (service principal, managed identity). */
async function adminPrincipal(services: Services, input: SetupInput, signal: AbortSignal): Promise<Finding> {
  const { signedIn } = input;
  const collection = signedIn.type === 'user' ? 'users' : 'servicePrincipals';
  try {
    await readGraph(
      services,
      `v1.0/${collection}/${encodeURIComponent(signedIn.objectId)}?$select=id`,
      `looking up ${signedIn.user}`,
      signal,
    );
    return { known: true };
  } catch (error) {
    if (!notFound(error)) throw error;
    return {
      known: false,
      problem: `the signed-in ${signedIn.type === 'user' ? 'user' : 'service principal'} ${signedIn.user} (object id ${signedIn.objectId}), whom the plan makes an Entra admin, is not in the tenant's directory.`,
      hint: 'Sign in to the tenant of the server (az login --tenant <tenant id>) and run setup again.',
    };
  }
}

/**
 * Reads the identities the plan names and throws a `UsageError` (exit 2) naming every one that does
 * not exist. Nothing has been written when it throws.
 */
export async function checkPlanIdentities(
  input: SetupInput,
  /** User-assigned identities the kind's own steps name (MySQL's server identity), by ARM id. */
  namedIdentities: readonly string[],
  services: Services,
  signal: AbortSignal,
): Promise<void> {
  const { auth } = input;
  const reads: Promise<Finding>[] = [];
  const read = (finding: () => Promise<Finding>) => reads.push(readOrSkip(finding));
  if (auth.kind === 'user')
    read(() => userIdentity(services, input, auth.clientId, auth.subscriptionId, signal));
  if (auth.kind === 'sp') read(() => servicePrincipal(services, auth.clientId, signal));
  for (const id of namedIdentities) read(() => serverIdentity(services, id, signal));
  read(() => adminPrincipal(services, input, signal));
  const unknown = (await Promise.all(reads)).filter(
    (finding): finding is Extract<Finding, { known: false }> => 'known' in finding && !finding.known,
  );
  if (unknown.length === 0) return;
  throw new UsageError(
    `Setup stopped before changing anything: ${unknown.map((finding) => finding.problem).join(' ')}`,
    unknown.map((finding) => finding.hint),
  );
}
