/**
 * The target pickers on screen: the real chooser (`askTarget`) asks through the Ink-backed prompter of
 * the App, and lists from the local Azure twin (scenario healthy). Keys as a user types them: the
 * spinner while a list loads, the step counter, arrows, type-to-filter, enter, esc back, and a listing
 * error shown as a message.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { type AzureSession, createAzureSession } from '../../source/azure/session.ts';
import { createPromptChannel } from '../../source/core/prompter.ts';
import { askTarget } from '../../source/doctor/choose-target.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { keys, renderDoctor } from '../helpers/render-ui.tsx';

let twin: Twin;
let azure: AzureSession;

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
  const env = Object.fromEntries(
    Object.entries(twin.env()).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  azure = createAzureSession({ exec: nodeExec, env, now: Date.now }, { tls: { ca: twin.caPem } });
});

afterEach(() => {
  cleanup();
  twin.faults.clear();
});

after(async () => {
  azure?.dispose();
  await twin?.close();
});

const SERVER_LISTS =
  /\/providers\/Microsoft\.(DBforPostgreSQL\/flexibleServers|DBforMySQL\/flexibleServers|Sql\/servers)$/;
/** Lists come from the twin over HTTPS: on a busy machine that takes longer than a frame. */
const TWIN_WAIT_MS = 15_000;
const lastLine = (frame: string) => frame.trimEnd().split('\n').at(-1);
const highlighted = (frame: string) =>
  frame
    .split('\n')
    .find((line) => line.startsWith('❯'))
    ?.trim();

function start() {
  const prompts = createPromptChannel();
  const rendered = renderDoctor({ prompts });
  const ui = {
    ...rendered,
    waitFor: (predicate: (frame: string) => boolean, what: string) =>
      rendered.waitFor(predicate, what, TWIN_WAIT_MS),
  };
  const cancel = new AbortController();
  const target = askTarget(prompts.prompter, azure, IDS.subscriptionId, cancel.signal);
  return { ui, target, cancel };
}

test('server, database and app chosen with arrows, filter, enter and esc; a spinner while the servers load', async () => {
  // Slow enough that the spinner is on screen before the servers arrive.
  twin.faults.add({ method: 'GET', path: SERVER_LISTS, delayMs: 400, times: 3 });
  const { ui, target } = start();

  let frame = await ui.waitFor((f) => f.includes('loading…'), 'the spinner while servers load');
  assert.match(frame, /^Which database server\? +step 1 of 3$/m);
  assert.match(frame, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] loading…/);
  assert.equal(lastLine(frame), '↑↓ move  type to filter  enter choose  esc back');

  frame = await ui.waitFor((f) => f.includes('pg-orders'), 'the server list');
  assert.doesNotMatch(frame, /loading…/);
  assert.match(frame, /❯ MySQL {7}mysql-orders +rg-orders +eastus/);
  assert.match(frame, / {2}PostgreSQL {2}pg-orders +rg-orders +eastus/);
  assert.match(frame, / {2}Azure SQL {3}sql-orders +rg-orders +eastus/);
  assert.match(frame, /next time: --server/);

  // Arrows move (and wrap).
  await ui.press(keys.down);
  await ui.waitFor((f) => highlighted(f)?.includes('pg-orders') === true, 'pg-orders highlighted');
  await ui.press(keys.up);
  await ui.press(keys.up);
  await ui.waitFor((f) => highlighted(f)?.includes('sql-orders') === true, 'wrapped to sql-orders');

  // Typing filters; enter picks the first that is left.
  for (const key of 'postg') await ui.press(key);
  frame = await ui.waitFor((f) => f.includes('filter: postg_'), 'the typed filter');
  assert.match(highlighted(frame) ?? '', /PostgreSQL {2}pg-orders/);
  assert.doesNotMatch(frame, /mysql-orders|sql-orders/);
  await ui.press(keys.enter);

  frame = await ui.waitFor((f) => /Which database on pg-orders\? +step 2 of 3/.test(f), 'the database step');
  frame = await ui.waitFor((f) => f.includes('(none)'), 'the databases');
  assert.match(highlighted(frame) ?? '', /^❯ orders$/);
  assert.match(frame, /next time: --database/);

  // esc goes back to the servers, with a fresh filter.
  await ui.press(keys.escape);
  frame = await ui.waitFor(
    (f) => /Which database server\? +step 1 of 3/.test(f) && f.includes('pg-orders'),
    'step 1 again',
  );
  assert.match(frame, /filter: _/);
  for (const key of 'pg') await ui.press(key);
  await ui.waitFor((f) => f.includes('filter: pg_'), 'the filter');
  await ui.press(keys.enter);
  await ui.waitFor((f) => /Which database on pg-orders\?/.test(f) && f.includes('(none)'), 'the databases');
  await ui.press(keys.enter);

  frame = await ui.waitFor(
    (f) => /What should connect to pg-orders\/orders\? +step 3 of 3/.test(f) && f.includes('orders-worker'),
    'the app step',
  );
  assert.match(frame, /App Service {4}orders-api +rg-orders +eastus +app,linux/);
  assert.match(frame, /Container App {2}orders-worker +rg-orders +eastus/);
  assert.match(frame, /Spring App {5}orders-spring +rg-orders +eastus/);
  assert.match(frame, /next time: --app/);
  for (const key of 'contain') await ui.press(key);
  await ui.waitFor((f) => f.includes('filter: contain_') && !f.includes('orders-api'), 'container apps only');
  await ui.press(keys.enter);

  assert.deepEqual(await target, {
    serverId: RESOURCE_IDS.postgres,
    database: NAMES.database,
    sourceId: RESOURCE_IDS.containerApp,
    target: 'containerapp',
  });
});

test('a server type that cannot be listed is named under the list; the others can still be chosen', async () => {
  twin.faults.add({
    method: 'GET',
    path: /\/providers\/Microsoft\.Sql\/servers$/,
    status: 403,
    code: 'AuthorizationFailed',
  });
  const { ui, target, cancel } = start();
  const frame = await ui.waitFor((f) => f.includes('pg-orders'), 'the server list');
  assert.match(frame, /^! could not list Azure SQL servers: 403 AuthorizationFailed/m);
  assert.doesNotMatch(frame, /Azure SQL {3}sql-orders/);
  assert.match(frame, /MySQL {7}mysql-orders/);
  cancel.abort();
  assert.equal(await target, undefined);
});

test('a server list that cannot be read shows why instead of a list; esc goes on without a target', async () => {
  twin.faults.add({ method: 'GET', path: SERVER_LISTS, status: 403, code: 'AuthorizationFailed', times: 3 });
  const { ui, target } = start();
  const frame = await ui.waitFor((f) => f.includes('could not load the list'), 'the listing error');
  const text = frame.replace(/\s+/g, ' ');
  assert.match(text, /could not load the list: could not list PostgreSQL servers: 403 AuthorizationFailed/);
  assert.match(text, /MySQL servers: 403 AuthorizationFailed/);
  assert.match(text, /Azure SQL servers: 403 AuthorizationFailed/);
  assert.doesNotMatch(frame, /\n\s+at /, 'no stack trace');
  await ui.press(keys.enter);
  await ui.press(keys.escape);
  assert.equal(await target, undefined);
});
