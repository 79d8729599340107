/**
 * The target pickers in a real terminal, from the first screen to the doctor's result: the built CLI
 * runs in a private tmux pane against the local Azure twin (scenario healthy) with the twin's env, the
 * way a developer runs it after `npm run twin` and `. .twin/env`. No target flag is given, so after
 * the base checks the CLI asks for the server, the database and the app; the test types a filter and
 * answers with enter, then reads the target checks' rows and quits with q.
 */
import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, tempDir } from '../helpers/build.ts';
import { openPane } from '../helpers/tmux.ts';

let twin: Twin;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'healthy' });
});

after(async () => {
  await twin?.close();
});

test('no target flags in a terminal: pick pg-orders, orders and orders-api, and the doctor checks them', async () => {
  // A local listener stands for the database: the server's Azure name is mapped to it, as the twin's
  // SC_DOCTOR_CONNECT_TO maps it to the twin's PostgreSQL, so nothing is looked up or leaves loopback.
  const listener = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  const server = twin.store.get(RESOURCE_IDS.postgres);
  const fqdn = (server?.properties as { fullyQualifiedDomainName?: string } | undefined)
    ?.fullyQualifiedDomainName;
  assert.ok(fqdn, 'the healthy scenario has pg-orders');

  const twinEnv = twin.env();
  const env: Record<string, string> = {
    HOME: join(tempDir('sc-doctor-pickers-home-'), 'home'),
    TERM: 'tmux-256color',
    LANG: 'C.UTF-8',
    SC_DOCTOR_CONNECT_TO: `${fqdn}:5432=127.0.0.1:${port}`,
    SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
  };
  for (const key of ['PATH', 'AZ_TWIN_URL', 'AZ_TWIN_KEY', 'AZ_TWIN_CA', 'NODE_EXTRA_CA_CERTS']) {
    if (twinEnv[key]) env[key] = twinEnv[key] as string;
  }
  const pane = openPane({ argv: [process.execPath, builtCli().cli], env });
  try {
    let screen = await pane.waitForScreen(
      (s) => /Which database server\?/.test(s) && s.includes('sql-orders'),
      'the server picker',
    );
    assert.match(screen, /step 1 of 3/);
    assert.match(screen, /PostgreSQL +pg-orders +rg-orders/);
    assert.equal(screen.trimEnd().split('\n').at(-1), '↑↓ move  type to filter  enter choose  esc back');

    pane.type('pg-o');
    screen = await pane.waitForScreen((s) => s.includes('filter: pg-o_'), 'the typed filter');
    assert.match(screen, /❯ PostgreSQL +pg-orders/);
    assert.doesNotMatch(screen, /sql-orders/);
    pane.press('Enter');

    await pane.waitForScreen(
      (s) => /Which database on pg-orders\?/.test(s) && /❯ orders/.test(s),
      'the databases',
    );
    pane.press('Enter');

    await pane.waitForScreen(
      (s) => /What should connect to pg-orders\/orders\?/.test(s) && s.includes('orders-worker'),
      'the app picker',
    );
    pane.type('orders-api');
    await pane.waitForScreen(
      (s) => s.includes('filter: orders-api_') && /❯ App Service +orders-api/.test(s),
      'orders-api alone',
    );
    pane.press('Enter');

    screen = await pane.waitForScreen(
      // The target rows wait while the pickers are open, then run: settled means neither is left.
      (s) => /q quit/.test(s) && /Firewall/.test(s) && !/running|waiting/.test(s),
      'the doctor result with the target rows settled',
    );
    assert.match(screen, /✔ pass +Database server +pg-orders · PostgreSQL 17 · Ready · orders/);
    assert.match(screen, /✔ pass +Network path/);
    assert.match(screen, /✔ pass +Firewall +127\.0\.0\.1 allowed by rule dana-laptop/);
    assert.doesNotMatch(screen, /FAIL/);

    pane.press('q');
    await pane.waitForScreen(() => pane.isDead(), 'the program to end after q');
    assert.equal(pane.exitCode(), '0', 'every check passed');
    assert.match(pane.capture(), /✔ pass +Database server +pg-orders/, 'the result stays on screen');
  } finally {
    pane.close();
    await new Promise((resolve) => listener.close(resolve));
  }
});
