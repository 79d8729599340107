/**
 * `sc-doctor audit` in a real terminal (tmux) against the fleet twin: live progress, then the pairs as
 * a table grouped by verdict; typing filters it, enter runs the chosen pair's full doctor on the
 * doctor's screen, esc goes back, clears the filter, then leaves with the audit's exit code and the
 * summary in the scrollback.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FLEET_SUBSCRIPTIONS, fleetPlan } from '../azure-twin/fleet.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { builtCli } from '../helpers/build.ts';
import { openPane } from '../helpers/tmux.ts';
import { twinCliEnv } from '../helpers/twin-cli.ts';

const SUB = FLEET_SUBSCRIPTIONS[0].subscriptionId;
const GROUP = 'rg-fleet-1';
let twin: Twin;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'fleet' });
});
after(async () => {
  await twin?.close();
});

test('the audit table: type to filter, enter for one pair’s doctor, esc back, esc to leave', async () => {
  const plan = fleetPlan();
  const pairs = plan.pairs.filter((pair) =>
    pair.app.toLowerCase().startsWith(`/subscriptions/${SUB}/resourcegroups/${GROUP}/`),
  );
  const failing = pairs.filter((pair) => pair.verdict === 'fail');
  const target = failing.find((pair) => pair.causes.includes('password-settings')) ?? failing[0]!;
  const appName = target.app.split('/').pop()!;
  const pane = openPane({
    argv: [process.execPath, builtCli().cli, 'audit', '--subscription', SUB, '--resource-group', GROUP],
    env: { ...twinCliEnv(twin), TERM: 'tmux-256color', LANG: 'C.UTF-8' },
    columns: 120,
    rows: 32,
  });
  try {
    const table = await pane.waitForScreen((screen) => screen.includes('filter: _'), 'the table', 120_000);
    assert.match(table, new RegExp(`${pairs.length} pairs from`));
    // The count of every verdict group is the ground truth's for this subscription and group.
    for (const [verdict, label] of [
      ['fail', '✖ FAIL'],
      ['unknown', '\\? unknown'],
      ['warn', '⚠ warn'],
      ['pass', '✔ pass'],
    ] as const)
      assert.match(
        table,
        new RegExp(`${label} ${pairs.filter((pair) => pair.verdict === verdict).length}\\b`),
      );
    assert.match(table, /type to filter/);
    pane.type(appName);
    const filtered = await pane.waitForScreen(
      (screen) => screen.includes(`filter: ${appName}_`),
      'the filter',
    );
    assert.match(filtered, new RegExp(`❯ ✖ FAIL +${appName} →`));
    assert.doesNotMatch(filtered, /^. ✔ pass +\S+ →/m);
    pane.press('Enter');
    const doctor = await pane.waitForScreen(
      (screen) =>
        screen.includes('audit · one pair') && /\d+ (passed|failed)/.test(screen) && !/running/.test(screen),
      'the pair’s doctor',
      60_000,
    );
    assert.match(doctor, new RegExp(`${appName} \\(`));
    // The doctor's screen opens on the first failing check, as it does for `sc-doctor doctor`.
    assert.match(
      doctor,
      new RegExp(`❯ ✖ FAIL +${target.causes[0] === 'password-settings' ? 'Password settings' : ''}`),
    );
    assert.match(doctor, /\d+ passed · .*\d+ failed/);
    assert.match(doctor, /esc back to the table/);
    pane.press('Escape');
    await pane.waitForScreen((screen) => screen.includes(`filter: ${appName}_`), 'back in the table');
    pane.press('Escape');
    await pane.waitForScreen((screen) => screen.includes('filter: _'), 'the filter cleared');
    pane.press('Escape');
    await pane.waitForScreen(() => pane.isDead(), 'the audit to end');
    assert.equal(pane.exitCode(), '1');
    assert.match(pane.history(), new RegExp(`Summary: ${pairs.length} pairs`));
  } finally {
    pane.close();
  }
});

test('Ctrl-C while the audit runs stops it: exit 130, and no report is left behind', async () => {
  const dir = (await import('../helpers/build.ts')).tempDir('sc-doctor-audit-cancel-');
  const report = `${dir}/report.html`;
  const pane = openPane({
    argv: [process.execPath, builtCli().cli, 'audit', '--all', '--out', report],
    env: { ...twinCliEnv(twin), TERM: 'tmux-256color', LANG: 'C.UTF-8' },
    columns: 120,
    rows: 32,
  });
  try {
    await pane.waitForScreen((screen) => /\d+\/\d+ apps · \d+ pairs found/.test(screen), 'progress', 120_000);
    pane.press('C-c');
    await pane.waitForScreen(() => pane.isDead(), 'the audit to stop', 60_000);
    assert.equal(pane.exitCode(), '130');
    const { existsSync, readdirSync } = await import('node:fs');
    assert.equal(existsSync(report), false);
    assert.deepEqual(readdirSync(dir), [], 'no scratch file is left');
  } finally {
    pane.close();
  }
});
