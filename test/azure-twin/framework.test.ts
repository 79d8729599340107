/**
 * The twin's request pipeline: routing, authentication, api-version, parent checks, RBAC, error
 * shapes, request ids, paging, and the state endpoint.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AzureError, type RouteSpec } from './api.ts';
import { page } from './framework/paging.ts';
import { ADMIN_HEADER, IDS, startTwin, type Twin } from './index.ts';
import { RESOURCE_IDS } from './scenarios.ts';

const RG = `/subscriptions/${IDS.subscriptionId}/resourceGroups/rg-orders`;
const WIDGET =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Twin/widgets/{widgetName}';
const widgetId = (p: Record<string, string>) =>
  `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Twin/widgets/${p.widgetName}`;
const groupOf = (p: Record<string, string>) => [
  `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}`,
];

/** A tiny provider that exists only to exercise the framework. */
const routes: RouteSpec[] = [
  {
    method: 'PUT',
    path: WIDGET,
    audience: 'arm',
    action: 'Microsoft.Twin/widgets/write',
    parents: groupOf,
    handler: (req, twin) => ({
      status: 200,
      body: twin.store.put({
        id: widgetId(req.params),
        name: req.params.widgetName!,
        type: 'Microsoft.Twin/widgets',
        properties: req.body?.properties ?? {},
      }),
    }),
  },
  {
    method: 'GET',
    path: WIDGET,
    audience: 'arm',
    action: 'Microsoft.Twin/widgets/read',
    parents: groupOf,
    handler: (req, twin) => {
      const found = twin.store.get(widgetId(req.params));
      if (!found)
        throw new AzureError(
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.Twin/widgets/${req.params.widgetName}' under resource group '${req.params.resourceGroupName}' was not found.`,
        );
      return { status: 200, body: found };
    },
  },
  {
    method: 'GET',
    path: `${WIDGET}/gears/{gearName}`,
    audience: 'arm',
    action: 'Microsoft.Twin/widgets/gears/read',
    parents: (p) => [...groupOf(p), widgetId(p)],
    handler: () => ({ status: 200, body: { name: 'gear' } }),
  },
  {
    method: 'GET',
    path: '/subscriptions/{subscriptionId}/providers/Microsoft.Twin/numbers',
    audience: 'arm',
    handler: (req) => ({
      status: 200,
      body: page(
        req,
        Array.from({ length: 250 }, (_, i) => i),
      ),
    }),
  },
];

let twin: Twin;
let token: string;

before(async () => {
  twin = await startTwin({ extraRoutes: routes });
  token = twin.tokens.issue(IDS.dana, 'arm');
});
after(() => twin.close());

async function call(
  method: string,
  path: string,
  options: { token?: string | null; body?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = options.token === undefined ? token : options.token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path.startsWith('http') ? path : `${twin.baseUrl}${path}`, {
    method,
    headers,
    body: options.body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

test('serves HTTPS on 127.0.0.1 with a certificate this process verifies', async () => {
  assert.match(twin.baseUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(twin.graphUrl, twin.baseUrl.replace('127.0.0.1', 'localhost'));
  const { status } = await call('GET', `/subscriptions/${IDS.subscriptionId}?api-version=2022-12-01`);
  assert.equal(status, 200);
});

test('connections stay open as ARM keeps them: no Keep-Alive timeout hint, and a keep-alive client reuses one', async () => {
  const { Agent, request } = await import('node:https');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const before = twin.connections();
  const hints: unknown[] = [];
  for (let i = 0; i < 5; i++)
    await new Promise<void>((resolve, reject) => {
      const req = request(
        `${twin.baseUrl}/subscriptions/${IDS.subscriptionId}?api-version=2022-12-01`,
        { agent, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          hints.push(res.headers['keep-alive']);
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
  agent.destroy();
  assert.deepEqual(hints, [undefined, undefined, undefined, undefined, undefined]);
  assert.equal(twin.connections() - before, 1, 'five requests, one connection');
});

test('routes match case-insensitively, collapse doubled slashes, and keep the casing sent in params', async () => {
  const put = await call('PUT', `${RG}/providers/Microsoft.Twin/widgets/Cog?api-version=2024-01-01`, {
    body: '{"properties":{"size":3}}',
  });
  assert.equal(put.status, 200);
  assert.equal(put.body.name, 'Cog');
  const get = await call(
    'GET',
    `/${RG.toUpperCase()}/PROVIDERS/microsoft.twin/WIDGETS/cog?api-version=2024-01-01`,
  );
  assert.equal(get.status, 200, JSON.stringify(get.body));
  assert.deepEqual(get.body.properties, { size: 3 });
});

test('every answer carries x-ms-request-id and echoes the correlation id', async () => {
  const ok = await call('GET', `${RG}/providers/Microsoft.Twin/widgets/Cog?api-version=2024-01-01`, {
    headers: { 'x-ms-correlation-request-id': 'corr-123' },
  });
  assert.match(ok.headers.get('x-ms-request-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(ok.headers.get('x-ms-correlation-request-id'), 'corr-123');
  const failed = await call('GET', `${RG}/providers/Microsoft.Twin/widgets/none?api-version=2024-01-01`);
  assert.match(failed.headers.get('x-ms-request-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.match(failed.headers.get('x-ms-correlation-request-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('a missing bearer token is 401 AuthenticationFailed (as ARM answers) with a WWW-Authenticate challenge', async () => {
  const { status, headers, body } = await call(
    'GET',
    `/subscriptions/${IDS.subscriptionId}?api-version=2022-12-01`,
    { token: null },
  );
  assert.equal(status, 401);
  assert.equal(body.error.code, 'AuthenticationFailed');
  assert.equal(body.error.message, "Authentication failed. The 'Authorization' header is missing.");
  assert.match(
    headers.get('www-authenticate') ?? '',
    /^Bearer authorization_uri="https:\/\/login\.twin\.test\/[0-9a-f-]+"/,
  );
});

test('an Authorization header that is not a bearer token is 401 AuthenticationFailedInvalidHeader', async () => {
  const { status, body } = await call('GET', `/subscriptions/${IDS.subscriptionId}?api-version=2022-12-01`, {
    token: null,
    headers: { authorization: 'Basic ZGFuYTpodW50ZXIy' },
  });
  assert.equal(status, 401);
  assert.equal(body.error.code, 'AuthenticationFailedInvalidHeader');
});

test('a forged or garbled token is 401 InvalidAuthenticationToken', async () => {
  const [header, payload] = token.split('.');
  for (const bad of ['not-a-jwt', `${header}.${payload}.AAAA`]) {
    const { status, body } = await call(
      'GET',
      `/subscriptions/${IDS.subscriptionId}?api-version=2022-12-01`,
      { token: bad },
    );
    assert.equal(status, 401);
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
  }
});

test('a token for another audience is 401 InvalidAuthenticationTokenAudience; ARM audience variants are accepted', async () => {
  const wrong = await call('GET', `/subscriptions/${IDS.subscriptionId}?api-version=2022-12-01`, {
    token: twin.tokens.issue(IDS.dana, 'ossrdbms'),
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error.code, 'InvalidAuthenticationTokenAudience');
  assert.match(wrong.body.error.message, /wrong audience or resource 'https:\/\/ossrdbms-aad\.twin\.test'/);
  for (const audience of [
    'https://management.twin.test/.default',
    'https://management.twin.test',
    'https://management.twin.test//.default',
  ]) {
    const ok = await call('GET', `/subscriptions/${IDS.subscriptionId}?api-version=2022-12-01`, {
      token: twin.tokens.issue(IDS.dana, audience),
    });
    assert.equal(ok.status, 200, audience);
  }
  const graphToken = await call('GET', `/subscriptions/${IDS.subscriptionId}?api-version=2022-12-01`, {
    token: twin.tokens.issue(IDS.dana, 'graph'),
  });
  assert.equal(graphToken.body.error.code, 'InvalidAuthenticationTokenAudience');
});

test('ARM calls without api-version are 400 MissingApiVersionParameter', async () => {
  const { status, body } = await call('GET', `/subscriptions/${IDS.subscriptionId}`);
  assert.equal(status, 400);
  assert.equal(body.error.code, 'MissingApiVersionParameter');
});

test('a malformed JSON body never reaches the handler: 400 InvalidRequestContent', async () => {
  const { status, body } = await call(
    'PUT',
    `${RG}/providers/Microsoft.Twin/widgets/broken?api-version=2024-01-01`,
    { body: '{"properties":' },
  );
  assert.equal(status, 400);
  assert.equal(body.error.code, 'InvalidRequestContent');
  assert.equal(twin.store.get(`${RG}/providers/Microsoft.Twin/widgets/broken`), undefined);
});

test('a missing resource group is ResourceGroupNotFound, a missing parent ParentResourceNotFound', async () => {
  const group = await call(
    'GET',
    `/subscriptions/${IDS.subscriptionId}/resourceGroups/rg-nope/providers/Microsoft.Twin/widgets/x?api-version=2024-01-01`,
  );
  assert.equal(group.status, 404);
  assert.deepEqual(group.body, {
    error: { code: 'ResourceGroupNotFound', message: "Resource group 'rg-nope' could not be found." },
  });
  const parent = await call(
    'GET',
    `${RG}/providers/Microsoft.Twin/widgets/ghost/gears/g1?api-version=2024-01-01`,
  );
  assert.equal(parent.status, 404);
  assert.deepEqual(parent.body, {
    error: {
      code: 'ParentResourceNotFound',
      message: "Can not perform requested operation on nested resource. Parent resource 'ghost' not found.",
    },
  });
});

test('an unknown subscription is SubscriptionNotFound', async () => {
  const { status, body } = await call(
    'GET',
    '/subscriptions/00000000-0000-0000-0000-00000000dead/resourceGroups/rg?api-version=2022-12-01',
  );
  assert.equal(status, 404);
  assert.equal(body.error.code, 'SubscriptionNotFound');
});

test('an unknown resource type is InvalidResourceType; a known type that is absent is ResourceNotFound', async () => {
  const unknown = await call('GET', `${RG}/providers/Microsoft.Nope/gadgets/g1?api-version=2024-01-01`);
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.body, {
    error: {
      code: 'InvalidResourceType',
      message:
        "The resource type 'gadgets' could not be found in the namespace 'Microsoft.Nope' for api version '2024-01-01'.",
    },
  });
  const absent = await call('GET', `${RG}/providers/Microsoft.Twin/widgets/none?api-version=2024-01-01`);
  assert.equal(absent.status, 404);
  assert.equal(absent.body.error.code, 'ResourceNotFound');
});

test('a caller without the action gets 403 AuthorizationFailed naming client, object id, action and scope', async () => {
  const reader = twin.context.addPrincipal({
    objectId: '7e7e7e7e-0000-4000-8000-000000000001',
    tenantId: IDS.tenantId,
    kind: 'user',
    displayName: 'Riley Reader',
    userPrincipalName: 'riley@contoso.twin.test',
  });
  twin.world.roleAssignments.push({ principalId: reader.objectId, roleName: 'Reader', scope: RG });
  const readerToken = twin.tokens.issue(reader.objectId, 'arm');
  const read = await call('GET', `${RG}/providers/Microsoft.Twin/widgets/Cog?api-version=2024-01-01`, {
    token: readerToken,
  });
  assert.equal(read.status, 200);
  const write = await call('PUT', `${RG}/providers/Microsoft.Twin/widgets/Cog2?api-version=2024-01-01`, {
    token: readerToken,
    body: '{}',
  });
  assert.equal(write.status, 403);
  assert.deepEqual(write.body, {
    error: {
      code: 'AuthorizationFailed',
      message: `The client 'riley@contoso.twin.test' with object id '${reader.objectId}' does not have authorization to perform action 'Microsoft.Twin/widgets/write' over scope '${RG}/providers/Microsoft.Twin/widgets/Cog2' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    },
  });
  // An app is named by its app id.
  const app = twin.context.addPrincipal({
    objectId: '7e7e7e7e-0000-4000-8000-000000000002',
    appId: 'a99a99a9-0000-4000-8000-000000000002',
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName: 'ci-bot',
  });
  const denied = await call('GET', `${RG}/providers/Microsoft.Twin/widgets/Cog?api-version=2024-01-01`, {
    token: twin.tokens.issue(app.objectId, 'arm'),
  });
  assert.equal(denied.status, 403);
  assert.match(
    denied.body.error.message,
    /^The client 'a99a99a9-0000-4000-8000-000000000002' with object id '7e7e7e7e-0000-4000-8000-000000000002'/,
  );
});

test('page() splits long lists with an absolute nextLink carrying $skiptoken and the api-version', async () => {
  const first = await call(
    'GET',
    `/subscriptions/${IDS.subscriptionId}/providers/Microsoft.Twin/numbers?api-version=2024-01-01`,
  );
  assert.equal(first.body.value.length, 100);
  const next = new URL(first.body.nextLink);
  assert.equal(next.origin, twin.baseUrl);
  assert.equal(next.searchParams.get('api-version'), '2024-01-01');
  assert.equal(next.searchParams.get('$skiptoken'), '100');
  const second = await call('GET', first.body.nextLink);
  const third = await call('GET', second.body.nextLink);
  assert.deepEqual(
    [...first.body.value, ...second.body.value, ...third.body.value],
    Array.from({ length: 250 }, (_, i) => i),
  );
  assert.equal(third.body.nextLink, undefined);
});

test('resource groups and subscriptions are served for the doctor', async () => {
  const group = await call('GET', `${RG}?api-version=2022-12-01`);
  assert.deepEqual(group.body, {
    id: RESOURCE_IDS.resourceGroup,
    name: 'rg-orders',
    type: 'Microsoft.Resources/resourceGroups',
    location: 'eastus',
    properties: { provisioningState: 'Succeeded' },
  });
  const subs = await call('GET', '/subscriptions?api-version=2022-12-01');
  assert.deepEqual(
    subs.body.value.map((s: { displayName: string }) => s.displayName),
    ['Contoso Dev'],
  );
});

test('the state endpoint needs the admin header and shows changes made through the API', async () => {
  const denied = await fetch(`${twin.baseUrl}/_twin/state`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(denied.status, 401);
  const before: any = await (
    await fetch(`${twin.baseUrl}/_twin/state`, { headers: { [ADMIN_HEADER]: twin.adminKey } })
  ).json();
  assert.equal(before.world.tenantId, IDS.tenantId);
  assert.ok(!before.resources.some((r: { name: string }) => r.name === 'Sprocket'));
  await call('PUT', `${RG}/providers/Microsoft.Twin/widgets/Sprocket?api-version=2024-01-01`, {
    body: '{"properties":{"teeth":12}}',
  });
  const afterState: any = await (
    await fetch(`${twin.baseUrl}/_twin/state`, { headers: { [ADMIN_HEADER]: twin.adminKey } })
  ).json();
  const added = afterState.resources.filter(
    (r: { id: string }) => !before.resources.some((b: { id: string }) => b.id === r.id),
  );
  assert.deepEqual(
    added.map((r: { name: string; properties: unknown }) => [r.name, r.properties]),
    [['Sprocket', { teeth: 12 }]],
  );
  assert.deepEqual(twin.state().resources.length, afterState.resources.length);
});

test('env() puts the stand-in az first on PATH and appends the twin CA to the system bundle', async () => {
  const env = twin.env({ EXTRA: '1' });
  assert.match(env.PATH ?? '', /test\/azure-twin\/bin:/);
  assert.equal(env.AZ_TWIN_URL, twin.baseUrl);
  assert.equal(env.EXTRA, '1');
  const { readFile } = await import('node:fs/promises');
  const bundle = await readFile(env.NODE_EXTRA_CA_CERTS!, 'utf8');
  assert.ok(bundle.endsWith(`${twin.caPem.trim()}\n`) || bundle.includes(twin.caPem.trim()));
  const system = await readFile('/etc/ssl/certs/ca-certificates.crt', 'utf8').catch(() => '');
  if (system)
    assert.ok(bundle.startsWith(system.trimEnd().slice(0, 200)), 'the system bundle is kept, not replaced');
});
