/**
 * The settings the generator shows are the ones Service Connector writes: checked against the
 * twin's linker table, which was transcribed from the Service Connector docs independently of the
 * generator. Every combination the linker supports must match name for name and value for value,
 * except that a value holding a secret is only referenced.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSnippet } from '../../source/snippets/index.ts';
import { CLIENT_TYPES, SNIPPET_AUTHS } from '../../source/snippets/types.ts';
import { type AuthKind, settingsFor, type TargetKind } from '../azure-twin/providers/linker-settings.ts';

const TARGET: Record<'postgres' | 'mysql' | 'sql', TargetKind> = {
  postgres: 'postgresql',
  mysql: 'mysql',
  sql: 'sql',
};
const AUTH: Record<(typeof SNIPPET_AUTHS)[number], AuthKind> = {
  system: 'systemAssignedIdentity',
  user: 'userAssignedIdentity',
  sp: 'servicePrincipalSecret',
};
const NAMES = {
  host: 'orders.example.azure.com',
  db: 'orders',
  user: 'aad_orders',
  clientId: '1b2c3d4e-0000-4000-8000-000000000001',
  tenantId: '5f1e9c2a-7b3d-4e8f-9a01-c04705d0e7e1',
  secret: 'SECRET-VALUE',
};

test('every combination Service Connector supports shows exactly the settings it writes', () => {
  let compared = 0;
  for (const database of ['postgres', 'mysql', 'sql'] as const) {
    for (const clientType of CLIENT_TYPES) {
      for (const auth of SNIPPET_AUTHS) {
        const linker = settingsFor(TARGET[database], clientType, AUTH[auth], NAMES);
        const snippet = generateSnippet({
          database,
          clientType,
          auth,
          server: NAMES.host,
          databaseName: NAMES.db,
          user: NAMES.user,
          clientId: NAMES.clientId,
          tenantId: NAMES.tenantId,
        });
        const where = `${database} ${clientType} ${auth}`;
        if (!linker) {
          assert.notEqual(snippet.support, 'supported', `${where}: Service Connector does not support it`);
          continue;
        }
        compared++;
        assert.equal(snippet.support, 'supported', where);
        const byName = new Map(snippet.settings.map((setting) => [setting.name, setting]));
        assert.deepEqual([...byName.keys()].sort(), linker.map((setting) => setting.key).sort(), where);
        for (const expected of linker) {
          const shown = byName.get(expected.key)!;
          if (expected.value.includes(NAMES.secret)) {
            assert.ok(
              'secretRef' in shown && !('value' in shown),
              `${where}: ${expected.key} is only referenced`,
            );
            assert.ok(!JSON.stringify(shown).includes(NAMES.secret));
          } else {
            assert.deepEqual(shown, { name: expected.key, value: expected.value }, where);
          }
        }
      }
    }
  }
  assert.equal(compared, 2 * 10 * 3 + 6 * 3, 'PostgreSQL and MySQL: all; Azure SQL: six client types');
});
