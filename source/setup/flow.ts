/**
 * The setup flow behind `session.setup()`: doctor first, then the facts it found, the questions
 * still open (auth type, client type, secret), the plan, the user's yes, and the engine run with
 * Ctrl-C wired to its rollback. Every engine event goes onto the session's bus unchanged.
 */

import { settleArmWrite } from '../azure/arm-write.ts';
import { nameProblem, nameWhat } from '../azure/resource-id.ts';
import type { Emitter } from '../core/events.ts';
import type { Prompter } from '../core/prompter.ts';
import type { Services } from '../core/services.ts';
import type { CheckOutcome } from '../core/types.ts';
import { UsageError } from '../core/usage-error.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import type { Interrupts } from '../engine/interrupts.ts';
import type { Journal } from '../engine/journal.ts';
import { planSteps } from '../engine/plan.ts';
import { RunLockedError } from '../engine/run-lock.ts';
import { runSetup } from '../engine/run-setup.ts';
import type { Step, StepUndoer } from '../engine/step.ts';
import type { IdentityLister } from './app/identity-listing.ts';
import {
  askAuth,
  askClientType,
  chooseContainer,
  type UserIdentityChoice,
  withClientSecret,
} from './asks.ts';
import type { SetupFlowEvent } from './events.ts';
import { adminLoginOf, blockingReasons, factsFromDoctor, missingFacts } from './facts-from-doctor.ts';
import { authWords, type SetupConnection, type SetupOutcome, type SetupRequest } from './flow-types.ts';
import { SETUP_FLOWS } from './flows.ts';
import type { SetupInput } from './input.ts';
import { offerUnfinished } from './offer-unfinished.ts';
import { checkPlanIdentities } from './plan-identities.ts';
import { PLAN_QUESTION_ID } from './plan-question.ts';
import { assertSameTarget, resumableRun, resumeCommandOf } from './resume.ts';
import { undoersForRun } from './undoers-for.ts';

/** What a flow sees of its session. */
export interface SetupFlowContext {
  doctor(): Promise<CheckOutcome[]>;
  /** Where the flow's events and the engine's go. */
  bus: Emitter<SetupFlowEvent>;
  services: Services;
  prompter: Prompter;
  options: DoctorOptions;
}

export interface SetupFlowDeps {
  request: SetupRequest;
  journal: Journal;
  /** Ctrl-C and SIGTERM, counted: the first rolls back, the second stops waiting. */
  interrupts: Interrupts;
  /** The steps for this input; the request's database's flow by default (tests pass fakes). */
  buildSteps?: (input: SetupInput, services: Services) => Step[];
  /** The undo side of the steps, for undoing an unfinished earlier run. */
  undoers?: (services: Services) => StepUndoer[];
  /** The folder whose project files suggest the client type, and where a hand-off script goes. */
  cwd?: string;
  /** The user-assigned identities of the subscription, for the picker (interactive). */
  listUserIdentities?: (services: Services, signal: AbortSignal) => Promise<UserIdentityChoice[]>;
  /** The subscription's user-assigned identities, for a kind that asks for one (ARM by default). */
  listServerIdentities?: IdentityLister;
}

/** A setup flow as the session runs it: it gets the session's doctor, bus, services and prompter. */
export type SetupFlow = (ctx: SetupFlowContext) => Promise<SetupOutcome>;

/** Builds the flow a session runs as `setup()`. */
export function setupFlow(deps: SetupFlowDeps): SetupFlow {
  return async (ctx: SetupFlowContext): Promise<SetupOutcome> => {
    const { bus, services, prompter } = ctx;
    const { request, journal, interrupts } = deps;
    const signal = interrupts.signal;
    // Checked before the doctor runs: a wrong run id should not cost a minute of checks.
    const resumed = request.resume
      ? await resumableRun(journal, request.resume, request.database)
      : undefined;
    const undone = await offerUnfinished({
      journal,
      bus,
      prompter,
      undoers: (run) =>
        deps.undoers ? deps.undoers(services) : undoersForRun(run, services, ctx.options.connectTo),
      signal,
      stopSignal: interrupts.stopSignal,
      settleWrite: (write, undo) => settleArmWrite(services, write, undo),
      ...(resumed ? { resuming: resumed.runId } : {}),
    });

    const doctor = await ctx.doctor();
    const facts = factsFromDoctor(doctor);
    const kind = request.database ?? facts.server?.kind;
    const reasons = [...blockingReasons(doctor, facts), ...missingFacts(facts, kind, doctor)];
    if (reasons.length > 0 || !kind || signal.aborted) {
      bus.emit({ type: 'setup:refused', reasons });
      return { kind: 'refused', doctor, reasons };
    }
    const server = facts.server!;
    const app = facts.app!;
    if (resumed) assertSameTarget(resumed, server.id);

    const database =
      server.database?.name ??
      ctx.options.target.database ??
      (await prompter.input({ message: `Which database on ${server.name}?`, flag: '--database' }, signal));
    if (!database) return declinedEarly(doctor);
    // A typed name goes into ARM ids (the connection's target): hold it to Azure's rule first.
    const databaseName = descriptorOf(server.kind).names.database;
    const badName = nameProblem(databaseName, database);
    if (badName !== undefined) {
      const why = `'${database}' is not a valid ${nameWhat(databaseName)}: Azure allows ${badName}.`;
      bus.emit({ type: 'setup:refused', reasons: [why] });
      return { kind: 'refused', doctor, reasons: [why] };
    }
    const auth = request.auth ?? (await askAuth(ctx, deps.listUserIdentities, signal));
    if (!auth) return declinedEarly(doctor);
    const clientType = request.clientType ?? (await askClientType(prompter, deps.cwd, signal));
    if (!clientType) return declinedEarly(doctor);
    const flow = SETUP_FLOWS[kind];
    flow.assertChoices?.({ clientType, linker: request.linker });
    const container = await chooseContainer(prompter, app, request, signal);
    if (container === null) return declinedEarly(doctor);
    const asked = flow.ask
      ? await flow.ask({
          server,
          request,
          prompter,
          services,
          signal,
          ...(deps.listServerIdentities ? { listIdentities: deps.listServerIdentities } : {}),
        })
      : {};
    if (asked === null) return declinedEarly(doctor);
    const stepServices =
      auth.kind === 'sp' ? await withClientSecret(services, prompter, auth.clientId, signal) : services;
    if (!stepServices) return declinedEarly(doctor);

    const adminLogin = adminLoginOf(doctor);
    const base: SetupInput = {
      server,
      database,
      app,
      auth,
      clientType,
      ...(request.dbUser ? { dbUser: request.dbUser } : {}),
      linker: request.linker,
      ...(container ? { container } : {}),
      // A kind that knows an admin by its admin entry's name, not the token's (guests, portal-made
      // entries, a group's members), is logged in to with that name (`logsInAsAdminEntry`); Azure
      // SQL reads the token.
      signedIn:
        adminLogin && flow.logsInAsAdminEntry
          ? { ...facts.signedIn!, user: adminLogin.login }
          : facts.signedIn!,
      ...(adminLogin ? { adminLogin } : {}),
      ...(facts.publicIp ? { publicIp: facts.publicIp } : {}),
      ...(ctx.options.connectTo ? { connectTo: ctx.options.connectTo } : {}),
      // Where a hand-off script goes: for someone inside the network, or for the database's owner.
      handOffDir: deps.cwd ?? process.cwd(),
      grants: request.grants,
      ...(facts.networkPath ? { networkPath: facts.networkPath } : {}),
      ...(facts.entraAuthEnabled !== undefined ? { entraAuthEnabled: facts.entraAuthEnabled } : {}),
      ...(ctx.options.settingValues ? { settingValues: ctx.options.settingValues } : {}),
    };
    const input = flow.input(base, asked, doctor);
    // Names Azure or the database would refuse are said before any step exists.
    const problems = flow.problemsOf(input);
    if (problems.length > 0) {
      bus.emit({ type: 'setup:refused', reasons: problems });
      return { kind: 'refused', doctor, reasons: problems };
    }
    // Every identity the plan names is read now: an unknown one stops the run (exit 2) before any write.
    await checkPlanIdentities(input, flow.namedIdentities?.(input) ?? [], stepServices, signal);
    const title = `${app.name} → ${server.name}/${database} · ${authWords(auth)} · client ${clientType}`;
    const steps = (deps.buildSteps ?? flow.steps)(input, stepServices);
    const plan = await planSteps(steps, signal);
    bus.emit({ type: 'setup:plan', title, steps: plan.views, dryRun: request.dryRun });
    if (request.dryRun) return { kind: 'planned', doctor, title, plan: plan.views };

    if (!request.yes) {
      const yes = await prompter.confirm(
        { id: PLAN_QUESTION_ID, message: 'Apply this plan?', flag: '--yes', default: true },
        signal,
      );
      if (yes !== true) return { kind: 'declined', doctor, title, plan: plan.views };
    }
    try {
      const result = await runSetup(plan, {
        journal,
        target: server.id,
        emit: (event) => bus.emit(event),
        confirm: request.yes
          ? async () => true
          : async (consent) =>
              (await prompter.confirm(
                { message: `${consent.title}: ${consent.reason}. Go ahead?`, flag: '--yes', default: false },
                signal,
              )) === true,
        signal,
        stopSignal: interrupts.stopSignal,
        settleWrite: (write, undo) => settleArmWrite(stepServices, write, undo),
        database: kind,
        ...(resumed ? { resumes: resumed.runId } : {}),
      });
      const connection = await connectionOf(input, kind, stepServices, signal);
      const resume =
        result.handedOff.length > 0 ? resumeCommandOf(request.commandLine, kind, result.runId) : undefined;
      return {
        kind: 'ran',
        doctor,
        title,
        plan: plan.views,
        result,
        undone,
        connection,
        ...(resume ? { resume } : {}),
      };
    } catch (error) {
      if (error instanceof RunLockedError) throw new UsageError(error.message);
      throw error;
    }
  };
}

/** The names the connection code needs, with the cloud's token resource when it is known. */
async function connectionOf(
  input: SetupInput,
  kind: DatabaseKind,
  services: Services,
  signal: AbortSignal,
): Promise<SetupConnection> {
  const ossrdbmsResource = await services.azure
    ?.cloud(signal)
    .then((cloud) => cloud.ossrdbmsResource)
    .catch(() => undefined);
  return {
    database: kind,
    clientType: input.clientType,
    auth: input.auth.kind,
    serverFqdn: input.server.fqdn,
    databaseName: input.database,
    user: SETUP_FLOWS[kind].userNameOf(input),
    appName: input.app.name,
    ...(input.auth.kind !== 'system' ? { clientId: input.auth.clientId } : {}),
    ...(ossrdbmsResource ? { ossrdbmsResource } : {}),
    ...(input.signedIn.tenantId ? { tenantId: input.signedIn.tenantId } : {}),
    settingsWriter: input.linker ? 'service-connector' : 'sc-doctor',
  };
}

function declinedEarly(doctor: CheckOutcome[]): SetupOutcome {
  return { kind: 'declined', doctor, title: '', plan: [] };
}
