import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import type { CheckOutcome } from '../../source/core/types.ts';
import { keys, outcome, renderDoctor } from '../helpers/render-ui.tsx';
import {
  allPass,
  azCliPass,
  signedOut,
  signinFail,
  signinPass,
  subscriptionPass,
  subscriptionSkip,
} from './fixtures.ts';

afterEach(() => cleanup());

const announce = [
  { id: 'az-cli', title: 'Azure CLI' },
  { id: 'signin', title: 'Signed in' },
  { id: 'subscription', title: 'Subscription' },
];

/** The frame line that shows a row's title. */
function lineOf(frame: string, title: string): string {
  const line = frame.split('\n').find((l) => l.includes(title));
  assert.ok(line, `no line with ${title} in:\n${frame}`);
  return line;
}

test('rows go from running (spinner and ...) to their final status, in declared order', async () => {
  let clock = 1000;
  const ui = renderDoctor({ now: () => clock });
  await ui.waitFor(() => ui.runCalls() === 1, 'run() to be called');
  ui.bus.emit({ type: 'doctor:start', checks: announce });
  ui.bus.emit({ type: 'check:start', id: 'az-cli', title: 'Azure CLI', at: 0 });
  ui.bus.emit({ type: 'check:start', id: 'signin', title: 'Signed in', at: 0 });
  clock = 2200;
  let frame = await ui.waitFor((f) => /\.\.\.\s+Azure CLI/.test(f) && f.includes('1.2s'), 'running rows');
  assert.match(lineOf(frame, 'Azure CLI'), /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \.\.\. +Azure CLI +1\.2s/);
  assert.match(lineOf(frame, 'Subscription'), /· wait +Subscription/);
  // A row waiting for the check it needs is not running yet.
  assert.match(frame, /2 running · 1 waiting/);

  ui.bus.emit({ type: 'check:slow', id: 'signin', title: 'Signed in', elapsedMs: 3000 });
  frame = await ui.waitFor((f) => f.includes('still running'), 'the slow note');
  assert.match(lineOf(frame, 'Signed in'), /\.\.\. +Signed in +still running/);

  // Finish out of order: the screen keeps the declared order.
  ui.bus.emit({ type: 'check:end', outcome: subscriptionSkip });
  ui.bus.emit({ type: 'check:end', outcome: azCliPass });
  frame = await ui.waitFor((f) => f.includes('✔ pass'), 'the az row to pass');
  assert.match(lineOf(frame, 'Azure CLI'), /✔ pass +Azure CLI +2\.67\.0/);
  assert.match(frame, /1 passed · 1 skipped · 1 running/);

  ui.bus.emit({ type: 'check:end', outcome: signinFail });
  ui.bus.emit({
    type: 'doctor:end',
    outcomes: signedOut,
    summary: { pass: 1, warn: 0, fail: 1, skip: 1, error: 0, timeout: 0 },
  });
  frame = await ui.waitFor((f) => f.includes('✖ FAIL'), 'the signin row to fail');
  assert.match(lineOf(frame, 'Signed in'), /✖ FAIL +Signed in +not signed in/);
  assert.match(lineOf(frame, 'Subscription'), /○ skip +Subscription +needs signed in \(fail\)/);
  assert.doesNotMatch(frame, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, 'no spinner once everything finished');
  const order = ['Azure CLI', 'Signed in', 'Subscription'].map((title) => frame.indexOf(title));
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
});

test('a failing row shows its details and the fix with its command under it; passes show nothing', async () => {
  const ui = renderDoctor();
  ui.completeRun(signedOut);
  const frame = await ui.waitFor((f) => f.includes('az login'), 'the remediation');
  const lines = frame.split('\n');
  const failAt = lines.findIndex((l) => l.includes('✖ FAIL'));
  assert.match(lines[failAt + 1] ?? '', /^ {11}az account show said: Please run "az login"/);
  assert.match(lines[failAt + 2] ?? '', /^ {11}fix {6}sign in to the Azure CLI, then run sc-doctor again/);
  assert.match(lines[failAt + 3] ?? '', /^ {20}az login$/);
  assert.match(lines[failAt + 4] ?? '', /^ {11}docs {5}https:\/\/learn\.microsoft\.com/);
  const passAt = lines.findIndex((l) => l.includes('✔ pass'));
  assert.equal(passAt + 1, failAt, 'nothing under the passing row');
  assert.doesNotMatch(frame, /[│┃|]\s*az login/, 'no border character before the command');
});

test('the summary counts and the key hints are the last lines', async () => {
  const ui = renderDoctor();
  const warn = outcome({ id: 'entra', title: 'Entra auth', status: 'warn', message: 'off' });
  const error = outcome({
    id: 'rbac',
    title: 'Permissions',
    status: 'error',
    message: 'the check itself failed',
  });
  ui.completeRun([
    azCliPass,
    signinPass,
    subscriptionPass,
    warn,
    { ...signinFail, id: 'net', title: 'Network path' },
    error,
  ]);
  const frame = await ui.waitFor((f) => f.includes('passed'), 'the summary');
  const lines = frame.trimEnd().split('\n');
  assert.equal(lines.at(-2), '3 passed · 1 warning · 1 failed · 1 error');
  assert.equal(lines.at(-1), '↑↓ move  enter details  q quit');
});

test('before the checks are announced the summary says the doctor is starting, not "no checks"', async () => {
  const ui = renderDoctor();
  const frame = await ui.waitFor((f) => f.includes('sc-doctor 0.1.0 · doctor'), 'the first frame');
  assert.doesNotMatch(frame, /no checks/);
  assert.match(frame, /starting…/);
});

test('the header shows the tool, then who is signed in and the subscription once known', async () => {
  const ui = renderDoctor();
  let frame = await ui.waitFor((f) => f.includes('sc-doctor 0.1.0 · doctor'), 'the header');
  assert.doesNotMatch(frame, /Subscription {2}/);
  ui.completeRun(allPass);
  frame = await ui.waitFor((f) => f.includes('tenant'), 'the signed-in user');
  const first = frame.split('\n')[0] ?? '';
  assert.match(
    first,
    /^sc-doctor 0\.1\.0 · doctor +dana@contoso\.com \(user\) · tenant contoso\.onmicrosoft\.com$/,
  );
  assert.equal(frame.split('\n')[1], 'Subscription  Contoso Dev (0b1f…3333) · Enabled');
});

test('the header tolerates sign-in and subscription data with missing fields', async () => {
  const ui = renderDoctor();
  ui.completeRun([
    { ...signinPass, data: { user: 'dana@contoso.com' } },
    { ...subscriptionPass, data: { subscriptionId: 'abc', state: 42 } },
  ]);
  const frame = await ui.waitFor((f) => f.includes('Subscription  '), 'the subscription line');
  assert.match(frame.split('\n')[0] ?? '', /doctor +dana@contoso\.com$/);
  assert.equal(frame.split('\n')[1], 'Subscription  abc');
});

/** A failing row with more detail lines than a collapsed row shows. */
function sixLineFailure(): CheckOutcome {
  return outcome({
    id: 'network',
    title: 'Network path',
    status: 'fail',
    message: 'blocked',
    details: ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6'],
  });
}

test('enter toggles the full details of the selected row', async () => {
  const ui = renderDoctor();
  const long = sixLineFailure();
  ui.completeRun([azCliPass, long]);
  let frame = await ui.waitFor((f) => f.includes('line 4'), 'collapsed details');
  assert.doesNotMatch(frame, /line 5/);
  assert.match(frame, /… 2 more lines · enter shows all/);
  assert.doesNotMatch(frame, /took/);
  assert.match(lineOf(frame, 'Network path'), /^❯ /, 'the run ends with the failing row selected');

  await ui.press(keys.enter);
  frame = await ui.waitFor((f) => f.includes('line 6'), 'expanded details');
  assert.match(frame, /took {5}0\.1s · id network/);
  assert.doesNotMatch(frame, /more lines/);

  await ui.press(keys.enter);
  frame = await ui.waitFor((f) => !f.includes('line 6'), 'collapsed again');
  assert.match(frame, /line 4/);

  // A passing row has nothing under it until opened.
  await ui.press(keys.up);
  await ui.press(keys.enter);
  frame = await ui.waitFor((f) => f.includes('id az-cli'), 'the pass row opened');
  assert.match(frame.split('\n')[lineIndex(frame, 'Azure CLI') + 1] ?? '', /took {5}0\.1s · id az-cli/);
});

function lineIndex(frame: string, title: string): number {
  return frame.split('\n').findIndex((l) => l.includes(title));
}

test('q resolves 0 when every check passed, and the last frame has no key hints', async () => {
  const ui = renderDoctor();
  ui.completeRun(allPass);
  await ui.waitFor((f) => f.includes('3 passed'), 'the summary');
  await ui.press(keys.q);
  assert.equal(await ui.exitCode, 0);
  assert.equal(ui.cancel.signal.aborted, false, 'a finished run is not cancelled');
  const final = await ui.waitFor((f) => !f.includes('q quit'), 'the final frame', 2000, ui.finalFrame);
  // One copy, ending in a newline so the shell prompt starts on a line of its own.
  assert.match(final, /^sc-doctor[\s\S]*3 passed\n$/);
  assert.equal(final.split('3 passed').length, 2);
  assert.doesNotMatch(final, /❯/, 'no selection marker left in scrollback');
});

test('after q the scrollback holds every detail line, with no "enter shows all" left to press', async () => {
  const ui = renderDoctor();
  const long = sixLineFailure();
  ui.completeRun([azCliPass, long]);
  await ui.waitFor((f) => f.includes('enter shows all'), 'collapsed details');
  await ui.press(keys.q);
  assert.equal(await ui.exitCode, 1);
  const final = await ui.waitFor((f) => !f.includes('q quit'), 'the final frame', 2000, ui.finalFrame);
  assert.match(final, /line 6/);
  assert.doesNotMatch(final, /enter shows all/);
});

test('a long sign-in line in the header is cut to one line, never wrapped under the title', async () => {
  const ui = renderDoctor({ size: { columns: 80, rows: 24 } });
  ui.completeRun([
    azCliPass,
    {
      ...signinPass,
      data: {
        user: 'dana@contoso.twin.test',
        userType: 'user',
        tenantId: '5f1e9c2a-7b3d-4e8f-9a01-c04705d0e7e1',
      },
    },
    subscriptionPass,
  ]);
  const frame = await ui.waitFor((f) => f.includes('Subscription  '), 'the subscription line');
  const lines = frame.split('\n');
  assert.match(lines[0] ?? '', /^sc-doctor 0\.1\.0 · doctor +dana@contoso\.twin\.test \(user\)/);
  assert.ok([...(lines[0] ?? '')].length <= 80, `header wider than 80: ${lines[0]}`);
  assert.match(lines[1] ?? '', /^Subscription {2}/);
});

test('q resolves 1 when a check failed', async () => {
  const ui = renderDoctor();
  ui.completeRun(signedOut);
  await ui.waitFor((f) => f.includes('1 failed'), 'the summary');
  await ui.press(keys.q);
  assert.equal(await ui.exitCode, 1);
});

test('with --strict a warning alone makes q resolve 1', async () => {
  const ui = renderDoctor({ strict: true });
  ui.completeRun([azCliPass, outcome({ id: 'entra', status: 'warn', message: 'off' })]);
  await ui.waitFor((f) => f.includes('1 warning'), 'the summary');
  await ui.press(keys.q);
  assert.equal(await ui.exitCode, 1);
});

test('Ctrl-C aborts the cancel controller and resolves 130', async () => {
  const ui = renderDoctor();
  ui.bus.emit({ type: 'doctor:start', checks: announce });
  ui.bus.emit({ type: 'check:start', id: 'az-cli', title: 'Azure CLI', at: 0 });
  await ui.waitFor((f) => f.includes('...'), 'a running row');
  await ui.press(keys.ctrlC);
  assert.equal(await ui.exitCode, 130);
  assert.equal(ui.cancel.signal.aborted, true);
});

test('q while checks still run cancels them and resolves 130', async () => {
  const ui = renderDoctor();
  ui.bus.emit({ type: 'doctor:start', checks: announce });
  await ui.waitFor((f) => f.includes('wait'), 'announced rows');
  await ui.press(keys.q);
  assert.equal(await ui.exitCode, 130);
  assert.equal(ui.cancel.signal.aborted, true);
});

test('a run that rejects is shown as an error and q resolves 1', async () => {
  const ui = renderDoctor();
  ui.failRun(new Error('checks form a cycle through signin'));
  const frame = await ui.waitFor((f) => f.includes('cycle'), 'the run error');
  assert.match(frame, /the doctor itself failed: checks form a cycle through signin/);
  await ui.press(keys.q);
  assert.equal(await ui.exitCode, 1);
});

test('the live region stays shorter than the terminal and follows the selection', async () => {
  const rows = 14;
  const ui = renderDoctor({ size: { columns: 100, rows } });
  const many = Array.from({ length: 12 }, (_, i) =>
    outcome({ id: `check-${i}`, title: `Check ${i}`, status: 'pass', message: `ok ${i}` }),
  );
  ui.completeRun(many);
  let frame = await ui.waitFor((f) => f.includes('more below'), 'a capped list');
  assert.ok(
    frame.trimEnd().split('\n').length < rows,
    `frame is ${frame.split('\n').length} lines:\n${frame}`,
  );
  assert.match(frame, /Check 0 /);
  assert.doesNotMatch(frame, /Check 11/);
  assert.match(frame, /12 passed/);
  for (let i = 0; i < 11; i += 1) await ui.press(keys.down);
  frame = await ui.waitFor((f) => /❯ ✔ pass +Check 11/.test(f), 'the last row selected and visible');
  assert.match(frame, /↑ \d+ more above/);
  assert.doesNotMatch(frame, /Check 0 /);
  assert.ok(frame.trimEnd().split('\n').length < rows);
});

test('after the run the failing row is selected, so a short terminal shows it; moving still works', async () => {
  const ui = renderDoctor({ size: { columns: 80, rows: 14 } });
  const passes = Array.from({ length: 6 }, (_, i) =>
    outcome({ id: `check-${i}`, title: `Check ${i}`, status: 'pass', message: 'ok' }),
  );
  const tall = { ...signinFail, details: ['one', 'two', 'three'] };
  ui.completeRun([...passes, tall, subscriptionSkip]);
  let frame = await ui.waitFor((f) => f.includes('❯ ✖ FAIL'), 'the failing row selected');
  assert.match(frame, /fix {6}sign in to the Azure CLI/);
  assert.match(frame, /↑ \d+ more above/);
  assert.ok(frame.trimEnd().split('\n').length < 14, `frame too tall:\n${frame}`);
  await ui.press(keys.up);
  frame = await ui.waitFor((f) => /❯ ✔ pass +Check 5/.test(f), 'the row above selected');
});

test('a row taller than the space left is cut at the bottom, never squeezed', async () => {
  const rows = 16;
  const ui = renderDoctor({ size: { columns: 80, rows } });
  const tall = {
    ...signinFail,
    details: ['detail one', 'detail two\ndetail two, second line', 'detail three', 'detail four'],
  };
  ui.completeRun([azCliPass, tall, subscriptionSkip]);
  const frame = await ui.waitFor((f) => f.includes('❯ ✖ FAIL'), 'the failing row selected');
  const lines = frame.split('\n');
  const at = lines.findIndex((l) => l.includes('✖ FAIL'));
  assert.deepEqual(
    lines.slice(at + 1, at + 6).map((l) => l.trim()),
    ['detail one', 'detail two', 'detail two, second line', 'detail three', 'detail four'],
    `lines went missing:\n${frame}`,
  );
  assert.match(lines[at + 6] ?? '', /^ +fix {6}sign in/);
  assert.match(frame, /↓ (1 )?more below/);
  assert.ok(frame.trimEnd().split('\n').length < rows, `frame too tall:\n${frame}`);
});

test('long remediation text wraps inside the terminal width', async () => {
  const ui = renderDoctor({ size: { columns: 60, rows: 40 } });
  const summary =
    'run sc-doctor on your managed machine (on Windows, native az uses the sign-in broker), or ask your admin for an exception';
  ui.completeRun([{ ...signinFail, remediation: { summary, commands: ['az login'], fixable: false } }]);
  const frame = await ui.waitFor((f) => f.includes('az login'), 'the remediation');
  for (const line of frame.split('\n')) assert.ok([...line].length <= 60, `line too wide: ${line}`);
  assert.match(frame, /fix {6}run sc-doctor on your managed machine/);
  assert.match(frame, /or ask your admin for an\n {20}exception\n {20}az login/);
});

test('--verbose opens every row, passes included', async () => {
  const ui = renderDoctor({ verbose: true });
  ui.completeRun(allPass);
  const frame = await ui.waitFor((f) => f.includes('id subscription'), 'opened rows');
  assert.match(frame, /id az-cli/);
});

test('enter shows what the row hides: the facts the check found; labels share one column and one style', async () => {
  const ui = renderDoctor();
  const signin = outcome({
    id: 'signin',
    title: 'Signed in',
    status: 'fail',
    message: 'AADSTS530003 · device must be managed',
    details: [
      'Conditional Access requires a managed device.',
      'lookup: https://login.microsoftonline.com/error?code=530003',
    ],
    remediation: { summary: 'run sc-doctor on your managed machine', commands: [], fixable: false },
    data: {
      tenantId: 'contoso.onmicrosoft.com',
      credential: 'azure-cli',
      scopes: ['arm', 'graph'],
      nested: { x: 1 },
    },
  });
  ui.completeRun([azCliPass, signin]);
  let frame = await ui.waitFor((f) => f.includes('AADSTS530003'), 'the failing row');
  // `lookup` sits in the label column like `fix`, without a colon.
  assert.match(frame, /\n {11}lookup {3}https:\/\/login\.microsoftonline\.com\/error\?code=530003\n/);
  assert.match(frame, /\n {11}fix {6}run sc-doctor on your managed machine\n/);
  assert.doesNotMatch(frame, /lookup:|fix:|docs:/);
  assert.doesNotMatch(frame, /tenantId/, 'facts stay hidden until enter');

  await ui.press(keys.enter);
  frame = await ui.waitFor((f) => f.includes('tenantId'), 'the facts');
  assert.match(
    frame,
    /\n {11}facts {4}tenantId {2}contoso\.onmicrosoft\.com\n {20}credential {2}azure-cli\n {20}scopes {2}arm, graph\n/,
  );
  assert.doesNotMatch(frame, /nested/, 'nested objects are left to --json');
});
