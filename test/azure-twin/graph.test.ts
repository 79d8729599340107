/**
 * Microsoft Graph in the twin, through the real @microsoft/microsoft-graph-client (which attaches the
 * token only for https hosts listed in customHosts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, type GraphError } from '@microsoft/microsoft-graph-client';
import { GRAPH_APP_ID, IDS, startTwin, type Twin } from './index.ts';
import { RESOURCE_IDS } from './scenarios.ts';

let twin: Twin;
let graph: Client;

function clientAs(principal: string, audience: 'graph' | 'arm' = 'graph'): Client {
  return Client.init({
    baseUrl: twin.graphUrl,
    customHosts: new Set(['localhost']) as unknown as Set<string>,
    authProvider: (done) => done(null, twin.tokens.issue(principal, audience)),
  });
}

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
  graph = clientAs(IDS.dana);
});
after(() => twin.close());

const uami = () => twin.world.principals.find((p) => p.alternativeId === RESOURCE_IDS.identity)!;

test('/me returns the signed-in user with @odata.context', async () => {
  const me = await graph.api('/me').get();
  assert.equal(me['@odata.context'], `${twin.graphUrl}/v1.0/$metadata#users/$entity`);
  assert.equal(me.id, IDS.dana);
  assert.equal(me.userPrincipalName, 'dana@contoso.twin.test');
  assert.equal(me.displayName, 'Dana Developer');
});

test('the Microsoft Graph service principal has User.Read.All, GroupMember.Read.All and Application.Read.All', async () => {
  const byAppId = await graph.api(`/servicePrincipals(appId='${GRAPH_APP_ID}')`).get();
  assert.equal(byAppId.id, IDS.graphServicePrincipal);
  const roles = Object.fromEntries(
    byAppId.appRoles.map((r: { value: string; id: string }) => [r.value, r.id]),
  );
  assert.deepEqual(roles, {
    'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
    'GroupMember.Read.All': '98830695-27a2-44f7-8c18-0c3ebc9698f6',
    'Application.Read.All': '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
  });
  const filtered = await graph.api('/servicePrincipals').filter(`appId eq '${GRAPH_APP_ID}'`).get();
  assert.deepEqual(
    filtered.value.map((sp: { id: string }) => sp.id),
    [IDS.graphServicePrincipal],
  );
  assert.equal(filtered['@odata.context'], `${twin.graphUrl}/v1.0/$metadata#servicePrincipals`);
});

test('a managed identity is found by id, by appId and by servicePrincipalNames', async () => {
  const identity = uami();
  const byId = await graph.api(`/servicePrincipals/${identity.objectId}`).get();
  assert.equal(byId.servicePrincipalType, 'ManagedIdentity');
  assert.deepEqual(byId.alternativeNames, ['isExplicit=True', RESOURCE_IDS.identity]);
  const bySpn = await graph
    .api('/servicePrincipals')
    .filter(`servicePrincipalNames/any(c:c eq '${identity.appId}')`)
    .get();
  assert.deepEqual(
    bySpn.value.map((sp: { id: string }) => sp.id),
    [identity.objectId],
  );
  const none = await graph.api('/servicePrincipals').filter(`servicePrincipalNames/any(c:c eq 'nope')`).get();
  assert.deepEqual(none.value, []);
});

test("the MySQL identity's app role assignments list the three Graph roles (healthy scenario)", async () => {
  const identity = uami();
  const assignments = await graph.api(`/servicePrincipals/${identity.objectId}/appRoleAssignments`).get();
  assert.deepEqual(
    assignments.value
      .map((a: { appRoleId: string; resourceId: string; principalId: string }) => [
        a.appRoleId,
        a.resourceId,
        a.principalId,
      ])
      .sort(),
    [
      ['98830695-27a2-44f7-8c18-0c3ebc9698f6', IDS.graphServicePrincipal, identity.objectId],
      ['9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', IDS.graphServicePrincipal, identity.objectId],
      ['df021288-bdef-4463-88db-98f22de89214', IDS.graphServicePrincipal, identity.objectId],
    ],
  );
});

test('granting an app role through POST shows up in the next read and in the state', async () => {
  const app = twin.context.addPrincipal({
    objectId: '5e5e5e5e-0000-4000-8000-000000000001',
    appId: '5e5e5e5e-0000-4000-8000-0000000000a1',
    tenantId: IDS.tenantId,
    kind: 'managedIdentity',
    displayName: 'id-new',
    alternativeId: `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-new`,
  });
  const created = await graph.api(`/servicePrincipals/${app.objectId}/appRoleAssignments`).post({
    principalId: app.objectId,
    resourceId: IDS.graphServicePrincipal,
    appRoleId: 'df021288-bdef-4463-88db-98f22de89214',
  });
  assert.equal(created.principalDisplayName, 'id-new');
  assert.equal(created.resourceDisplayName, 'Microsoft Graph');
  const listed = await graph.api(`/servicePrincipals/${app.objectId}/appRoleAssignments`).get();
  assert.equal(listed.value.length, 1);
  assert.ok(twin.state().world.appRoleAssignments.some((a) => a.principalId === app.objectId));
});

test("an unknown id is Graph's 404 Request_ResourceNotFound with innerError", async () => {
  const missing = '00000000-0000-4000-8000-00000000f00d';
  await assert.rejects(graph.api(`/servicePrincipals/${missing}`).get(), (error: GraphError) => {
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'Request_ResourceNotFound');
    assert.match(error.message, new RegExp(`Resource '${missing}' does not exist`));
    return true;
  });
  const raw = await fetch(`${twin.graphUrl}/v1.0/servicePrincipals/${missing}`, {
    headers: { authorization: `Bearer ${twin.tokens.issue(IDS.dana, 'graph')}` },
  });
  const body: any = await raw.json();
  assert.deepEqual(Object.keys(body.error.innerError).sort(), ['client-request-id', 'date', 'request-id']);
});

test('an ARM token is refused by Graph (401 InvalidAuthenticationToken)', async () => {
  await assert.rejects(clientAs(IDS.dana, 'arm').api('/me').get(), (error: GraphError) => {
    assert.equal(error.statusCode, 401);
    assert.equal(error.code, 'InvalidAuthenticationToken');
    return true;
  });
});

test('without customHosts the client sends no token and Graph answers 401', async () => {
  const bare = Client.init({
    baseUrl: twin.graphUrl,
    authProvider: (done) => done(null, twin.tokens.issue(IDS.dana, 'graph')),
  });
  await assert.rejects(
    bare.api('/me').get(),
    (error: GraphError) => error.statusCode === 401 && /empty/.test(error.message),
  );
});
