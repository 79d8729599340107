/**
 * The setup flow behind `session.setup()`: doctor first, then the facts it found, the questions
 * still open (auth type, client type, secret), the plan, the user's yes, and the engine run with
 * Ctrl-C wired to its rollback. Every engine event goes onto the session's bus unchanged.
 */
import { databaseNameKind, nameProblem, nameWhat } from '../azure/resource-id.ts';
import type { EventBus } from '../core/events.ts';
import type { Prompter } from '../core/prompter.ts';
import type { Services } from '../core/services.ts';
import type { CheckOutcome, DoctorOptions } from '../core/types.ts';
import { UsageError } from '../core/usage-error.ts';
import type { AppFacts } from '../doctor/facts.ts';
import { detectClientTypeIn } from '../snippets/detect.ts';
import { CLIENT_TYPES, type ClientType } from '../snippets/types.ts';
import { runSetup } from './engine.ts';
import {
  adminLoginOf,
  blockingReasons,
  factsFromDoctor,
  missingFacts,
  mysqlAdminOf,
} from './facts-from-doctor.ts';
import {
  type AuthChoice,
  authWords,
  type DatabaseChoice,
  type SetupConnection,
  type SetupOutcome,
  type SetupRequest,
} from './flow-types.ts';
import { SETUP_FLOWS } from './flows.ts';
import type { Interrupts } from './interrupts.ts';
import type { Journal } from './journal.ts';
import {
  armIdentityLister,
  askServerIdentity,
  type IdentityLister,
  needsServerIdentity,
} from './mysql/ask-server-identity.ts';
import type { MysqlSetupInput } from './mysql/index.ts';
import { offerUnfinished } from './offer-unfinished.ts';
import { planSteps } from './plan.ts';
import { checkPlanIdentities } from './plan-identities.ts';
import { PLAN_QUESTION_ID } from './plan-question.ts';
import { settleArmWrite } from './postgres/azure-calls.ts';
import type { PostgresSetupInput } from './postgres/index.ts';
import {
  assertNotOperatorSecret,
  missingSecretError,
  SP_SECRET_ENV,
  SP_SECRET_FLAG,
} from './postgres/sp-secret.ts';
import { assertSameTarget, resumableRun, resumeCommandOf } from './resume.ts';
import { RunLockedError } from './run-lock.ts';
import { assertSqlLinkerClientType } from './sql/client-types.ts';
import type { Step, StepUndoer } from './step.ts';
import { undoersForRun } from './undoers-for.ts';

/** What a flow sees of its session. */
export interface SetupFlowContext {
  doctor(): Promise<CheckOutcome[]>;
  bus: EventBus;
  services: Services;
  prompter: Prompter;
  options: DoctorOptions;
}

/** A user-assigned identity the auth picker offers. */
export interface UserIdentityChoice {
  name: string;
  clientId: string;
  subscriptionId?: string;
  resourceGroup?: string;
}

export interface SetupFlowDeps {
  request: SetupRequest;
  journal: Journal;
  /** Ctrl-C and SIGTERM, counted: the first rolls back, the second stops waiting. */
  interrupts: Interrupts;
  /** The steps for this input; the request's database's flow by default (tests pass fakes). */
  buildSteps?: (input: PostgresSetupInput, services: Services) => Step[];
  /** The undo side of the steps, for undoing an unfinished earlier run. */
  undoers?: (services: Services) => StepUndoer[];
  /** The folder whose project files suggest the client type, and where a hand-off script goes. */
  cwd?: string;
  /** The user-assigned identities of the subscription, for the picker (interactive). */
  listUserIdentities?: (services: Services, signal: AbortSignal) => Promise<UserIdentityChoice[]>;
  /** MySQL: the subscription's user-assigned identities, when the server has none (ARM by default). */
  listServerIdentities?: IdentityLister;
}

/** Builds the flow a session runs as `setup()`. */
export function setupFlow(deps: SetupFlowDeps) {
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
    const badName = nameProblem(databaseNameKind(server.kind), database);
    if (badName !== undefined) {
      const why = `'${database}' is not a valid ${nameWhat(databaseNameKind(server.kind))}: Azure allows ${badName}.`;
      bus.emit({ type: 'setup:refused', reasons: [why] });
      return { kind: 'refused', doctor, reasons: [why] };
    }
    const auth = request.auth ?? (await askAuth(ctx, deps, signal));
    if (!auth) return declinedEarly(doctor);
    const clientType = request.clientType ?? (await askClientType(prompter, deps.cwd, signal));
    if (!clientType) return declinedEarly(doctor);
    // Before any change: Service Connector cannot link these to Azure SQL (exit 2 with what works).
    if (kind === 'sql' && request.linker) assertSqlLinkerClientType(clientType);
    const container = await chooseContainer(prompter, app, request, signal);
    if (container === null) return declinedEarly(doctor);
    let mysqlIdentityId = request.mysqlIdentityId;
    if (needsServerIdentity(kind, server, mysqlIdentityId)) {
      const lister = deps.listServerIdentities ?? armIdentityLister;
      mysqlIdentityId = await askServerIdentity(prompter, services, server, lister, signal);
      if (!mysqlIdentityId) return declinedEarly(doctor);
    }
    const stepServices =
      auth.kind === 'sp' ? await withClientSecret(services, prompter, auth.clientId, signal) : services;
    if (!stepServices) return declinedEarly(doctor);

    const adminLogin = adminLoginOf(doctor);
    const input: MysqlSetupInput = {
      server,
      database,
      app,
      auth,
      clientType,
      ...(request.dbUser ? { dbUser: request.dbUser } : {}),
      linker: request.linker,
      ...(container ? { container } : {}),
      // PostgreSQL and MySQL know an admin by its admin entry's name, not the token's (guests,
      // portal-made entries, a group's members): log in with that. Azure SQL reads the token.
      signedIn:
        adminLogin && kind !== 'sql' ? { ...facts.signedIn!, user: adminLogin.login } : facts.signedIn!,
      ...(adminLogin ? { adminLogin } : {}),
      ...(facts.publicIp ? { publicIp: facts.publicIp } : {}),
      ...(ctx.options.connectTo ? { connectTo: ctx.options.connectTo } : {}),
      // Where a hand-off script goes: for someone inside the network, or for the database's owner.
      handOffDir: deps.cwd ?? process.cwd(),
      grants: request.grants,
      ...(facts.networkPath ? { networkPath: facts.networkPath } : {}),
      ...(facts.entraAuthEnabled !== undefined ? { entraAuthEnabled: facts.entraAuthEnabled } : {}),
    };
    const flow = SETUP_FLOWS[kind];
    if (kind === 'mysql') {
      const admin = mysqlAdminOf(doctor);
      if (admin !== undefined) input.mysqlAdmin = admin;
      if (mysqlIdentityId) input.mysqlIdentityId = mysqlIdentityId;
    }
    // Names Azure or the database would refuse are said before any step exists.
    const problems = flow.problemsOf(input);
    if (problems.length > 0) {
      bus.emit({ type: 'setup:refused', reasons: problems });
      return { kind: 'refused', doctor, reasons: problems };
    }
    // Every identity the plan names is read now: an unknown one stops the run (exit 2) before any write.
    await checkPlanIdentities(kind, input, stepServices, signal);
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
  input: MysqlSetupInput,
  kind: DatabaseChoice,
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

/**
 * The container of a container app that gets the settings (the linker's `scope`): `--container`,
 * checked against the app's containers; the only one; else picked (plain and JSON refuse, naming
 * `--container`). Undefined when the app is no container app or its containers were not read (the
 * step reads them); null when the user backed out.
 */
async function chooseContainer(
  prompter: Prompter,
  app: AppFacts,
  request: SetupRequest,
  signal: AbortSignal,
): Promise<string | undefined | null> {
  if (app.kind !== 'containerapp') {
    if (request.container !== undefined)
      throw new UsageError(`--container is for a container app; ${app.name} is not one: leave it out.`);
    return undefined;
  }
  const containers = app.containers;
  if (request.container !== undefined) {
    if (containers && !containers.includes(request.container))
      throw new UsageError(
        `${app.name} has no container named ${JSON.stringify(request.container)}; its containers: ${containers.join(', ')}.`,
      );
    return request.container;
  }
  if (!request.linker || !containers || containers.length === 0) return undefined;
  if (containers.length === 1) return containers[0];
  const picked = await prompter.pick<string>(
    {
      message: `Which container of ${app.name} connects to the database? Service Connector writes its settings there.`,
      flag: '--container',
      choices: containers.map((name) => ({ label: name, value: name })),
    },
    signal,
  );
  return picked ?? null;
}

function declinedEarly(doctor: CheckOutcome[]): SetupOutcome {
  return { kind: 'declined', doctor, title: '', plan: [] };
}

async function askAuth(
  ctx: SetupFlowContext,
  deps: SetupFlowDeps,
  signal: AbortSignal,
): Promise<AuthChoice | undefined> {
  const { prompter, services } = ctx;
  const kind = await prompter.pick<AuthChoice['kind']>(
    {
      message: 'How should the app sign in to the database?',
      flag: '--system-identity, --user-identity or --service-principal',
      choices: [
        { label: 'System identity', value: 'system', hint: "the app's own managed identity" },
        { label: 'User identity', value: 'user', hint: 'a user-assigned managed identity' },
        { label: 'Service principal', value: 'sp', hint: 'an app registration with a secret' },
      ],
    },
    signal,
  );
  if (kind === undefined) return undefined;
  if (kind === 'system') return { kind };
  if (kind === 'user' && deps.listUserIdentities) {
    const list = deps.listUserIdentities;
    const picked = await prompter.pick<UserIdentityChoice>(
      {
        message: 'Which user-assigned identity?',
        flag: '--user-identity client-id=X subs-id=Y',
        choices: async (s) =>
          (await list(services, s)).map((identity) => ({
            label: identity.name,
            value: identity,
            hint: [identity.resourceGroup, identity.clientId].filter(Boolean).join(' · '),
          })),
      },
      signal,
    );
    if (!picked) return undefined;
    return {
      kind: 'user',
      clientId: picked.clientId,
      ...(picked.subscriptionId ? { subscriptionId: picked.subscriptionId } : {}),
    };
  }
  const clientId = await prompter.input(
    {
      message:
        kind === 'user' ? 'Client id of the user-assigned identity' : 'Client id of the service principal',
      flag: kind === 'user' ? '--user-identity client-id=X' : '--service-principal client-id=X',
      validate: (value) => (GUID.test(value.trim()) ? undefined : 'a client id is a GUID'),
    },
    signal,
  );
  if (!clientId) return undefined;
  return { kind, clientId: clientId.trim().toLowerCase() };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function askClientType(
  prompter: Prompter,
  cwd: string | undefined,
  signal: AbortSignal,
): Promise<ClientType | undefined> {
  const detected = detectClientTypeIn(cwd ?? process.cwd())?.clientType;
  // Without anyone to ask, the project's own files decide, else no client code at all.
  if (!prompter.interactive) return detected ?? 'none';
  const ordered = detected ? [detected, ...CLIENT_TYPES.filter((type) => type !== detected)] : CLIENT_TYPES;
  return prompter.pick<ClientType>(
    {
      message: 'Which language does the app connect from?',
      flag: '--client-type',
      choices: ordered.map((type) => ({
        label: type,
        value: type,
        ...(type === detected ? { hint: 'found in this folder' } : {}),
      })),
    },
    signal,
  );
}

/**
 * The app's service-principal secret, from SC_DOCTOR_APP_CLIENT_SECRET or a masked prompt: never from
 * argv, and never from AZURE_CLIENT_SECRET (the operator's own sign-in). Asked before the plan, so a
 * run that cannot get it (plain or JSON without the variable) or would register the operator's own
 * secret stops with exit 2 before anything is written. The steps read it from their services'
 * environment, so it never enters an input or a journal.
 */
async function withClientSecret(
  services: Services,
  prompter: Prompter,
  clientId: string,
  signal: AbortSignal,
): Promise<Services | undefined> {
  const given = services.env[SP_SECRET_ENV];
  if (given) {
    assertNotOperatorSecret(services.env, given);
    return services;
  }
  if (!prompter.interactive) throw missingSecretError(clientId);
  const secret = await prompter.secret(
    { message: `Client secret of the service principal ${clientId}`, flag: SP_SECRET_FLAG },
    signal,
  );
  if (!secret) return undefined;
  assertNotOperatorSecret(services.env, secret);
  return { ...services, env: { ...services.env, [SP_SECRET_ENV]: secret } };
}
