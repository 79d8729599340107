// `npm run bench -- --setup [--runs N] [--lro-delay MS]`: a full setup of each database, in process,
// against the local twin and its real database, every long-running operation held for --lro-delay ms
// (default 1500), as Azure holds a server update or an admin write. Each scenario gives the setup
// real long-running work: PostgreSQL in entra-off (Entra authentication off, no admin), MySQL in
// mysql-no-identity (the server gets a user-assigned identity, then its admin), Azure SQL in no-admin
// (the server gets its Entra admin).
//
// Runs under tsx (bench.mjs starts it so) because the twin and the steps are TypeScript. Each run
// gets a fresh twin: a second setup on the same one would find everything in place and write nothing.
//
// The critical path comes from the engine's own events: each step's start and end (`step:start`,
// `step:end`), and the edges that decide when a step may start: the `after` list of its plan entry,
// and the engine's one-write-at-a-time lock per resource (Azure answers 409 while a server is
// Updating), taken in the order the steps ran. The heaviest chain of steps through those edges is the
// time no schedule of the same steps could beat; the ratio wall ÷ critical path says what the engine
// adds (wall: the engine's run, from the plan's go to its end, journal writes and lock included; the
// planning reads before it are printed on their own). The serial sum (every step one after another) is what the Azure CLI's passwordless extension,
// which runs its steps in turn, would pay for the same steps.
import { parseArgs } from 'node:util';
import { planSteps } from '../source/engine/plan.ts';
import { runSetup } from '../source/engine/run-setup.ts';
import { mysqlSetupSteps } from '../source/setup/mysql/index.ts';
import { postgresSetupSteps } from '../source/setup/postgres/index.ts';
import { sqlSetupSteps } from '../source/setup/sql/index.ts';
import { startTwin } from '../test/azure-twin/index.ts';
import { RESOURCE_IDS } from '../test/azure-twin/scenarios.ts';
import { mysqlInputFor } from '../test/setup/mysql-helpers.ts';
import { inputFor, OWNER_ENV, servicesFor, tempJournal } from '../test/setup/postgres-helpers.ts';
import { sqlInputFor } from '../test/setup/sql-helpers.ts';

const BUDGET = 1.2;
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, 'lro-delay': { type: 'string', default: '1500' } },
  strict: false,
});
const runs = Number(values.runs);

/** Each database's setup: the twin it runs against and its steps, planned from the input the tests use. */
const DATABASES = [
  {
    label: 'PostgreSQL',
    twin: { scenario: 'entra-off', databases: ['postgres'] },
    setup: (twin) => {
      const input = inputFor(twin, { connectionName: 'orders_bench' });
      return { target: input.server.id, steps: (services) => postgresSetupSteps(input, services) };
    },
  },
  {
    label: 'MySQL',
    twin: { scenario: 'mysql-no-identity', databases: ['mysql'] },
    setup: (twin) => {
      const input = mysqlInputFor(twin, {
        connectionName: 'orders_bench',
        mysqlAdmin: null,
        mysqlIdentityId: RESOURCE_IDS.identity,
      });
      return { target: input.server.id, steps: (services) => mysqlSetupSteps(input, services) };
    },
  },
  {
    label: 'Azure SQL',
    twin: { scenario: 'no-admin', databases: ['sql'] },
    setup: (twin) => {
      const input = sqlInputFor(twin, { connectionName: 'orders_bench' });
      return { target: input.server.id, steps: (services) => sqlSetupSteps(input, services) };
    },
  },
];
const lroDelayMs = Number(values['lro-delay']);

/** The heaviest chain through `edges` (id → ids it waits for), each step weighing its duration. */
export function criticalPath(steps, edges) {
  const memo = new Map();
  const heaviest = (id) => {
    if (memo.has(id)) return memo.get(id);
    const own = steps.get(id).ms;
    let best = { ms: own, chain: [id] };
    for (const before of edges.get(id) ?? []) {
      const prior = heaviest(before);
      if (prior.ms + own > best.ms) best = { ms: prior.ms + own, chain: [...prior.chain, id] };
    }
    memo.set(id, best);
    return best;
  };
  let best = { ms: 0, chain: [] };
  for (const id of steps.keys()) {
    const path = heaviest(id);
    if (path.ms > best.ms) best = path;
  }
  return best;
}

async function once(database) {
  const twin = await startTwin({ ...database.twin, lroDelayMs });
  // The app starts without its system identity, so turning it on is a step of its own, independent
  // of the server's (as in a first setup of a new app).
  const site = twin.store.get(RESOURCE_IDS.webApp);
  twin.store.put({
    ...site,
    identity: { type: 'UserAssigned', userAssignedIdentities: site.identity.userAssignedIdentities },
  });
  try {
    const { target, steps: stepsOf } = database.setup(twin);
    // The database belongs to the password admin, as on Azure: its password lets setup give the
    // grants itself instead of handing them off to a script.
    const services = servicesFor(twin, OWNER_ENV);
    const events = [];
    let planMs;
    let wallMs;
    try {
      // Planning reads what is there (each step's isDone and preview) before anything is asked.
      const planned = performance.now();
      const plan = await planSteps(stepsOf(services));
      planMs = performance.now() - planned;
      const started = performance.now();
      const result = await runSetup(plan, {
        journal: await tempJournal(),
        emit: (event) => events.push(event),
        target,
        confirm: async () => true,
      });
      wallMs = performance.now() - started;
      if (result.status !== 'succeeded')
        throw new Error(`setup ended ${result.status}: ${JSON.stringify(result.failure)}`);
    } finally {
      services.azure.dispose();
    }

    const plan = events.find((event) => event.type === 'plan:ready');
    const steps = new Map();
    for (const event of events) {
      if (event.type === 'step:start') steps.set(event.id, { start: event.at, resource: '', ms: 0 });
      if (event.type === 'step:end' && steps.has(event.id)) {
        const step = steps.get(event.id);
        step.ms = event.elapsedMs;
      }
    }
    const edges = new Map();
    for (const view of plan.steps) {
      if (!steps.has(view.id)) continue;
      steps.get(view.id).resource = view.resource;
      edges.set(
        view.id,
        view.after.filter((id) => steps.has(id)),
      );
    }
    // The per-resource lock: on one resource, each step waited for the one that ran before it.
    const byResource = new Map();
    for (const [id, step] of [...steps].sort((a, b) => a[1].start - b[1].start)) {
      const previous = byResource.get(step.resource);
      if (previous) edges.get(id).push(previous);
      byResource.set(step.resource, id);
    }
    const path = criticalPath(steps, edges);
    const serialMs = [...steps.values()].reduce((sum, step) => sum + step.ms, 0);
    // The engine's own span: the first step's start to the last step's end.
    const first = Math.min(...[...steps.values()].map((s) => s.start));
    const last = Math.max(...[...steps.values()].map((s) => s.start + s.ms));
    return { wallMs, planMs, engineMs: last - first, path, serialMs, steps };
  } finally {
    await twin.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs one database's setup `runs` times and prints each run, the last run's steps and the medians. */
async function bench(database) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const run = await once(database);
    results.push(run);
    process.stdout.write(
      `${database.label} run ${i + 1}: plan ${run.planMs.toFixed(0)} ms, then wall ${run.wallMs.toFixed(0)} ms (steps ${run.engineMs.toFixed(0)} ms), critical path ${run.path.ms.toFixed(0)} ms, serial sum ${run.serialMs.toFixed(0)} ms, ratio ${(run.wallMs / run.path.ms).toFixed(2)}\n`,
    );
  }
  const last = results.at(-1);
  process.stdout.write(`\nSteps of the last run (ms):\n`);
  for (const [id, step] of last.steps)
    process.stdout.write(`  ${id.padEnd(22)} ${String(Math.round(step.ms)).padStart(6)}\n`);
  process.stdout.write(`Critical path: ${last.path.chain.join(' → ')}\n\n`);
  const wall = median(results.map((r) => r.wallMs));
  const serial = median(results.map((r) => r.serialMs));
  return {
    label: database.label,
    wall,
    path: median(results.map((r) => r.path.ms)),
    serial,
    ratio: median(results.map((r) => r.wallMs / r.path.ms)),
    planMs: median(results.map((r) => r.planMs)),
  };
}

const summaries = [];
for (const database of DATABASES) summaries.push(await bench(database));
// The summary lines together at the end, one per database, as the README quotes them.
for (const { label, wall, path, serial, ratio, planMs } of summaries)
  process.stdout.write(
    `${label} setup, LRO delay ${lroDelayMs} ms, median of ${runs}: plan ${planMs.toFixed(0)} ms (reads), then wall ${wall.toFixed(0)} ms, critical path ${path.toFixed(0)} ms, ratio ${ratio.toFixed(2)} (budget ≤ ${BUDGET}); serial sum ${serial.toFixed(0)} ms (${(serial / wall).toFixed(2)} × the wall time)\n`,
  );
process.exit(summaries.every((s) => s.ratio <= BUDGET) ? 0 : 1);
