/**
 * RBAC: action matching (docs/architecture.md, "Where the facts come from") and the permissions API as @azure/arm-authorization 9
 * calls it, for Reader, Contributor and Owner callers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { AuthorizationManagementClient, type Permission } from '@azure/arm-authorization';
import { isRestError } from '@azure/core-rest-pipeline';
import { actionMatches, blockAllows, isAllowed, scopeCovers } from './framework/permissions.ts';
import { BUILT_IN_ROLES } from './framework/roles.ts';
import { IDS, startTwin, type Twin } from './index.ts';
import { RESOURCE_IDS } from './scenarios.ts';
import { armRest } from './testing/arm-rest.ts';
import { shapeDifferences } from './testing/shape.ts';

test('wildcards span segments and match case-insensitively', () => {
  assert.ok(actionMatches('*', 'Microsoft.Sql/servers/write'));
  assert.ok(actionMatches('*/read', 'Microsoft.DBforPostgreSQL/flexibleServers/administrators/read'));
  assert.ok(!actionMatches('*/read', 'Microsoft.DBforPostgreSQL/flexibleServers/write'));
  assert.ok(
    actionMatches('Microsoft.Authorization/*/Write', 'microsoft.authorization/roleAssignments/write'),
  );
  assert.ok(actionMatches('Microsoft.Web/sites/*', 'Microsoft.Web/sites/config/list/Action'));
  assert.ok(!actionMatches('Microsoft.Web/sites/*', 'Microsoft.Web/serverFarms/read'));
  assert.ok(
    actionMatches(
      'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action',
      'Microsoft.ManagedIdentity/userAssignedIdentities/x/assign/action',
    ),
  );
});

test('notActions subtract within their own role only; data actions are a separate plane', () => {
  const contributor = BUILT_IN_ROLES.find((r) => r.roleName === 'Contributor')!.permissions[0]!;
  assert.ok(blockAllows(contributor, 'Microsoft.DBforPostgreSQL/flexibleServers/administrators/write'));
  assert.ok(!blockAllows(contributor, 'Microsoft.Authorization/roleAssignments/write'));
  assert.ok(
    !blockAllows(contributor, 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read', true),
    '* grants no data actions',
  );
  const principalId = 'p1';
  const scope = '/subscriptions/s1';
  const contributorOnly = [{ principalId, roleName: 'Contributor', scope }];
  assert.ok(!isAllowed(contributorOnly, principalId, scope, 'Microsoft.Authorization/roleAssignments/write'));
  const withUaa = [...contributorOnly, { principalId, roleName: 'User Access Administrator', scope }];
  assert.ok(
    isAllowed(
      withUaa,
      principalId,
      `${scope}/resourceGroups/rg`,
      'Microsoft.Authorization/roleAssignments/write',
    ),
    'another role grants what Contributor excludes',
  );
});

test('an assignment applies at its scope and below, never above or beside', () => {
  assert.ok(scopeCovers('/subscriptions/S1', '/subscriptions/s1/resourceGroups/rg/providers/X/y/z'));
  assert.ok(scopeCovers('/subscriptions/s1/resourceGroups/rg', '/subscriptions/s1/resourceGroups/RG'));
  assert.ok(!scopeCovers('/subscriptions/s1/resourceGroups/rg', '/subscriptions/s1'));
  assert.ok(!scopeCovers('/subscriptions/s1/resourceGroups/rg', '/subscriptions/s1/resourceGroups/rg2'));
  assert.ok(scopeCovers('/', '/subscriptions/s1'));
});

test('built-in roles carry their real ids', () => {
  const ids = Object.fromEntries(BUILT_IN_ROLES.map((r) => [r.roleName, r.id]));
  assert.equal(ids.Owner, '8e3af657-a8ff-443c-a75c-2fe8c4bcb635');
  assert.equal(ids.Contributor, 'b24988ac-6180-42a0-ab88-20f7382dd24c');
  assert.equal(ids.Reader, 'acdd72a7-3385-48ef-bd42-f606fba81ae7');
});

let twin: Twin;
const callers = {
  reader: '1ead0000-0000-4000-8000-000000000001',
  contributor: 'c0c0c0c0-0000-4000-8000-000000000002',
  owner: '0a0a0a0a-0000-4000-8000-000000000003',
  nobody: '0b0b0b0b-0000-4000-8000-000000000004',
  many: '3a3a3a3a-0000-4000-8000-000000000005',
};

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
  for (const [name, objectId] of Object.entries(callers)) {
    twin.context.addPrincipal({
      objectId,
      tenantId: IDS.tenantId,
      kind: 'user',
      displayName: name,
      userPrincipalName: `${name}@contoso.twin.test`,
    });
  }
  twin.world.roleAssignments.push(
    { principalId: callers.reader, roleName: 'Reader', scope: RESOURCE_IDS.subscription },
    { principalId: callers.contributor, roleName: 'Contributor', scope: RESOURCE_IDS.resourceGroup },
    { principalId: callers.owner, roleName: 'Owner', scope: RESOURCE_IDS.postgres },
    { principalId: callers.owner, roleName: 'Reader', scope: RESOURCE_IDS.subscription },
  );
  // 150 assignments that all apply: more than one page.
  for (let i = 0; i < 150; i++) {
    twin.world.roleAssignments.push({
      principalId: callers.many,
      roleName: i % 2 ? 'Reader' : 'SQL Server Contributor',
      scope: RESOURCE_IDS.subscription,
    });
  }
});
after(() => twin.close());

function clientFor(objectId: string) {
  return new AuthorizationManagementClient(twin.tokens.credential(objectId), IDS.subscriptionId, {
    endpoint: twin.baseUrl,
    credentialScopes: ['https://management.twin.test/.default'],
    retryOptions: { maxRetries: 0 },
  });
}

async function forGroup(objectId: string): Promise<Permission[]> {
  const out: Permission[] = [];
  for await (const p of clientFor(objectId).permissions.listForResourceGroup('rg-orders')) out.push(p);
  return out;
}

async function forPostgres(objectId: string): Promise<Permission[]> {
  const out: Permission[] = [];
  const pages = clientFor(objectId).permissions.listForResource(
    'rg-orders',
    'Microsoft.DBforPostgreSQL',
    '',
    'flexibleServers',
    'pg-orders',
  );
  for await (const p of pages) out.push(p);
  return out;
}

test('Reader on the subscription: one entry, */read, on the group and on the server', async () => {
  assert.deepEqual(await forGroup(callers.reader), [
    { actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] },
  ]);
  assert.deepEqual(await forPostgres(callers.reader), [
    { actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] },
  ]);
});

test('Contributor on the group: * minus the Microsoft.Authorization writes', async () => {
  const [entry, ...rest] = await forPostgres(callers.contributor);
  assert.deepEqual(rest, []);
  assert.deepEqual(entry!.actions, ['*']);
  assert.ok(entry!.notActions!.includes('Microsoft.Authorization/*/Write'));
  assert.ok(entry!.notActions!.includes('Microsoft.Authorization/*/Delete'));
  assert.ok(entry!.notActions!.includes('Microsoft.Authorization/elevateAccess/Action'));
});

test('Owner on the server only: one entry per applicable assignment (Owner on the server, Reader above)', async () => {
  const onServer = await forPostgres(callers.owner);
  assert.deepEqual(
    onServer.map((p) => p.actions),
    [['*'], ['*/read']],
  );
  assert.deepEqual(
    (await forGroup(callers.owner)).map((p) => p.actions),
    [['*/read']],
    'Owner on the server does not reach up to the group',
  );
});

test('a caller with no role at the scope cannot read permissions: 403 AuthorizationFailed', async () => {
  await assert.rejects(forGroup(callers.nobody), (error: unknown) => {
    assert.ok(isRestError(error));
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, 'AuthorizationFailed');
    assert.match(
      error.message,
      /'Microsoft\.Authorization\/permissions\/read' over scope '\/subscriptions\/[^/]+\/resourcegroups\/rg-orders'/,
    );
    return true;
  });
});

test('long permission lists page through nextLink and the SDK follows it', async () => {
  const all = await forGroup(callers.many);
  assert.equal(all.length, 150);
  const raw = await fetch(
    `${twin.baseUrl}${RESOURCE_IDS.resourceGroup}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`,
    {
      headers: { authorization: `Bearer ${twin.tokens.issue(callers.many, 'arm')}` },
    },
  );
  const body: any = await raw.json();
  assert.equal(body.value.length, 100);
  assert.match(body.nextLink, /\$skiptoken=100/);
});

test('the permissions answer has the spec example shape', async () => {
  const example = JSON.parse(
    readFileSync(
      new URL('./fixtures/authorization/GetResourcePermissions.2022-05-01-preview.json', import.meta.url),
      'utf8',
    ),
  );
  const raw = await fetch(
    `${twin.baseUrl}${RESOURCE_IDS.postgres}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`,
    {
      headers: { authorization: `Bearer ${twin.tokens.issue(IDS.dana, 'arm')}` },
    },
  );
  assert.deepEqual(shapeDifferences(await raw.json(), example.responses['200'].body), []);
});

test('the seeded role assignments are listed at a scope as ARM lists them', async () => {
  const raw = await fetch(
    `${twin.baseUrl}${RESOURCE_IDS.postgres}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent(`principalId eq '${callers.owner}'`)}`,
    { headers: { authorization: `Bearer ${twin.tokens.issue(IDS.dana, 'arm')}` } },
  );
  const body: any = await raw.json();
  assert.deepEqual(
    body.value.map((a: { properties: { roleDefinitionId: string; scope: string } }) => [
      a.properties.roleDefinitionId.split('/').pop(),
      a.properties.scope,
    ]),
    [
      ['8e3af657-a8ff-443c-a75c-2fe8c4bcb635', RESOURCE_IDS.postgres],
      ['acdd72a7-3385-48ef-bd42-f606fba81ae7', RESOURCE_IDS.subscription],
    ],
  );
});

test('a subscription answers its GET for anyone with a role inside it, and refuses anyone without', async () => {
  const get = (objectId: string) =>
    armRest(twin.baseUrl, twin.tokens.credential(objectId)).send(
      'GET',
      `${RESOURCE_IDS.subscription}?api-version=2022-12-01`,
    );
  // Contributor on rg-orders only: no Microsoft.Resources/subscriptions/read at the subscription.
  const member = await get(callers.contributor);
  assert.equal(member.status, 200);
  assert.equal(member.body.subscriptionId, IDS.subscriptionId);
  const outsider = await get(callers.nobody);
  assert.equal(outsider.status, 403);
  assert.equal(outsider.body.error.code, 'AuthorizationFailed');
  assert.match(outsider.body.error.message, /Microsoft\.Resources\/subscriptions\/read/);
});
