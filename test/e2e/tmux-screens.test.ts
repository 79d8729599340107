/**
 * The setup screens in a real terminal at 80x24 and 60 columns, against the twin (scenario
 * entra-off) and its real PostgreSQL: the plan fits and scrolls, says what is already in place, the
 * code screen cuts long lines instead of wrapping them, c and w say what they did in sentences, w
 * over a file asks, and after q the scrollback holds the plan's run once and the code byte for
 * byte. Then `sc-doctor undo` gets the same list as a setup's rollback.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, tempDir } from '../helpers/build.ts';
import { openPane, type Pane, sh } from '../helpers/tmux.ts';

let twin: Twin;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'entra-off', databases: ['postgres'] });
});

after(async () => {
  await twin?.close();
});

const SETUP = [
  'setup',
  'postgres',
  '-g',
  'rg-orders',
  '-n',
  'orders-api',
  '--target',
  'webapp',
  '--server',
  'pg-orders',
  '--database',
  'orders',
  '--system-identity',
  '--client-type',
  'nodejs',
];

function environment(home: string): Record<string, string> {
  const server = twin.store.get(RESOURCE_IDS.postgres)!;
  const fqdn = (server.properties as { fullyQualifiedDomainName: string }).fullyQualifiedDomainName;
  const { postgres } = twin.databaseEndpoints;
  const twinEnv = twin.env();
  const env: Record<string, string> = {
    HOME: home,
    TERM: 'tmux-256color',
    LANG: 'C.UTF-8',
    SC_DOCTOR_CONNECT_TO: `${fqdn}:5432=${postgres!.host}:${postgres!.port}`,
    SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
    // orders belongs to pgadmin, as on Azure: the grants only it can give need its password
    // (tmux-setup types it into the masked question; here the screens are the subject).
    SC_DOCTOR_PG_OWNER_PASSWORD: PG_PASSWORD_ADMIN.password,
  };
  for (const key of ['PATH', 'AZ_TWIN_URL', 'AZ_TWIN_KEY', 'AZ_TWIN_CA', 'NODE_EXTRA_CA_CERTS']) {
    if (twinEnv[key]) env[key] = twinEnv[key] as string;
  }
  return env;
}

/** sc-doctor in `folder` (where w saves), in a private pane of the given size. */
function openIn(
  folder: string,
  args: string[],
  env: Record<string, string>,
  columns: number,
  rows: number,
): Pane {
  const command = `cd ${sh(folder)} && exec ${[process.execPath, builtCli().cli, ...args].map(sh).join(' ')}`;
  return openPane({ argv: ['/bin/sh', '-c', command], env, columns, rows });
}

function widest(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .reduce((a, b) => (Array.from(b).length > Array.from(a).length ? b : a), '');
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

test('80x24: plan, apply, code screen and scrollback; then undo gets the rollback screen', async () => {
  const home = join(tempDir('sc-doctor-tmux-screens-home-'), 'home');
  const work = tempDir('sc-doctor-tmux-screens-work-');
  const env = environment(home);
  const pane = openIn(work, SETUP, env, 80, 24);
  let runId = '';
  try {
    let screen = await pane.waitForScreen((s) => /enter apply/.test(s), 'the plan', 60_000);
    assert.match(screen, /^1 {2}Managed identity of orders-api +✔ already on$/m);
    assert.match(screen, /^2 {2}Entra authentication on pg-orders +⚠ may restart the server pg-orders$/m);
    pane.type('d');
    screen = await pane.waitForScreen((s) => /more lines below/.test(s), 'the details, scrolling');
    assert.match(screen, /the system-assigned identity of orders-api is already on/);
    assert.ok([...widest(pane.history())].length <= 80, `a line wider than 80:\n${widest(pane.history())}`);
    pane.press('Enter');
    screen = await pane.waitForScreen((s) => /Go ahead\?/.test(s), 'the consent', 60_000);
    pane.type('y');

    screen = await pane.waitForScreen((s) => /\[App settings\]/.test(s), 'the code screen', 120_000);
    assert.match(screen, /^AZURE_POSTGRESQL_HOST=pg-orders\./m);
    pane.press('Right');
    pane.press('Right');
    screen = await pane.waitForScreen((s) => /\[db\.js\]/.test(s), 'the file page');
    assert.match(screen, /›$/m, 'a long line is cut and marked');
    assert.match(screen, /more lines below/);
    assert.ok([...widest(pane.history())].length <= 80, `a line wider than 80:\n${widest(pane.history())}`);
    pane.type('c');
    await pane.waitForScreen((s) => /^Copied db\.js with OSC 52\.$/m.test(s), 'the copy, said as a sentence');
    pane.type('w');
    await pane.waitForScreen((s) => s.includes(`Saved db.js to ${join(work, 'db.js')}.`), 'the save');
    pane.type('w');
    screen = await pane.waitForScreen((s) => /Replace it\?/.test(s), 'the question before replacing');
    assert.doesNotMatch(screen, /EEXIST/);
    pane.type('y');
    await pane.waitForScreen(
      (s) => /kept as \S*db\.js\.bak\./.test(s.replaceAll('\n', ' ')),
      'replaced, the old one kept',
    );

    pane.press('q');
    await pane.waitForScreen(() => pane.isDead(), 'the program to end after q');
    assert.equal(pane.exitCode(), '0', pane.capture());
    const history = pane.history();
    const saved = readFileSync(join(work, 'db.js'), 'utf8');
    assert.equal(readFileSync(join(work, 'db.js.bak'), 'utf8'), saved);
    // The code is in the scrollback once, each line whole (the terminal, not Ink, wrapped it).
    const lines = saved.split('\n').filter((line) => line.length > 40);
    assert.ok(
      lines.some((line) => line.length > 80),
      'the file has lines wider than the terminal',
    );
    for (const line of lines) assert.equal(count(history, `\n${line}\n`), 1, `once, whole: ${line}`);
    assert.equal(count(history, 'Done · orders-api can reach pg-orders/orders'), 1);
    assert.ok(
      count(history, 'Plan · orders-api') <= 1,
      'the plan is not left in the scrollback again and again',
    );
    assert.equal(count(history, 'Managed identity of orders-api'), 1, history);
    assert.match(history, /^Done: 4 changes made \(run (\S+)\)\.$/m, 'the read-only check is no change');
    runId = /^Done: 4 changes made \(run (\S+)\)\.$/m.exec(history)![1]!;
  } finally {
    pane.close();
  }

  const undo = openIn(work, ['undo', runId], env, 80, 24);
  try {
    await undo.waitForScreen(() => undo.isDead(), 'the undo to end', 120_000);
    assert.equal(undo.exitCode(), '0', undo.capture());
    const history = undo.history();
    assert.match(history, new RegExp(`^Undoing run ${runId}, newest first$`, 'm'));
    assert.match(history, /^↺ \d+ {2}Database role aad_\S+ on pg-orders +undone +\d/m);
    assert.match(history, new RegExp(`^Run ${runId} is undone: nothing it changed is left\\.$`, 'm'));
    assert.ok([...widest(history)].length <= 80, widest(history));
  } finally {
    undo.close();
  }
});

test('60 columns: the plan of a dry run and what it leaves behind fit the terminal', async () => {
  const home = join(tempDir('sc-doctor-tmux-narrow-home-'), 'home');
  const work = tempDir('sc-doctor-tmux-narrow-work-');
  const pane = openIn(work, [...SETUP, '--dry-run'], environment(home), 60, 20);
  try {
    const screen = await pane.waitForScreen((s) => /q quit/.test(s) && /Plan ·/.test(s), 'the plan', 60_000);
    assert.match(screen, /Dry run: nothing will be changed\./);
    pane.type('d');
    await pane.waitForScreen((s) => /more lines below/.test(s), 'the details, scrolling');
    pane.type('q');
    await pane.waitForScreen(() => pane.isDead(), 'the program to end after q');
    assert.equal(pane.exitCode(), '0', pane.capture());
    const history = pane.history();
    assert.ok([...widest(history)].length <= 60, `a line wider than 60:\n${widest(history)}`);
    assert.match(history, /Dry run: nothing was changed\./);
  } finally {
    pane.close();
  }
});
