/**
 * Undo from the journal runs in a new process from the undoer table alone: when a step cannot be
 * undone there, the commands that remove it by hand must come from that table, for every database
 * kind and every step that changes something (Azure SQL's table used to pass none).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Services } from '../../source/core/services.ts';
import type { DatabaseKind } from '../../source/databases/kind.ts';
import type { UndoRecord } from '../../source/engine/step.ts';
import { undoersForRun } from '../../source/setup/undoers-for.ts';

const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';
const OID = '0d1e2f30-4a5b-4c6d-8e7f-da0a00000001';
const GROUP = `/subscriptions/${SUB}/resourceGroups/rg-orders/providers`;
const APP = `${GROUP}/Microsoft.Web/sites/orders-api`;
const SERVERS: Record<DatabaseKind, string> = {
  postgres: `${GROUP}/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders`,
  mysql: `${GROUP}/Microsoft.DBforMySQL/flexibleServers/my-orders`,
  sql: `${GROUP}/Microsoft.Sql/servers/sq-orders`,
};
const UAMI = `${GROUP}/Microsoft.ManagedIdentity/userAssignedIdentities/orders-id`;

/** A record each changing step writes, as the journal keeps it. */
function recordsOf(kind: DatabaseKind): Record<string, UndoRecord> {
  const server = SERVERS[kind];
  const login = { fqdn: `${kind}.example.test`, port: 1433, signedInUser: 'dana@contoso.com' };
  const common: Record<string, UndoRecord> = {
    'app-identity': {
      app: APP,
      api: '2024-04-01',
      appName: 'orders-api',
      beforeType: 'None',
      beforeUsers: [],
      addedSystem: true,
      attachedUami: null,
      principalId: OID,
    },
    'firewall-temp': { server, serverName: 'srv', rule: 'sc-doctor-20261126-0a1b2c', ip: '203.0.113.7' },
    'service-connector': {
      linker: `${APP}/providers/Microsoft.ServiceLinker/linkers/orders_db`,
      name: 'orders_db',
      userName: 'aad_orders',
    },
    'app-settings': {
      app: APP,
      appName: 'orders-api',
      added: ['AZURE_X'],
      previous: {},
      written: {},
      secretNames: [],
    },
  };
  if (kind === 'postgres')
    return {
      ...common,
      'entra-auth': {
        server,
        serverName: 'pg-orders',
        activeDirectoryAuth: 'Disabled',
        passwordAuth: 'Enabled',
      },
      'entra-admin': { server, serverName: 'pg-orders', objectId: OID, principalName: 'dana' },
      'database-role': {
        ...login,
        server,
        serverName: 'pg-orders',
        role: 'aad_orders',
        objectId: OID,
        database: 'orders',
        created: true,
        replacedObjectId: null,
      },
    };
  if (kind === 'mysql')
    return {
      ...common,
      'server-identity': { server, serverName: 'my-orders', attached: UAMI, before: [] },
      'entra-admin': { server, serverName: 'my-orders', previous: null, login: 'dana', sid: OID },
      'database-user': {
        ...login,
        server,
        serverName: 'my-orders',
        user: 'aad_orders',
        database: 'orders',
        clientId: OID,
        created: true,
        replaced: false,
      },
    };
  return {
    ...common,
    'entra-admin': { server, serverName: 'sq-orders', previous: null, login: 'dana', sid: OID },
    'database-user': {
      server,
      serverName: 'sq-orders',
      fqdn: 'sq-orders.database.windows.net',
      port: 1433,
      database: 'orders',
      user: 'orders-api',
      sid: OID,
      created: true,
      added: [],
      replaced: null,
    },
  };
}

const NOTHING_CHANGED = new Set(['verify', 'firewall-temp-remove']);

test('every step that changes something has its remove-by-hand commands in the journal undo table, for each database', () => {
  for (const kind of ['postgres', 'mysql', 'sql'] as const) {
    const records = recordsOf(kind);
    const undoers = undoersForRun({ database: kind, steps: [] }, {} as Services);
    for (const undoer of undoers) {
      if (NOTHING_CHANGED.has(undoer.id)) {
        assert.deepEqual(undoer.manualUndo({}), [], `${kind} ${undoer.id} changes nothing`);
        continue;
      }
      const record = records[undoer.id];
      assert.ok(record, `${kind}: a sample record for ${undoer.id}`);
      const commands = undoer.manualUndo(record);
      assert.ok(commands.length > 0, `${kind} ${undoer.id}: no commands to remove it by hand`);
    }
    // The database user's commands name the user and the server, in the kind's own client.
    const user = undoers.find((u) => u.id === (kind === 'postgres' ? 'database-role' : 'database-user'))!;
    const [first] = user.manualUndo(records[user.id]!);
    assert.match(first!, { postgres: /psql /, mysql: /mysql /, sql: /^sqlcmd -S sq-orders/ }[kind]);
  }
});
