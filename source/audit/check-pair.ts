/**
 * One pair checked with the doctor's own target checks (server, Entra configuration, app identity, app
 * settings; with `--check-user` also the network path and firewall from here and the database user)
 * plus the audit's findings, through the same runner as the doctor. Each check reads through a view
 * of the run's session whose transport records what Azure refused to that check alone, so a check
 * that could not look is told apart from one that found a fault.
 */
import type { AzureSession } from '../azure/session.ts';
import type { EventBus } from '../core/events.ts';
import { runChecks } from '../core/run-checks.ts';
import type { Services } from '../core/services.ts';
import type { CheckOutcome } from '../core/types.ts';
import { appIdentityCheck } from '../doctor/app-identity.ts';
import { appSettingsCheck } from '../doctor/app-settings.ts';
import type { DoctorCheck, DoctorOptions } from '../doctor/check.ts';
import { databaseUserCheck } from '../doctor/database-user.ts';
import { entraConfigCheck } from '../doctor/entra-config.ts';
import { firewallCheck } from '../doctor/firewall.ts';
import { networkPathCheck } from '../doctor/network-path.ts';
import { serverCheck } from '../doctor/server.ts';
import { parseTarget } from '../doctor/target.ts';
import type { FleetReads, ReadScope, Refusal } from './arm-reads.ts';
import type { PairPlan } from './connections.ts';
import { findingChecks } from './findings.ts';
import { setupCommand } from './fix-commands.ts';
import type { AppRow } from './inventory.ts';
import type { AuditBusEvent } from './types.ts';
import { type JudgedCheck, type Verdict, verdictOf } from './verdict.ts';

/** The doctor's target checks the audit runs for every pair. */
const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  serverCheck,
  entraConfigCheck,
  appIdentityCheck,
  appSettingsCheck,
];
/** And with `--check-user`: the path from here, then a login. */
const LOGIN_CHECKS: readonly DoctorCheck[] = [networkPathCheck, firewallCheck, databaseUserCheck];

/** A checked pair. */
export interface PairResult {
  app: AppRow;
  plan: PairPlan;
  verdict: Verdict;
  /** Ids of the checks behind the verdict (the failing ones for `fail`). */
  causes: string[];
  checks: JudgedCheck[];
}

export interface PairRun {
  /** The run's services (their `azure` is the run's session). */
  services: Services;
  reads: FleetReads;
  checkUser: boolean;
  connectTo: DoctorOptions['connectTo'];
  /** The sign-in outcome and the app's subscription outcome the target checks need. */
  previous: CheckOutcome[];
  signal: AbortSignal;
  timeoutMs: number;
}

/** The checks of one pair, in display order. */
export function pairChecks(app: AppRow, plan: PairPlan, checkUser: boolean): DoctorCheck[] {
  return [...DOCTOR_CHECKS, ...(checkUser ? LOGIN_CHECKS : []), ...findingChecks(app, plan)];
}

/**
 * Checks one pair. `appCache` holds the app's own reads (shared by the app's pairs); `bus` gets the
 * doctor's events when someone watches (the interactive detail screen), else a silent one is used.
 */
export async function checkPair(
  app: AppRow,
  plan: PairPlan,
  run: PairRun,
  appCache: Map<string, Promise<import('../azure/arm.ts').ArmResponse>>,
  bus: EventBus<AuditBusEvent>,
): Promise<PairResult> {
  const refusals = new Map<string, Refusal[]>();
  const checks = pairChecks(app, plan, run.checkUser).map((check) =>
    attributed(check, run, { owner: app.key, cache: appCache }, refusals),
  );
  // The pair as the doctor's target flags would name it, parsed as they are (ids Azure gave).
  const parsed = parseTarget({
    sourceId: app.id,
    serverId: plan.database.serverId,
    ...(plan.database.database ? { database: plan.database.database } : {}),
  });
  if (!parsed.ok) throw new Error(`${app.name}: ${parsed.problem.message}`);
  const options: DoctorOptions = {
    verbose: false,
    target: parsed.target,
    ...(run.checkUser ? { checkUser: true } : {}),
    ...(run.connectTo ? { connectTo: run.connectTo } : {}),
  };
  const outcomes = await runChecks(checks, {
    services: run.services,
    options,
    bus,
    signal: run.signal,
    previous: run.previous,
    defaultTimeoutMs: run.timeoutMs,
    // A check slower than this is already reported by the progress line; no per-check notice.
    slowAfterMs: run.timeoutMs,
  });
  const setup = setupCommand(plan.database.kind, app, plan.database.serverId, plan.database.database);
  const judged = outcomes.map((outcome) => ({
    outcome: withSetupLine(outcome, setup),
    refusals: refusals.get(outcome.id) ?? [],
  }));
  return { app, plan, checks: judged, ...verdictOf(judged) };
}

/**
 * Where setup fixes what a check found (`fixable`), the remedy names the exact `sc-doctor setup` line
 * for this pair, so every finding carries a command to run.
 */
function withSetupLine(outcome: CheckOutcome, setup: string): CheckOutcome {
  const remediation = outcome.remediation;
  if (!remediation?.fixable || outcome.status === 'pass' || remediation.commands.includes(setup))
    return outcome;
  return { ...outcome, remediation: { ...remediation, commands: [...remediation.commands, setup] } };
}

/** The check, reading through a session view that records its own refusals. */
function attributed(
  check: DoctorCheck,
  run: PairRun,
  scope: Omit<ReadScope, 'refusals'>,
  refusals: Map<string, Refusal[]>,
): DoctorCheck {
  return {
    ...check,
    run(ctx) {
      const mine: Refusal[] = [];
      refusals.set(check.id, mine);
      const azure: AzureSession = {
        ...run.services.azure,
        reads: run.reads.transport({ ...scope, refusals: mine }),
      };
      return check.run({ ...ctx, services: { ...ctx.services, azure } });
    },
  };
}
