/**
 * The hand-off and `--resume` through the setup flow, against the twin (Entra authentication off, no
 * admin) and its real PostgreSQL. The doctor's network verdict is the one thing injected: first the
 * server is reachable only from its network (the ARM steps run, the role goes to a script), then this
 * machine can reach it and `--resume` finishes the run: the ARM steps find themselves done and the role
 * is made and mapped. A run id that is not there, or a run that handed nothing off, is refused.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseConnectTo } from '../../source/core/connect-to.ts';
import { EventBus } from '../../source/core/events.ts';
import { refusingPrompter } from '../../source/core/prompter.ts';
import type { CheckResult } from '../../source/core/types.ts';
import { UsageError } from '../../source/core/usage-error.ts';
import type { DoctorCheck } from '../../source/doctor/check.ts';
import { Interrupts } from '../../source/engine/interrupts.ts';
import { Journal } from '../../source/engine/journal.ts';
import { jsonSetup } from '../../source/output/setup-json.ts';
import { outcomeLines } from '../../source/output/setup-plain.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { createSession } from '../../source/run/session.ts';
import { setupFlow } from '../../source/setup/flow.ts';
import type { SetupOutcome, SetupRequest } from '../../source/setup/flow-types.ts';
import { offerUnfinished } from '../../source/setup/offer-unfinished.ts';
import { setupOutcomeExitCode } from '../../source/setup/outcome-exit.ts';
import { resumableRun } from '../../source/setup/resume.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { typedTarget } from '../helpers/target.ts';
import { appFacts, DANA, JWT, OWNER_ENV, rolesOf, serverFacts, servicesFor } from './postgres-helpers.ts';

let twin: Twin;
let home: string;

before(async () => {
  twin = await startTwin({ scenario: 'entra-off', databases: ['postgres'] });
  home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-resume-'));
});

after(async () => {
  await twin?.close();
});

const COMMAND_LINE = 'sc-doctor setup postgres --server pg-orders -g rg-orders -n orders-api --yes --plain';

function check(id: string, result: CheckResult): DoctorCheck {
  return { id, title: id, run: async () => result };
}

/** The doctor's findings on the twin, with the network verdict of the machine setup runs on. */
function doctorChecks(network: 'private-network' | 'reachable'): DoctorCheck[] {
  return [
    check('signin', {
      status: 'pass',
      message: DANA,
      data: { objectId: IDS.dana, user: DANA, userType: 'user', tenantId: IDS.tenantId },
    }),
    check('server', { status: 'pass', message: 'pg-orders', data: { server: serverFacts(twin) } }),
    check('app-identity', { status: 'pass', message: 'orders-api', data: { app: appFacts(twin, 'webapp') } }),
    check('firewall', {
      status: 'warn',
      message: 'not known',
      data: { firewall: { publicIp: '127.0.0.1' } },
    }),
    check(
      'network-path',
      network === 'reachable'
        ? { status: 'pass', message: 'reachable', data: { network: { verdict: 'reachable' } } }
        : {
            status: 'fail',
            message: 'reachable only from its network',
            data: { network: { verdict: 'private-network' } },
          },
    ),
  ];
}

async function setup(
  network: 'private-network' | 'reachable',
  request: Partial<SetupRequest> = {},
  env: Record<string, string> = {},
): Promise<{ outcome: SetupOutcome; events: RunEvent[] }> {
  const services = servicesFor(twin, env);
  const server = serverFacts(twin);
  const { postgres } = twin.databaseEndpoints;
  const mapping = parseConnectTo(`${server.fqdn}:5432=${postgres!.host}:${postgres!.port}`);
  if (!mapping.ok) throw new Error('bad mapping');
  const bus = new EventBus<RunEvent>();
  const events: RunEvent[] = [];
  bus.on((event) => events.push(event));
  const interrupts = new Interrupts();
  const session = createSession({
    bus,
    services,
    prompter: refusingPrompter('plain'),
    checks: doctorChecks(network),
    options: {
      verbose: false,
      target: typedTarget({ server: 'pg-orders' }),
      connectTo: { entries: mapping.entries, source: '--connect-to' },
    },
    signal: interrupts.signal,
    setupFlow: setupFlow({
      request: {
        database: 'postgres',
        auth: { kind: 'system' },
        clientType: 'nodejs',
        yes: true,
        dryRun: false,
        linker: true,
        grants: 'least',
        commandLine: COMMAND_LINE,
        ...request,
      },
      journal: new Journal({ home }),
      interrupts,
      cwd: home,
    }),
  });
  try {
    return { outcome: await session.setup!(), events };
  } finally {
    services.azure?.dispose();
  }
}

const appObjectId = () =>
  (twin.store.get(RESOURCE_IDS.webApp)!.identity as { principalId: string }).principalId;

let handedOffRun = '';

test('reachable only from its network: the ARM steps apply, the role goes to a script, and the result says how to finish', async () => {
  const appRoles = async () => (await rolesOf(twin)).filter((role) => role.startsWith('aad_'));
  const { outcome } = await setup('private-network');
  assert.equal(outcome.kind, 'ran', JSON.stringify(outcome));
  if (outcome.kind !== 'ran') return;
  const { result } = outcome;
  assert.equal(result.status, 'handed-off', JSON.stringify(result.failure));
  assert.equal(result.exitCode, 4);
  assert.equal(result.steps.find((s) => s.id === 'entra-admin')?.outcome, 'applied');
  assert.equal(result.steps.find((s) => s.id === 'database-role')?.outcome, 'handed-off');
  // Making Dana the Entra admin is an ARM change; the app's role is the database's, left to the script.
  assert.deepEqual(await appRoles(), [], 'nothing was done in the database from here');
  handedOffRun = result.runId;

  const script = path.join(home, `sc-doctor-${result.runId}-postgres.sh`);
  assert.match(await readFile(script, 'utf8'), /pgaadauth_create_principal_with_oid/);
  const resume = `${COMMAND_LINE} --resume ${result.runId}`;
  assert.equal(outcome.resume, resume);

  const lines = outcomeLines(outcome, setupOutcomeExitCode(outcome, false));
  assert.doesNotMatch(lines.join('\n'), /^Done/m);
  const left = lines.indexOf('Left to do:');
  assert.ok(left > 0, lines.join('\n'));
  const tail = lines.slice(left);
  assert.ok(tail.includes(`  ${resume}`), tail.join('\n'));
  assert.ok(tail.includes(`  sh ${script}`), tail.join('\n'));
  assert.equal(tail.at(-1), 'Exit code 4.');

  const json = jsonSetup(outcome);
  assert.equal(json.status, 'handed-off');
  assert.deepEqual(json.handedOff, [{ step: 'database-role', script }]);
  assert.equal(json.resume, resume);
});

test('--resume from inside the network: the applied steps are no-ops, the role is made and mapped, in a run linked to the first', async () => {
  assert.ok(handedOffRun, 'the hand-off test ran first');
  const writes: string[] = [];
  const take = twin.faults.take.bind(twin.faults);
  twin.faults.take = (method, p) => {
    if (!['GET', 'HEAD'].includes(method) && !p.endsWith('/list') && !p.startsWith('/_twin'))
      writes.push(`${method} ${p}`);
    return take(method, p);
  };
  let outcome: SetupOutcome;
  try {
    // From inside the network, with the password of pgadmin (the owner of orders) for its grants.
    ({ outcome } = await setup('reachable', { resume: handedOffRun }, OWNER_ENV));
  } finally {
    twin.faults.take = take;
  }
  assert.equal(outcome.kind, 'ran', JSON.stringify(outcome));
  if (outcome.kind !== 'ran') return;
  const { result } = outcome;
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.notEqual(result.runId, handedOffRun);
  for (const id of ['entra-auth', 'entra-admin', 'app-identity', 'service-connector'])
    assert.equal(result.steps.find((s) => s.id === id)?.outcome, 'already-done', id);
  assert.equal(result.steps.find((s) => s.id === 'database-role')?.outcome, 'applied');
  assert.deepEqual(result.handedOff, []);
  assert.equal(outcome.resume, undefined);
  assert.deepEqual(
    writes.filter((w) => !/firewallRules/i.test(w)),
    [],
    'no ARM write but the temporary firewall rule',
  );

  const roles = (await rolesOf(twin)).filter((role) => role.startsWith('aad_'));
  assert.equal(roles.length, 1, roles.join(', '));
  assert.match(roles[0]!, new RegExp(`:${appObjectId()}$`));

  const journal = new Journal({ home });
  const resumed = await journal.loadRun(result.runId);
  assert.equal(resumed.resumes, handedOffRun);
  assert.equal(resumed.steps.find((s) => s.id === 'database-role')?.state, 'applied');
  const original = await journal.loadRun(handedOffRun);
  assert.equal(original.steps.find((s) => s.id === 'database-role')?.state, 'handed-off');
  assert.doesNotMatch(JSON.stringify([resumed, original, outcomeLines(outcome, 0)]), JWT);
  assert.match(outcomeLines(outcome, 0).join('\n'), /^Done: /m);
});

test('--resume of a run that is not there, or that handed nothing off, is refused naming it', async () => {
  await assert.rejects(setup('reachable', { resume: '20990101-0000-abcd' }), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /--resume 20990101-0000-abcd: there is no such run/);
    return true;
  });
  const runs = await new Journal({ home }).listRuns();
  const finished = runs.find((run) => run.runId !== handedOffRun)!;
  await assert.rejects(setup('reachable', { resume: finished.runId }), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, new RegExp(`--resume ${finished.runId}: that run handed nothing off`));
    return true;
  });
});

test('a killed run that had handed off can be resumed, and is not offered for undo while it is being finished', async () => {
  const killedHome = await mkdtemp(path.join(tmpdir(), 'sc-doctor-resume-killed-'));
  const dead = new Journal({ home: killedHome, pid: 999_999, isProcessAlive: () => false });
  const runId = dead.newRunId();
  const view = { id: 'database-role', title: 'role', resource: 'r', after: [], lines: [], consent: null };
  const writer = await dead.create({
    runId,
    target: serverFacts(twin).id,
    database: 'postgres',
    steps: [view],
    notDone: [],
  });
  await writer.updateStep('database-role', (step) => {
    step.state = 'handed-off';
    step.scriptPath = path.join(killedHome, 'script.sh');
  });
  const journal = new Journal({ home: killedHome, isProcessAlive: () => false });
  assert.equal((await resumableRun(journal, runId, 'postgres')).runId, runId);
  await assert.rejects(resumableRun(journal, runId, 'mysql'), /that run set up postgres, not mysql/);

  const bus = new EventBus<RunEvent>();
  const events: RunEvent[] = [];
  bus.on((event) => events.push(event));
  const offer = { journal, bus, prompter: refusingPrompter('plain'), undoers: () => [] };
  await offerUnfinished(offer);
  assert.equal(events.length, 1, 'without --resume the killed run is announced');
  await offerUnfinished({ ...offer, resuming: runId });
  assert.equal(events.length, 1, 'the run being resumed is not offered for undo');
});
