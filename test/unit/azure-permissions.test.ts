/** The RBAC evaluator: Azure's wildcard, case and per-entry notActions rules, case by case. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actionMatches,
  isAllowed,
  missingActions,
  type PermissionEntry,
} from '../../source/azure/permissions.ts';

const entry = (actions: string[], notActions: string[] = []): PermissionEntry => ({ actions, notActions });

const PG_WRITE = 'Microsoft.DBforPostgreSQL/flexibleServers/write';
const PG_ADMIN_WRITE = 'Microsoft.DBforPostgreSQL/flexibleServers/administrators/write';
const PG_READ = 'Microsoft.DBforPostgreSQL/flexibleServers/read';

const cases: { name: string; entries: PermissionEntry[]; action: string; allowed: boolean }[] = [
  { name: '* grants any action', entries: [entry(['*'])], action: PG_ADMIN_WRITE, allowed: true },
  {
    name: '*/read grants a read of any provider',
    entries: [entry(['*/read'])],
    action: PG_READ,
    allowed: true,
  },
  { name: '*/read does not grant a write', entries: [entry(['*/read'])], action: PG_WRITE, allowed: false },
  {
    name: 'a provider wildcard spans the slashes below it',
    entries: [entry(['Microsoft.DBforPostgreSQL/*'])],
    action: PG_ADMIN_WRITE,
    allowed: true,
  },
  {
    name: 'a provider wildcard does not reach another provider',
    entries: [entry(['Microsoft.DBforPostgreSQL/*'])],
    action: 'Microsoft.DBforMySQL/flexibleServers/write',
    allowed: false,
  },
  {
    name: 'a middle wildcard matches a nested write',
    entries: [entry(['Microsoft.DBforPostgreSQL/flexibleServers/*/write'])],
    action: PG_ADMIN_WRITE,
    allowed: true,
  },
  {
    name: 'a middle wildcard does not turn write into delete',
    entries: [entry(['Microsoft.DBforPostgreSQL/flexibleServers/*/write'])],
    action: 'Microsoft.DBforPostgreSQL/flexibleServers/administrators/delete',
    allowed: false,
  },
  {
    name: '/*/ also matches no segment (Managed Identity Operator grants assign/action)',
    entries: [entry(['Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action'])],
    action: 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action',
    allowed: true,
  },
  {
    name: 'names compare without case',
    entries: [entry(['microsoft.dbforpostgresql/FLEXIBLESERVERS/*/Write'])],
    action: PG_ADMIN_WRITE,
    allowed: true,
  },
  {
    name: 'notActions in the only entry take the action away',
    entries: [entry(['*'], ['Microsoft.DBforPostgreSQL/flexibleServers/administrators/*'])],
    action: PG_ADMIN_WRITE,
    allowed: false,
  },
  {
    name: 'notActions match without case too',
    entries: [entry(['*'], ['MICROSOFT.AUTHORIZATION/*/WRITE'])],
    action: 'Microsoft.Authorization/roleAssignments/write',
    allowed: false,
  },
  {
    name: "one entry's notActions do not cancel another entry's grant",
    entries: [
      entry(['*'], ['Microsoft.DBforPostgreSQL/flexibleServers/administrators/*']),
      entry(['Microsoft.DBforPostgreSQL/flexibleServers/administrators/write']),
    ],
    action: PG_ADMIN_WRITE,
    allowed: true,
  },
  { name: 'no entries grant nothing', entries: [], action: PG_READ, allowed: false },
  {
    name: 'dots are literal, not regex wildcards',
    entries: [entry(['Microsoft.DBforPostgreSQL/flexibleServers/read'])],
    action: 'MicrosoftXDBforPostgreSQL/flexibleServers/read',
    allowed: false,
  },
];

for (const c of cases) {
  test(`permissions: ${c.name}`, () => {
    assert.equal(isAllowed(c.entries, c.action), c.allowed);
  });
}

test('missingActions lists what no entry grants, in the order asked', () => {
  const entries = [entry(['*/read']), entry(['Microsoft.Web/sites/*'])];
  assert.deepEqual(
    missingActions(entries, [PG_READ, PG_WRITE, 'Microsoft.Web/sites/write', PG_ADMIN_WRITE]),
    [PG_WRITE, PG_ADMIN_WRITE],
  );
});

test('a pattern without a wildcard matches only itself', () => {
  assert.ok(actionMatches(PG_READ, PG_READ.toUpperCase()));
  assert.ok(!actionMatches(PG_READ, `${PG_READ}x`));
  assert.ok(!actionMatches(PG_READ, `x${PG_READ}`));
});
