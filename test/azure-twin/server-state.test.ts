/**
 * A flexible server's state gates ARM operations as the RPs do, through the official SDK clients:
 * start and stop are long-running operations that pass through Starting/Stopping; a stopped server
 * refuses writes (PostgreSQL 400 `ServerStoppedError`, MySQL 409 `ServerUnavailableForOperation`); a
 * server busy with an operation refuses a second write (PostgreSQL 409 `ServerIsBusy`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MySQLManagementFlexibleServerClient } from '@azure/arm-mysql-flexible';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import { IDS, type Twin } from './index.ts';
import { seedMysqlServer } from './providers/mysql.ts';
import { seedPostgresServer } from './providers/postgres.ts';
import { sdkError } from './testing/sdk-capture.ts';
import { sdkOptions, twinPerFile } from './testing/twin-fixture.ts';

const RG = 'rg-orders';
const READER = '7e0d0000-0000-4000-8000-00000000eade';
const LRO = { updateIntervalInMs: 5 };
const RULE = { startIpAddress: '203.0.113.1', endIpAddress: '203.0.113.1' };
/**
 * How long start, stop and update run where a test looks at the server meanwhile: long enough for the
 * calls in between on a loaded machine (nothing is asserted about the time itself).
 */
const BUSY_MS = 1000;

let twin: Twin;
let pg: PostgreSQLManagementFlexibleServerClient;
let mysql: MySQLManagementFlexibleServerClient;

const stateOf = (type: 'DBforPostgreSQL' | 'DBforMySQL', name: string) =>
  twin.store.get(
    `/subscriptions/${IDS.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.${type}/flexibleServers/${name}`,
  )?.properties?.state;

twinPerFile(READER, (fixture) => {
  twin = fixture.twin;
  const target = { store: twin.store, world: twin.world };
  for (const name of ['pg-cycle', 'pg-busy', 'pg-stopped'])
    seedPostgresServer(target, {
      subscriptionId: IDS.subscriptionId,
      resourceGroup: RG,
      name,
      ...(name === 'pg-stopped' ? { state: 'Stopped' as const } : {}),
    });
  seedMysqlServer(target, { subscriptionId: IDS.subscriptionId, resourceGroup: RG, name: 'mysql-cycle' });
  const credential = twin.tokens.credential(IDS.dana) as never;
  pg = new PostgreSQLManagementFlexibleServerClient(credential, IDS.subscriptionId, sdkOptions(twin));
  mysql = new MySQLManagementFlexibleServerClient(credential, IDS.subscriptionId, sdkOptions(twin));
});

describe('PostgreSQL flexible server', () => {
  test('stop and start are long-running and pass through Stopping and Starting', async () => {
    twin.faults.lroDelayMs = BUSY_MS;
    try {
      const stopping = await pg.servers.beginStop(RG, 'pg-cycle', LRO);
      assert.equal(stateOf('DBforPostgreSQL', 'pg-cycle'), 'Stopping');
      await stopping.pollUntilDone();
      assert.equal((await pg.servers.get(RG, 'pg-cycle')).state, 'Stopped');
      const starting = await pg.servers.beginStart(RG, 'pg-cycle', LRO);
      assert.equal((await pg.servers.get(RG, 'pg-cycle')).state, 'Starting');
      await starting.pollUntilDone();
      assert.equal((await pg.servers.get(RG, 'pg-cycle')).state, 'Ready');
    } finally {
      twin.faults.lroDelayMs = 0;
    }
  });

  test('a stopped server refuses writes and parameter reads with 400 ServerStoppedError', async () => {
    const write = await sdkError(
      pg.firewallRules.beginCreateOrUpdateAndWait(RG, 'pg-stopped', 'office', RULE, LRO),
    );
    assert.equal(write.statusCode, 400);
    assert.equal(write.code, 'ServerStoppedError');
    const admin = await sdkError(
      pg.administratorsMicrosoftEntra.beginCreateOrUpdateAndWait(
        RG,
        'pg-stopped',
        IDS.dana,
        { principalName: 'dana@contoso.twin.test', principalType: 'User', tenantId: IDS.tenantId },
        LRO,
      ),
    );
    assert.equal(admin.code, 'ServerStoppedError');
    const read = await sdkError(pg.configurations.get(RG, 'pg-stopped', 'require_secure_transport'));
    assert.deepEqual([read.statusCode, read.code], [400, 'ServerStoppedError']);
    // Reading the server itself still works: that is how callers see it is stopped.
    assert.equal((await pg.servers.get(RG, 'pg-stopped')).state, 'Stopped');
  });

  test('stopping a stopped server: accepted, then the operation fails with ServerIsNotReady', async () => {
    // core-lro puts the operation's error code and message into its error's message.
    const failure = await sdkError(pg.servers.beginStopAndWait(RG, 'pg-stopped', LRO));
    assert.match(
      failure.message,
      /ServerIsNotReady\. Restart or Stop Server can only be performed on Started servers\. Sever Name = pg-stopped, Current Server State = Stopped/,
    );
    assert.equal(stateOf('DBforPostgreSQL', 'pg-stopped'), 'Stopped');
  });

  test('while an update runs the server is Updating and a second write gets 409 ServerIsBusy', async () => {
    twin.faults.lroDelayMs = BUSY_MS;
    try {
      const update = await pg.servers.beginUpdate(
        RG,
        'pg-busy',
        { authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled' } },
        LRO,
      );
      assert.equal((await pg.servers.get(RG, 'pg-busy')).state, 'Updating');
      const second = await sdkError(
        pg.firewallRules.beginCreateOrUpdateAndWait(RG, 'pg-busy', 'office', RULE, LRO),
      );
      assert.deepEqual([second.statusCode, second.code], [409, 'ServerIsBusy']);
      assert.match(second.message, /server 'pg-busy' is busy processing another operation/);
      await update.pollUntilDone();
      assert.equal((await pg.servers.get(RG, 'pg-busy')).state, 'Ready');
      await pg.firewallRules.beginCreateOrUpdateAndWait(RG, 'pg-busy', 'office', RULE, LRO);
    } finally {
      twin.faults.lroDelayMs = 0;
    }
  });
});

describe('MySQL flexible server', () => {
  test('stop, then writes and parameter reads get 409 ServerUnavailableForOperation; start again', async () => {
    await mysql.servers.beginStopAndWait(RG, 'mysql-cycle', LRO);
    assert.equal(stateOf('DBforMySQL', 'mysql-cycle'), 'Stopped');

    const params = await sdkError(mysql.configurations.listByServer(RG, 'mysql-cycle').next());
    assert.deepEqual([params.statusCode, params.code], [409, 'ServerUnavailableForOperation']);
    assert.equal(
      params.message,
      "Operation 'GetServerParameters' cannot be performed as server 'mysql-cycle' is currently in state 'Stopped'.",
    );
    const write = await sdkError(
      mysql.firewallRules.beginCreateOrUpdateAndWait(RG, 'mysql-cycle', 'office', RULE, LRO),
    );
    assert.deepEqual([write.statusCode, write.code], [409, 'ServerUnavailableForOperation']);

    await mysql.servers.beginStartAndWait(RG, 'mysql-cycle', LRO);
    assert.equal(stateOf('DBforMySQL', 'mysql-cycle'), 'Ready');
    await mysql.firewallRules.beginCreateOrUpdateAndWait(RG, 'mysql-cycle', 'office', RULE, LRO);

    // While an update runs the server is Updating, and the same refusal names that state.
    twin.faults.lroDelayMs = BUSY_MS;
    try {
      const update = await mysql.servers.beginUpdate(RG, 'mysql-cycle', { tags: { team: 'orders' } }, LRO);
      const busy = await sdkError(
        mysql.firewallRules.beginCreateOrUpdateAndWait(RG, 'mysql-cycle', 'office', RULE, LRO),
      );
      assert.equal(busy.statusCode, 409);
      assert.equal(
        busy.message,
        "Operation 'CreateOrUpdateFirewallRule' cannot be performed as server 'mysql-cycle' is currently in state 'Updating'.",
      );
      await update.pollUntilDone();
      assert.equal(stateOf('DBforMySQL', 'mysql-cycle'), 'Ready');
    } finally {
      twin.faults.lroDelayMs = 0;
    }
  });
});
