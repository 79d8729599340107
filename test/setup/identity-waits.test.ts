/**
 * Setup waits for what Azure takes time to do, bounded and with progress, on an injected clock: a
 * system identity the run just turned on replicates in Entra (the twin's `entraReplicationLagMs`:
 * Graph answers 404 and Azure SQL cannot resolve it meanwhile), and a new Azure SQL firewall rule
 * applies only after a while (`sqlFirewallRuleDelayMs`: 40615 meanwhile). The services' `sleep`
 * moves the twin's clock instead of waiting, so minutes pass in milliseconds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Services } from '../../source/core/services.ts';
import type { EngineEvent } from '../../source/engine/events.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { runSetup } from '../../source/engine/run-setup.ts';
import type { Step } from '../../source/engine/step.ts';
import { mysqlSetupSteps } from '../../source/setup/mysql/index.ts';
import { sqlSetupSteps } from '../../source/setup/sql/index.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { mysqlInputFor } from './mysql-helpers.ts';
import { appFacts, servicesFor, tempJournal } from './postgres-helpers.ts';
import { sqlInputFor } from './sql-helpers.ts';

let twin: Twin;
let mysqlTwin: Twin;
let sqlTwin: Twin;

before(async () => {
  [mysqlTwin, sqlTwin] = await Promise.all([
    startTwin({ scenario: 'healthy', databases: ['mysql'] }),
    startTwin({ scenario: 'healthy', databases: ['sql'] }),
  ]);
});
after(async () => {
  await Promise.all([mysqlTwin?.close(), sqlTwin?.close()]);
});

/** Services whose waits move the twin's clock (and are counted) instead of sleeping. */
function timeTravelling(): { services: Services; slept: number[] } {
  const slept: number[] = [];
  const base = servicesFor(twin);
  return {
    slept,
    services: {
      ...base,
      now: () => twin.clock.nowMs(),
      sleep: async (ms: number) => {
        slept.push(ms);
        twin.clock.advance(ms / 1000);
      },
    },
  };
}

async function run(steps: Step[], target: string) {
  const events: EngineEvent[] = [];
  const plan = await planSteps(steps);
  const result = await runSetup(plan, {
    journal: await tempJournal(),
    target,
    confirm: async () => true,
    emit: (event) => events.push(event),
    graceMs: 2000,
  });
  const progress = events.flatMap((e) => (e.type === 'step:progress' ? [`${e.id}: ${e.detail}`] : []));
  return { result, progress };
}

/** Switches the web app's system identity off, so the run's app-identity step turns a new one on. */
function withoutSystemIdentity(): void {
  const site = twin.store.get(RESOURCE_IDS.webApp)!;
  const { principalId: _p, tenantId: _t, ...identity } = site.identity as Record<string, unknown>;
  twin.store.put({ ...site, identity: { ...identity, type: 'UserAssigned' } });
}

test('MySQL: a system identity this run turned on is looked up again until Entra knows it (about 2 minutes at most)', async () => {
  twin = mysqlTwin;
  withoutSystemIdentity();
  twin.world.entraReplicationLagMs = 45_000;
  const { services, slept } = timeTravelling();
  try {
    const input = mysqlInputFor(twin, { connectionName: 'orders_lag', dbUser: 'aad_lag' });
    const { result, progress } = await run(mysqlSetupSteps(input, services), input.server.id);
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    assert.ok(slept.length > 0, 'it waited');
    // The waits (plus the run's own time) outlast the lag: 2 s, 4 s, 8 s, then 10 s each.
    assert.ok(slept.reduce((a, b) => a + b, 0) >= 30_000, `waited for the lag: ${slept}`);
    assert.ok(
      progress.some((line) =>
        /^database-user: waiting for Entra to know the app's identity: trying again in \d+ s/.test(line),
      ),
      progress.join('\n'),
    );
  } finally {
    twin.world.entraReplicationLagMs = 0;
    services.azure.dispose();
  }
});

test('MySQL: an identity that never replicates ends the run after the bound, rolled back, naming the wait', async () => {
  twin = mysqlTwin;
  withoutSystemIdentity();
  twin.world.entraReplicationLagMs = 10 * 60_000;
  const { services, slept } = timeTravelling();
  try {
    const input = mysqlInputFor(twin, { connectionName: 'orders_lag2', dbUser: 'aad_lag2' });
    const { result } = await run(mysqlSetupSteps(input, services), input.server.id);
    assert.equal(result.status, 'rolled-back');
    assert.match(
      result.failure?.message ?? '',
      /still waiting for Entra to know the app's identity after \d+ s \(waited up to 120 s\)/,
    );
    assert.ok(slept.reduce((a, b) => a + b, 0) <= 120_000, `bounded: ${slept}`);
  } finally {
    twin.world.entraReplicationLagMs = 0;
    services.azure.dispose();
  }
});

test('Azure SQL: Graph and CREATE USER ... FROM EXTERNAL PROVIDER are tried again while Entra replicates the new identity', async () => {
  twin = sqlTwin;
  withoutSystemIdentity();
  twin.world.entraReplicationLagMs = 30_000;
  const { services, slept } = timeTravelling();
  try {
    const input = sqlInputFor(twin, { connectionName: 'orders_sql_lag' });
    const { result, progress } = await run(sqlSetupSteps(input, services), input.server.id);
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    assert.ok(slept.length > 0);
    assert.ok(
      progress.some((line) => line.startsWith('database-user: waiting for Entra')),
      progress.join('\n'),
    );
  } finally {
    twin.world.entraReplicationLagMs = 0;
    services.azure.dispose();
  }
});

test('Azure SQL: after a new firewall rule, the login is tried again while it applies (40615), with progress', async () => {
  twin = sqlTwin;
  twin.world.clientIp = '203.0.113.77';
  twin.world.sqlFirewallRuleDelayMs = 3 * 60_000;
  const { services, slept } = timeTravelling();
  try {
    // The container app's identity: the web app's has its user from the test above.
    const input = sqlInputFor(twin, { connectionName: 'orders_sql_fw', app: appFacts(twin, 'containerapp') });
    const { result, progress } = await run(sqlSetupSteps(input, services), input.server.id);
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    const firewall = result.steps.find((s) => s.id === 'firewall-temp');
    assert.equal(firewall?.outcome, 'applied');
    assert.ok(slept.reduce((a, b) => a + b, 0) >= 3 * 60_000, `waited for the rule: ${slept}`);
    assert.ok(
      progress.some((line) =>
        /^database-user: waiting for the new firewall rule to apply: trying again/.test(line),
      ),
      progress.join('\n'),
    );
  } finally {
    twin.world.clientIp = undefined;
    twin.world.sqlFirewallRuleDelayMs = 0;
    services.azure.dispose();
  }
});
