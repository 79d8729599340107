/**
 * A server with public access off (scenario `private-endpoint`) takes no firewall rules: a login from
 * here is refused whatever rule exists. Setup run as from inside its network (`--resume` there, the
 * doctor's verdict `reachable`) and the undo of the database role must not add a temporary rule to it,
 * even though the login they try is refused with `no pg_hba.conf entry`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RoleRecord, undoDatabaseRole } from '../../source/setup/postgres/database-role.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { DANA, inputFor, runPostgresSetup, servicesFor, stateOf } from './postgres-helpers.ts';

let twin: Twin;
const writes: string[] = [];

before(async () => {
  twin = await startTwin({ scenario: 'private-endpoint', databases: ['postgres'] });
  const take = twin.faults.take.bind(twin.faults);
  twin.faults.take = (method, path) => {
    if (!['GET', 'HEAD'].includes(method) && !path.endsWith('/list') && !path.startsWith('/_twin'))
      writes.push(`${method} ${path}`);
    return take(method, path);
  };
});

after(async () => {
  await twin?.close();
});

const firewallWrites = () => writes.filter((w) => /firewallRules/i.test(w));

test('setup from inside the network (verdict reachable) adds no temporary rule to a server without public access', async () => {
  writes.length = 0;
  const stateBefore = stateOf(twin);
  const input = inputFor(twin, { networkPath: 'reachable', connectionName: 'orders_private' });
  assert.equal(input.server.publicNetworkAccess, 'Disabled');
  const { result } = await runPostgresSetup(twin, input);
  assert.equal(result.steps.find((s) => s.id === 'firewall-temp')?.outcome, 'already-done');
  // The twin cannot be inside the network: the role's login is refused, and the run rolls back.
  assert.equal(result.failure?.id, 'database-role', JSON.stringify(result.failure));
  assert.match(result.failure!.message, /no pg_hba\.conf entry/);
  assert.deepEqual(firewallWrites(), []);
  assert.deepEqual(stateOf(twin), stateBefore);
});

test('the plan says no rule is added to it', async () => {
  const { planSteps } = await import('../../source/engine/plan.ts');
  const { postgresSetupSteps } = await import('../../source/setup/postgres/index.ts');
  const services = servicesFor(twin);
  try {
    const plan = await planSteps(postgresSetupSteps(inputFor(twin, { networkPath: 'reachable' }), services));
    assert.deepEqual(plan.views.find((v) => v.id === 'firewall-temp')?.lines, [
      'none: pg-orders takes no firewall rules (public access off), so none is added',
    ]);
  } finally {
    services.azure.dispose();
  }
});

test('undo of the role, refused by such a server, opens no rule either and says why', async () => {
  writes.length = 0;
  const input = inputFor(twin);
  const record: RoleRecord = {
    server: RESOURCE_IDS.postgres,
    serverName: 'pg-orders',
    fqdn: input.server.fqdn,
    port: input.server.port,
    signedInUser: DANA,
    role: 'aad_orders_private',
    objectId: 'feed0000-0000-4000-8000-0000000000aa',
    database: 'orders',
    created: true,
    replacedObjectId: null,
    granted: [],
    handedOff: [],
    createdByScript: false,
    databaseOwner: 'pgadmin',
    handOffScript: null,
  };
  const services = servicesFor(twin);
  try {
    await assert.rejects(
      undoDatabaseRole(
        services,
        {
          runId: '20990101-0000-beef',
          signal: new AbortController().signal,
          progress: () => {},
          inFlight: () => {},
        },
        record,
        input.connectTo,
      ),
      /no pg_hba\.conf entry .*pg-orders takes no firewall rules: public access is off; undo from inside its network/,
    );
  } finally {
    services.azure.dispose();
  }
  assert.deepEqual(firewallWrites(), []);
});
