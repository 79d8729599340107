/**
 * The whole interactive setup in a real terminal: `sc-doctor` with no flags in a private tmux pane,
 * against the local Azure twin (scenario entra-off) and its real PostgreSQL, with the twin's env as
 * after `npm run twin` and `. .twin/env`. The test picks the server, the database and the app, starts
 * the setup with `s`, answers the auth and client type, applies the plan with enter, types the
 * password of pgadmin (the owner of orders) into the masked question, reads the code screen and quits
 * with q; then the role exists, mapped to the app's identity, with every promised grant.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, tempDir } from '../helpers/build.ts';
import { openPane } from '../helpers/tmux.ts';
import { JWT, rolesOf } from '../setup/postgres-helpers.ts';

let twin: Twin;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'entra-off', databases: ['postgres'] });
});

after(async () => {
  await twin?.close();
});

test('sc-doctor in a terminal: doctor, pick pg-orders/orders/orders-api, s, system identity, nodejs, plan, apply, code, q', async () => {
  const server = twin.store.get(RESOURCE_IDS.postgres)!;
  const fqdn = (server.properties as { fullyQualifiedDomainName: string }).fullyQualifiedDomainName;
  const { postgres } = twin.databaseEndpoints;
  const twinEnv = twin.env();
  const env: Record<string, string> = {
    HOME: join(tempDir('sc-doctor-tmux-setup-home-'), 'home'),
    TERM: 'tmux-256color',
    LANG: 'C.UTF-8',
    SC_DOCTOR_CONNECT_TO: `${fqdn}:5432=${postgres!.host}:${postgres!.port}`,
    SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
  };
  for (const key of ['PATH', 'AZ_TWIN_URL', 'AZ_TWIN_KEY', 'AZ_TWIN_CA', 'NODE_EXTRA_CA_CERTS']) {
    if (twinEnv[key]) env[key] = twinEnv[key] as string;
  }
  const rolesBefore = (await rolesOf(twin)).filter((role) => role.startsWith('aad_'));
  assert.deepEqual(rolesBefore, []);

  const pane = openPane({ argv: [process.execPath, builtCli().cli], env, rows: 40 });
  try {
    await pane.waitForScreen((s) => /Which database server\?/.test(s), 'the server picker');
    pane.type('pg-o');
    await pane.waitForScreen((s) => /❯ PostgreSQL +pg-orders/.test(s) && !/sql-orders/.test(s), 'pg-orders');
    pane.press('Enter');
    await pane.waitForScreen((s) => /Which database on pg-orders\?/.test(s) && /❯ orders/.test(s), 'orders');
    pane.press('Enter');
    await pane.waitForScreen((s) => /What should connect to pg-orders\/orders\?/.test(s), 'the app picker');
    pane.type('orders-api');
    await pane.waitForScreen((s) => /❯ App Service +orders-api/.test(s), 'orders-api alone');
    pane.press('Enter');

    let screen = await pane.waitForScreen(
      (s) => /s setup/.test(s) && !/running|waiting/.test(s),
      'the doctor result offering setup',
    );
    assert.match(screen, /Entra authentication/);
    pane.type('s');

    await pane.waitForScreen(
      (s) => /How should the app sign in to the database\?/.test(s),
      'the auth question',
    );
    // System identity is the first choice.
    pane.press('Enter');
    await pane.waitForScreen((s) => /Which language does the app connect from\?/.test(s), 'the client type');
    pane.type('nodejs');
    await pane.waitForScreen((s) => /❯ nodejs/.test(s), 'nodejs chosen');
    pane.press('Enter');

    screen = await pane.waitForScreen(
      (s) => /Database role aad_/.test(s) && /Entra authentication/.test(s),
      'the plan',
    );
    assert.match(screen, /orders-api → pg-orders\/orders · system identity · client nodejs/);
    pane.press('Enter');
    // Enabling Entra authentication may restart the server: the plan asks for that consent.
    screen = await pane.waitForScreen(
      (s) => /Go ahead\?|Done ·|AZURE_POSTGRESQL_HOST/.test(s),
      'a consent or the code screen',
      120_000,
    );
    if (/Go ahead\?/.test(screen)) {
      pane.type('y');
      screen = await pane.waitForScreen(
        (s) => /Password of pgadmin|AZURE_POSTGRESQL_HOST/.test(s),
        'the owner’s password question',
        120_000,
      );
    }
    // orders belongs to pgadmin: its password is asked, masked, for the grants only it can give.
    assert.match(screen, /Password of pgadmin, who owns database orders/);
    assert.match(screen, /hidden as you type/);
    pane.type(PG_PASSWORD_ADMIN.password);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(!pane.capture().includes(PG_PASSWORD_ADMIN.password), 'the password is never shown');
    pane.press('Enter');
    screen = await pane.waitForScreen((s) => /AZURE_POSTGRESQL_HOST/.test(s), 'the code screen', 120_000);
    assert.match(screen, /Done · orders-api can reach pg-orders\/orders as aad_/);
    assert.doesNotMatch(screen, JWT);

    pane.press('q');
    await pane.waitForScreen(() => pane.isDead(), 'the program to end after q');
    assert.equal(pane.exitCode(), '0', pane.capture());
    // The code is printed again to the scrollback, to copy after the screen is gone.
    assert.match(pane.history(), /AZURE_POSTGRESQL_USER=aad_/);
  } finally {
    pane.close();
  }

  const site = twin.store.get(RESOURCE_IDS.webApp)!;
  const principalId = (site.identity as { principalId?: string } | undefined)?.principalId;
  const roles = (await rolesOf(twin)).filter((role) => role.startsWith('aad_'));
  assert.equal(roles.length, 1, roles.join(', '));
  assert.match(roles[0]!, new RegExp(`^aad_[^:]+:${principalId}$`));
  const role = roles[0]!.split(':')[0]!;
  const { rows } = await twin.context.databases.postgresQuery!(
    `select exists (select from aclexplode(datacl) a where a.grantee = '${role}'::regrole and a.privilege_type = 'CONNECT') as c from pg_database where datname = 'orders'`,
  );
  assert.deepEqual(rows, [{ c: true }], 'pgadmin gave CONNECT');
});
