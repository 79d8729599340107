/**
 * Undo from the journal runs in a new process from the step definitions alone: when a step cannot be
 * undone there, the commands that remove it by hand must come from its definition, for every database
 * kind and every step that changes something (Azure SQL's table used to pass none), and they must
 * reach the journal's `left`, where a person finds them after the run.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Services } from '../../source/core/services.ts';
import type { DatabaseKind } from '../../source/databases/kind.ts';
import { Journal } from '../../source/engine/journal.ts';
import type { UndoRecord } from '../../source/engine/step.ts';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
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
const RUN_ID = '20261126-0a1b2c';

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
    'firewall-temp': { server, serverName: 'srv', rule: `sc-doctor-${RUN_ID}`, ip: '203.0.113.7' },
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

/** Where each step's record says it acts: the plan row undo checks the record against. */
function resourceOf(kind: DatabaseKind, id: string): string {
  if (id === 'app-identity' || id === 'app-settings' || id === 'service-connector') return APP;
  if (id === 'database-user' && kind === 'sql') return `${SERVERS.sql}/databases/orders/users`;
  return SERVERS[kind];
}

test('undo from the journal that cannot reach Azure leaves, in the journal, each step with its commands, for each database', async () => {
  // Every undo fails at its first touch of Azure: what is left is every step, with its commands.
  const unreachable = new Proxy(
    {},
    {
      get() {
        throw new Error('Azure cannot be reached');
      },
    },
  );
  const services = { env: {}, now: Date.now, azure: unreachable } as unknown as Services;
  for (const kind of ['postgres', 'mysql', 'sql'] as const) {
    const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-manual-'));
    const journal = new Journal({ home });
    const records = Object.entries(recordsOf(kind));
    const writer = await journal.create({
      runId: RUN_ID,
      target: SERVERS[kind],
      database: kind,
      steps: records.map(([id]) => ({
        id,
        title: `${id} (dana, aad_orders)`,
        resource: resourceOf(kind, id),
        after: [],
        lines: ['as the plan said: dana, aad_orders'],
        consent: null,
      })),
      notDone: [],
    });
    let order = 0;
    for (const [id, record] of records)
      await writer.updateStep(id, (step) => {
        step.state = 'applied';
        step.record = record;
        step.appliedOrder = ++order;
      });
    const undoers = undoersForRun({ database: kind, steps: [] }, services);
    const result = await undoFromJournal({
      journal,
      runId: RUN_ID,
      steps: (run) => undoersForRun(run, services),
      timeoutMs: 5_000,
    });
    assert.equal(result.status, 'rollback-incomplete', kind);
    const kept = JSON.parse(await readFile(journal.fileOf(RUN_ID), 'utf8')) as {
      left: { id: string; commands: string[] }[];
    };
    assert.deepEqual(
      kept.left.map((entry) => entry.id).sort(),
      records.map(([id]) => id).sort(),
      `${kind}: every step is left`,
    );
    for (const entry of kept.left) {
      const record = Object.fromEntries(records)[entry.id]!;
      const undoer = undoers.find((u) => u.id === entry.id)!;
      assert.ok(entry.commands.length > 0, `${kind} ${entry.id}: the journal keeps no command to remove it`);
      assert.deepEqual(entry.commands, undoer.manualUndo(record), `${kind} ${entry.id}: its own commands`);
    }
  }
});
