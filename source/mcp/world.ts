/**
 * The digest a plan handle is bound to: the plan (every step as the plan screen shows it) and the
 * world it was read from (what the doctor found about the server, the app, the signed-in principal,
 * this machine's address and every check's verdict). `apply` reads the world again and refuses when
 * the digest differs: a plan the person agreed to is never applied to a world it was not made for.
 *
 * Only what describes Azure and this machine goes in: check durations and messages (which say "in 59
 * minutes") do not, so the same world gives the same digest a minute later.
 */
import { createHash } from 'node:crypto';
import type { CheckOutcome } from '../core/types.ts';
import type { PlannedStepView } from '../setup/engine-events.ts';
import { factsFromDoctor, mysqlAdminOf } from '../setup/facts-from-doctor.ts';

/** The signed-in principal a handle is bound to (object id and tenant; never a token). */
export interface Principal {
  objectId: string;
  tenantId: string | null;
}

/** The principal the doctor found signed in, or undefined when nobody is. */
export function principalOf(doctor: readonly CheckOutcome[]): Principal | undefined {
  const signedIn = factsFromDoctor(doctor).signedIn;
  return signedIn ? { objectId: signedIn.objectId, tenantId: signedIn.tenantId ?? null } : undefined;
}

/** What of the world a plan depends on, as plain data (stable order, no timings). */
export function worldOf(doctor: readonly CheckOutcome[]): unknown {
  const facts = factsFromDoctor(doctor);
  return {
    checks: doctor.map((outcome) => [outcome.id, outcome.status, outcome.blocking]),
    server: facts.server,
    app: facts.app,
    signedIn: facts.signedIn,
    networkPath: facts.networkPath ?? null,
    entraAuthEnabled: facts.entraAuthEnabled ?? null,
    publicIp: facts.publicIp ?? null,
    unreachable: facts.unreachable,
    mysqlAdmin: mysqlAdminOf(doctor) ?? null,
  };
}

/** The plan's steps as the digest sees them. */
function planOf(steps: readonly PlannedStepView[]): unknown {
  return steps.map((step) => ({
    id: step.id,
    title: step.title,
    resource: step.resource,
    after: step.after,
    lines: step.lines,
    consent: step.consent,
    alreadyDone: step.alreadyDone ?? null,
    readOnly: step.readOnly === true,
  }));
}

/** SHA-256 (hex) of the request, the plan and the world, over JSON with sorted keys. */
export function planDigest(
  request: readonly string[],
  steps: readonly PlannedStepView[],
  doctor: readonly CheckOutcome[],
): string {
  return digestOf({ request, plan: planOf(steps), world: worldOf(doctor) });
}

/** SHA-256 (hex) of any plain value, over JSON with object keys sorted. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** JSON with every object's keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    return Object.fromEntries(
      Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}
