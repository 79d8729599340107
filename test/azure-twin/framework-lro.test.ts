/**
 * Long-running operations: both polling styles through core-lro's poller (what the SDKs'
 * `beginXAndWait` use), the raw status/result shapes, failures, and work that runs once on its timer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AzureError, type RouteSpec } from './api.ts';
import { IDS, startTwin, type Twin } from './index.ts';
import { runLro } from './testing/arm-client.ts';

const RG = `/subscriptions/${IDS.subscriptionId}/resourceGroups/rg-orders`;
const WIDGET =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Twin/widgets/{widgetName}';
const idOf = (p: Record<string, string>) =>
  `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Twin/widgets/${p.widgetName}`;

let workRuns = 0;

const routes: RouteSpec[] = [
  {
    method: 'PUT',
    path: WIDGET,
    audience: 'arm',
    action: 'Microsoft.Twin/widgets/write',
    handler: (req, twin) => {
      const id = idOf(req.params);
      const resource = {
        id,
        name: req.params.widgetName!,
        type: 'Microsoft.Twin/widgets',
        properties: { ...req.body?.properties },
      };
      return twin.startLro(req, {
        style: 'azure-async-operation',
        initialStatus: 201,
        initialBody: { ...resource, properties: { ...resource.properties, provisioningState: 'Accepted' } },
        resourceId: id,
        work: () => {
          workRuns++;
          if (req.body?.properties?.jam)
            throw new AzureError(409, 'WidgetJammed', 'The widget jammed while turning.');
          twin.store.put({
            ...resource,
            properties: { ...resource.properties, provisioningState: 'Succeeded' },
          });
        },
      });
    },
  },
  {
    method: 'GET',
    path: WIDGET,
    audience: 'arm',
    handler: (req, twin) => {
      const found = twin.store.get(idOf(req.params));
      if (!found) throw new AzureError(404, 'ResourceNotFound', 'not found');
      return { status: 200, body: found };
    },
  },
  {
    method: 'POST',
    path: `${WIDGET}/polish`,
    audience: 'arm',
    handler: (req, twin) =>
      twin.startLro(req, {
        style: 'location',
        initialStatus: 202,
        resourceId: idOf(req.params),
        work: () => {
          if (req.body?.fail) throw new AzureError(400, 'PolishMissing', 'No polish left.');
        },
        result: () => ({ shine: 'bright', widget: req.params.widgetName }),
      }),
  },
];

let fast: Twin;
let slow: Twin;

before(async () => {
  [fast, slow] = await Promise.all([
    startTwin({ scenario: 'empty', extraRoutes: routes }),
    startTwin({ scenario: 'empty', extraRoutes: routes, lroDelayMs: 400 }),
  ]);
});
after(() => Promise.all([fast.close(), slow.close()]));

test('azure-async-operation: core-lro polls the status URL on the twin, then GETs the resource', async () => {
  const { result, polls } = await runLro(
    fast,
    'PUT',
    `${RG}/providers/Microsoft.Twin/widgets/w1?api-version=2024-01-01`,
    { properties: { size: 1 } },
    'azure-async-operation',
  );
  assert.deepEqual((result as { properties: unknown }).properties, {
    size: 1,
    provisioningState: 'Succeeded',
  });
  assert.ok(polls.length >= 1);
  assert.match(
    polls[0]!,
    new RegExp(
      `^${fast.baseUrl}/subscriptions/${IDS.subscriptionId}/providers/Microsoft.Twin/locations/eastus/operationStatuses/[0-9a-f-]{36}\\?api-version=2024-01-01$`,
    ),
  );
});

test('location: core-lro polls the Location URL until it answers with the result', async () => {
  const { result, polls } = await runLro(
    fast,
    'POST',
    `${RG}/providers/Microsoft.Twin/widgets/w1/polish?api-version=2024-01-01`,
    {},
    'location',
  );
  assert.deepEqual(result, { shine: 'bright', widget: 'w1' });
  assert.match(polls[0]!, /\/operationResults\/[0-9a-f-]{36}\?api-version=2024-01-01$/);
});

test('a failed operation makes the poller throw with the code and message of the failure', async () => {
  await assert.rejects(
    runLro(
      fast,
      'PUT',
      `${RG}/providers/Microsoft.Twin/widgets/w2?api-version=2024-01-01`,
      { properties: { jam: true } },
      'azure-async-operation',
    ),
    (error: Error) =>
      /WidgetJammed/.test(error.message) && /The widget jammed while turning\./.test(error.message),
  );
  assert.equal(fast.store.get(`${RG}/providers/Microsoft.Twin/widgets/w2`), undefined);
  await assert.rejects(
    runLro(
      fast,
      'POST',
      `${RG}/providers/Microsoft.Twin/widgets/w1/polish?api-version=2024-01-01`,
      { fail: true },
      'location',
    ),
    (error: Error & { code?: string; statusCode?: number }) =>
      error.code === 'PolishMissing' || /PolishMissing|No polish left/.test(error.message),
  );
});

const admin = (twin: Twin) => ({
  authorization: `Bearer ${twin.tokens.issue(IDS.dana, 'arm')}`,
  'content-type': 'application/json',
});

test('status bodies: InProgress with startTime while the delay runs, then Succeeded with endTime', async () => {
  const started = Date.now();
  const initial = await fetch(
    `${slow.baseUrl}${RG}/providers/Microsoft.Twin/widgets/w3?api-version=2024-01-01`,
    {
      method: 'PUT',
      headers: admin(slow),
      body: JSON.stringify({ properties: {} }),
    },
  );
  assert.equal(initial.status, 201);
  assert.equal(((await initial.json()) as any).properties.provisioningState, 'Accepted');
  const statusUrl = initial.headers.get('azure-asyncoperation')!;
  assert.ok(statusUrl.startsWith(`${slow.baseUrl}/`));
  assert.equal(initial.headers.get('retry-after'), '0');
  assert.equal(initial.headers.get('location'), null, '201 answers carry only Azure-AsyncOperation');

  const running: any = await (await fetch(statusUrl, { headers: admin(slow) })).json();
  assert.equal(running.status, 'InProgress');
  assert.equal(running.name, statusUrl.match(/operationStatuses\/([^?]+)/)![1]);
  assert.equal(running.resourceId, `${RG}/providers/Microsoft.Twin/widgets/w3`);
  assert.ok(!('endTime' in running));
  assert.ok(Date.now() - started < 400);

  await new Promise((resolve) => setTimeout(resolve, 450 - (Date.now() - started)));
  const done: any = await (await fetch(statusUrl, { headers: admin(slow) })).json();
  assert.equal(done.status, 'Succeeded');
  assert.ok(Date.parse(done.endTime) >= Date.parse(done.startTime));
});

test('location flavour answers 202 with Location until done, then 200 with the result', async () => {
  const initial = await fetch(
    `${slow.baseUrl}${RG}/providers/Microsoft.Twin/widgets/w3/polish?api-version=2024-01-01`,
    {
      method: 'POST',
      headers: admin(slow),
      body: '{}',
    },
  );
  assert.equal(initial.status, 202);
  const location = initial.headers.get('location')!;
  const pending = await fetch(location, { headers: admin(slow) });
  assert.equal(pending.status, 202);
  assert.equal(pending.headers.get('location'), location);
  await new Promise((resolve) => setTimeout(resolve, 450));
  const finished = await fetch(location, { headers: admin(slow) });
  assert.equal(finished.status, 200);
  assert.deepEqual(await finished.json(), { shine: 'bright', widget: 'w3' });
});

test('the work runs exactly once when the delay passes, even if nobody polls', async () => {
  const before = workRuns;
  const initial = await fetch(
    `${slow.baseUrl}${RG}/providers/Microsoft.Twin/widgets/w4?api-version=2024-01-01`,
    {
      method: 'PUT',
      headers: admin(slow),
      body: JSON.stringify({ properties: { quiet: true } }),
    },
  );
  assert.equal(initial.status, 201);
  assert.equal(
    slow.store.get(`${RG}/providers/Microsoft.Twin/widgets/w4`),
    undefined,
    'not before the delay',
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(
    slow.store.get(`${RG}/providers/Microsoft.Twin/widgets/w4`)?.properties?.provisioningState,
    'Succeeded',
  );
  const statusUrl = initial.headers.get('azure-asyncoperation')!;
  await fetch(statusUrl, { headers: admin(slow) });
  await fetch(statusUrl, { headers: admin(slow) });
  assert.equal(workRuns - before, 1);
  assert.ok(slow.state().operations.some((op) => op.resourceId.endsWith('/w4') && op.status === 'Succeeded'));
});
