/**
 * The setup screens: the plan (every change, consent marks, its keys), live apply (spinner, detail,
 * elapsed) turning into the rollback newest first, and the connection code (copy through the
 * clipboard service, OSC 52 when no tool is there, save).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import type { CoreEvent } from '../../source/core/events.ts';
import type { OpenPrompt } from '../../source/core/prompter.ts';
import { clipboardTools, createClipboard, osc52 } from '../../source/services/clipboard.ts';
import type { PlannedStepView } from '../../source/setup/engine-events.ts';
import { ApplyScreen } from '../../source/ui/screens/ApplyScreen.tsx';
import { PlanRoute } from '../../source/ui/screens/setup-routes.tsx';
import {
  ctrlCWords,
  initialSetupState,
  type SetupState,
  setupReducer,
} from '../../source/ui/state/setup-state.ts';
import { renderWithProviders } from '../helpers/render-screen.tsx';
import { keys } from '../helpers/render-ui.tsx';

const plan: PlannedStepView[] = [
  {
    id: 'app-identity',
    title: 'Turn on the system-assigned identity of orders-api',
    resource: '/app',
    after: [],
    lines: ['identity: none → SystemAssigned'],
    consent: null,
  },
  {
    id: 'entra-auth',
    title: 'Turn on Entra authentication on pg-orders',
    resource: '/pg',
    after: [],
    lines: ['activeDirectoryAuth: Disabled → Enabled'],
    consent: 'may restart the server',
  },
  {
    id: 'database-role',
    title: 'Create role aad_orders_api for the identity; grant on orders',
    resource: '/pg/db',
    after: ['app-identity'],
    lines: ['CREATE ROLE via pgaadauth_create_principal_with_oid'],
    consent: null,
  },
];
const TITLE = 'orders-api → pg-orders/orders · system identity · client java';

function stateAfter(events: [CoreEvent, number][]): SetupState {
  return events.reduce(
    (state, [event, at]) => setupReducer(state, { type: 'event', event, at }),
    initialSetupState(),
  );
}

const planned = stateAfter([[{ type: 'setup:plan', title: TITLE, steps: plan, dryRun: false }, 0]]);

function planPrompt(): OpenPrompt {
  return {
    id: 7,
    kind: 'confirm',
    question: { id: 'setup-plan', message: 'Apply this plan?', flag: '--yes', default: true },
    answer: () => {},
    signal: undefined,
  };
}

test('plan: every change numbered, consent marked ⚠ with its reason, the promise and the keys', () => {
  const screen = renderWithProviders(<PlanRoute focused color={false} columns={100} rows={40} />, {
    state: { setup: planned, prompts: [planPrompt()] },
  });
  const frame = screen.lastFrame();
  assert.match(frame, /Plan · orders-api → pg-orders\/orders · system identity · client java/);
  assert.match(frame, /1 {2}Turn on the system-assigned identity of orders-api/);
  assert.match(frame, /2 {2}Turn on Entra authentication on pg-orders\s+⚠ may restart the server/);
  assert.equal((frame.match(/⚠/g) ?? []).length, 1, 'only the step that needs consent is marked');
  assert.match(
    frame,
    /Nothing else changes\. Every step is undone if a later one fails or you press Ctrl-C\./,
  );
  assert.match(frame, /enter apply {2}d details {2}↑↓ scroll {2}esc back\s*$/);
  assert.doesNotMatch(frame, /SystemAssigned/, 'details hidden until d');
  screen.unmount();
});

test('plan: enter applies, esc backs out, d shows details; keys are dead when not focused', async (t) => {
  const screen = renderWithProviders(<PlanRoute focused color={false} columns={100} rows={40} />, {
    state: { setup: planned, prompts: [planPrompt()] },
  });
  t.after(screen.unmount);
  await screen.press(keys.enter);
  await screen.press('d');
  // Escape last: an escape followed at once by a letter reads as alt+letter.
  await screen.press(keys.escape);
  // Ink waits a moment after a lone escape for the rest of a possible sequence.
  await screen.waitFor(() => screen.calls.length === 3, 'the escape');
  assert.deepEqual(screen.calls, [['answer', 7, true], ['toggleSetupDetails'], ['answer', 7, false]]);

  const details = renderWithProviders(<PlanRoute focused color={false} columns={100} rows={40} />, {
    state: { setup: { ...planned, details: true }, prompts: [planPrompt()] },
  });
  assert.match(details.lastFrame(), /identity: none → SystemAssigned/);
  details.unmount();

  const hidden = renderWithProviders(<PlanRoute focused={false} color={false} columns={100} rows={40} />, {
    state: { setup: planned, prompts: [planPrompt()] },
  });
  await hidden.press(keys.enter);
  await hidden.press('d');
  assert.deepEqual(hidden.calls, []);
  hidden.unmount();
});

const applying = stateAfter([
  [{ type: 'setup:plan', title: TITLE, steps: plan, dryRun: false }, 0],
  [{ type: 'plan:ready', runId: '20261126-1000-1a2b', steps: plan, notDone: [] }, 1000],
  [{ type: 'step:start', id: 'app-identity', title: plan[0]!.title, at: 1000 }, 1000],
  [{ type: 'step:start', id: 'entra-auth', title: plan[1]!.title, at: 1000 }, 1000],
  [
    {
      type: 'step:end',
      id: 'app-identity',
      title: plan[0]!.title,
      outcome: 'applied',
      elapsedMs: 4100,
      message: null,
      scriptPath: null,
    },
    5100,
  ],
  [
    { type: 'step:progress', id: 'entra-auth', detail: 'waiting for Azure: InProgress', elapsedMs: 20000 },
    21000,
  ],
]);

test('apply: finished steps with their time, the running one with its live detail, elapsed and Ctrl-C', (t) => {
  const { lastFrame, unmount } = render(
    <ApplyScreen state={applying} now={63_000} color={false} closing={[]} columns={100} />,
  );
  t.after(unmount);
  const frame = lastFrame() ?? '';
  assert.match(frame, /✔ 1 {2}Turn on the system-assigned identity of orders-api\s+4\.1s/);
  assert.match(
    frame,
    /⠋ 2 {2}Turn on Entra authentication on pg-orders\s+waiting for Azure: InProgress\s+1:02/,
  );
  assert.match(frame, /^ {2}3 {2}Create role aad_orders_api/m);
  assert.match(frame, /elapsed 1:02 · Ctrl-C cancels and undoes everything done so far/);
});

test('apply: on failure the list turns into the rollback, newest first, each with its status', (t) => {
  const failed = stateAfter([
    [{ type: 'setup:plan', title: TITLE, steps: plan, dryRun: false }, 0],
    [{ type: 'plan:ready', runId: 'r', steps: plan, notDone: [] }, 0],
    [
      {
        type: 'step:end',
        id: 'app-identity',
        title: plan[0]!.title,
        outcome: 'applied',
        elapsedMs: 4100,
        message: null,
        scriptPath: null,
      },
      0,
    ],
    [
      {
        type: 'step:end',
        id: 'entra-auth',
        title: plan[1]!.title,
        outcome: 'applied',
        elapsedMs: 48000,
        message: null,
        scriptPath: null,
      },
      0,
    ],
    [
      {
        type: 'step:end',
        id: 'database-role',
        title: plan[2]!.title,
        outcome: 'failed',
        elapsedMs: 1000,
        message: 'permission denied',
        scriptPath: null,
      },
      0,
    ],
    [
      {
        type: 'rollback:start',
        runId: 'r',
        reason: 'failure',
        steps: [
          { id: 'entra-auth', title: plan[1]!.title },
          { id: 'app-identity', title: plan[0]!.title },
        ],
      },
      0,
    ],
    [{ type: 'rollback:step-start', id: 'entra-auth', title: plan[1]!.title, at: 0 }, 0],
    [
      {
        type: 'rollback:step-end',
        id: 'entra-auth',
        title: plan[1]!.title,
        outcome: 'undone',
        elapsedMs: 30000,
        reason: null,
      },
      30000,
    ],
    [{ type: 'rollback:step-start', id: 'app-identity', title: plan[0]!.title, at: 0 }, 30000],
  ]);
  const { lastFrame, unmount } = render(
    <ApplyScreen state={failed} now={32_000} color={false} closing={[]} columns={100} />,
  );
  t.after(unmount);
  const frame = lastFrame() ?? '';
  assert.match(frame, /A step failed: undoing what was done, newest first/);
  const entra = frame.indexOf('Turn on Entra authentication');
  const identity = frame.indexOf('Turn on the system-assigned identity');
  assert.ok(entra > 0 && identity > entra, 'newest first');
  assert.match(frame, /↺ 2 {2}Turn on Entra authentication on pg-orders\s+undone\s+30\.0s/);
  assert.match(frame, /⠋ 1 {2}Turn on the system-assigned identity/);
  assert.match(frame, /✖ 3 {2}Create role .*FAILED: permission denied/);
  // Nobody cancelled this rollback: the first Ctrl-C already stops the waiting.
  assert.match(frame, /Ctrl-C stops waiting and lists what is left/);
  assert.doesNotMatch(frame, /Ctrl-C again/);
});

test('apply: the last line says what Ctrl-C does in every phase of a run', () => {
  const apply = stateAfter([
    [{ type: 'setup:plan', title: TITLE, steps: plan, dryRun: false }, 0],
    [{ type: 'plan:ready', runId: 'r', steps: plan, notDone: [] }, 0],
  ]);
  const rollback = (state: SetupState, reason: 'failure' | 'cancelled'): SetupState =>
    setupReducer(state, {
      type: 'event',
      event: { type: 'rollback:start', runId: 'r', reason, steps: [{ id: 'app-identity', title: 'x' }] },
      at: 0,
    });
  const interrupted = (state: SetupState) => setupReducer(state, { type: 'setup:interrupted' });
  const words = (state: SetupState) => ctrlCWords(state);
  assert.equal(words(apply), 'cancels and undoes everything done so far');
  // Cancelled: writes in flight finish, then the rollback; a second Ctrl-C stops the waiting.
  assert.equal(words(interrupted(apply)), 'again stops waiting and lists what is left');
  assert.equal(
    words(rollback(interrupted(apply), 'cancelled')),
    'again stops waiting and lists what is left',
  );
  // A step failed: the first Ctrl-C stops the rollback's waiting, and then the line says so.
  assert.equal(words(rollback(apply, 'failure')), 'stops waiting and lists what is left');
  assert.equal(
    words(interrupted(rollback(apply, 'failure'))),
    'pressed: stopped waiting, what is left is listed next',
  );
  // Cancelled, and a step failed too: the rollback takes the second Ctrl-C.
  assert.equal(words(rollback(interrupted(apply), 'failure')), 'again stops waiting and lists what is left');
});

test('clipboard: the native tool when one works, else OSC 52 written to the terminal', async () => {
  const fed: string[] = [];
  const written: string[] = [];
  const withXclip = createClipboard({
    platform: 'linux',
    env: { DISPLAY: ':0' },
    feed: async (file, args, input) => {
      fed.push(`${file} ${args.join(' ')}: ${input}`);
      return true;
    },
    writeTerminal: (data) => written.push(data),
  });
  assert.deepEqual(await withXclip.copy('SELECT 1'), { via: 'xclip' });
  assert.deepEqual(fed, ['xclip -selection clipboard: SELECT 1']);
  assert.equal(written.length, 0, 'no OSC 52 when the tool worked');

  const headless = createClipboard({
    platform: 'linux',
    env: { DISPLAY: ':0' },
    feed: async () => false,
    writeTerminal: (data) => written.push(data),
  });
  assert.deepEqual(await headless.copy('SELECT 1'), { via: 'OSC 52' });
  assert.deepEqual(written, [`\u001b]52;c;${Buffer.from('SELECT 1').toString('base64')}\u0007`]);
  assert.equal(written[0], osc52('SELECT 1'));
  assert.deepEqual(clipboardTools('darwin', {}), [{ file: 'pbcopy', args: [] }]);
  assert.deepEqual(clipboardTools('linux', { WAYLAND_DISPLAY: 'wayland-0', WSL_DISTRO_NAME: 'Debian' }), [
    { file: 'wl-copy', args: [] },
    { file: 'clip.exe', args: [] },
  ]);
});

const longPlan: PlannedStepView[] = [
  {
    ...plan[0]!,
    alreadyDone: 'already on',
    lines: ['the system-assigned identity of orders-api is already on'],
  },
  ...Array.from({ length: 8 }, (_, i) => ({
    id: `step-${i + 1}`,
    title: `Database role aad_postgresflexible_orders_${i + 1} on pg-orders-with-a-long-name`,
    resource: `/pg/${i}`,
    after: [],
    lines: [
      `create the role aad_postgresflexible_orders_${i + 1} for the app's identity with pgaadauth_create_principal_with_oid (in database postgres)`,
      'grant it connect on orders, use and create in schema public, read and write its tables',
    ],
    consent: i === 0 ? 'drops the role aad_postgresflexible_orders_1, now mapped to another identity' : null,
  })),
];

function widest(frame: string): number {
  return Math.max(...frame.split('\n').map((line) => [...line].length));
}

test('plan at 80x24: a change already in place says so; with details it scrolls instead of overflowing', async (t) => {
  const state = stateAfter([[{ type: 'setup:plan', title: TITLE, steps: longPlan, dryRun: false }, 0]]);
  const screen = renderWithProviders(<PlanRoute focused color={false} columns={80} rows={24} />, {
    state: { setup: state, prompts: [planPrompt()] },
  });
  t.after(screen.unmount);
  let frame = screen.lastFrame();
  assert.match(frame, /^1 {2}Turn on the system-assigned identity of orders-api +✔ already on$/m);
  // A consent too long to sit beside its title goes on a line of its own, under it.
  assert.match(
    frame,
    /^2 {2}Database role aad_postgresflexible_orders_1 on pg-orders-with-a-long-name\n {3}⚠ drops the role/m,
  );
  assert.ok(widest(frame) <= 80, frame);

  const details = renderWithProviders(<PlanRoute focused color={false} columns={80} rows={24} />, {
    state: { setup: { ...state, details: true }, prompts: [planPrompt()] },
  });
  t.after(details.unmount);
  frame = details.lastFrame();
  assert.ok(frame.split('\n').length < 24, `shorter than the terminal:\n${frame}`);
  assert.ok(widest(frame) <= 80, frame);
  assert.match(frame, /↓ \d+ more lines below/);
  // A detail too long for the line wraps under its own indent, never back to the left edge.
  assert.match(
    frame,
    /^ {3}create the role aad_postgresflexible_orders_1 for the app's identity with\n {5}pgaadauth/m,
  );
  assert.match(frame, /Nothing else changes\./, 'the promise stays on screen');
  assert.match(frame, /enter apply {2}d details {2}↑↓ scroll {2}esc back\s*$/);
  await details.press('\u001B[F'); // End
  frame = await details.waitFor(
    (f) => /↑ \d+ more lines above/.test(f) && !/more lines below/.test(f),
    'the end',
  );
  assert.match(frame, /^9 {2}Database role aad_postgresflexible_orders_8/m);
});

test('apply at 80 columns: closing lines wrap under their indent and commands continue with a backslash', (t) => {
  const done = stateAfter([
    [{ type: 'setup:plan', title: TITLE, steps: plan, dryRun: false }, 0],
    [{ type: 'plan:ready', runId: 'r', steps: plan, notDone: [] }, 0],
  ]);
  const command =
    'az postgres flexible-server microsoft-entra-admin delete --resource-group rg-orders --server-name pg-orders --object-id 5b8f0c1e-2d3a-4b6c-9e7f-0a1b2c3d4e5f --yes';
  const closing = [
    'Failed at Database role aad_orders_api on pg-orders: permission denied to create role aad_orders_api (the signed-in admin is not a member of azure_pg_admin)',
    'Left in place (1); remove by hand:',
    '  Entra admin dana@contoso.com: undo failed: HTTP 500 from Azure while removing the admin',
    `    ${command}`,
    'Or try again later: sc-doctor undo 20261126-1000-1a2b',
  ];
  const { lastFrame, unmount } = render(
    <ApplyScreen
      state={{ ...done, outcome: { kind: 'declined', doctor: [], title: '', plan: [] } }}
      now={0}
      color={false}
      closing={closing}
      columns={80}
    />,
  );
  t.after(unmount);
  const frame = lastFrame() ?? '';
  assert.ok(widest(frame) <= 80, frame);
  assert.match(frame, /^Failed at Database role .* permission denied to\n {2}create role aad_orders_api/m);
  assert.match(
    frame,
    /^ {2}Entra admin dana@contoso\.com: undo failed: HTTP 500 from Azure while removing\n {2}the admin$/m,
  );
  // The command, pasted as shown, is still the one command.
  const commandLines = frame.split('\n').filter((line) => line.startsWith('    '));
  const joined = commandLines
    .map((line) => line.trim())
    .join('\n')
    .replace(/ ?\\\n/g, ' ');
  assert.equal(joined, command);
  assert.ok(
    commandLines.slice(0, -1).every((line) => line.endsWith('\\')),
    commandLines.join('\n'),
  );
});

test('apply rows at 80 columns: the title stays whole and the detail is cut, not the other way round', (t) => {
  const steps: PlannedStepView[] = [
    { ...plan[0]!, id: 'verify', title: 'Check the database user of orders-api' },
    { ...plan[1]!, id: 'database-role', title: 'Database role aad_postgresflexible_orders on pg-orders' },
  ];
  const state = stateAfter([
    [{ type: 'setup:plan', title: TITLE, steps, dryRun: false }, 0],
    [{ type: 'plan:ready', runId: 'r', steps, notDone: [] }, 0],
    [{ type: 'rollback:start', runId: 'r', reason: 'undo', steps: [...steps].reverse() }, 0],
    [
      {
        type: 'rollback:step-end',
        id: 'database-role',
        title: steps[1]!.title,
        outcome: 'undone',
        elapsedMs: 1000,
        reason: null,
      },
      0,
    ],
    [
      {
        type: 'rollback:step-end',
        id: 'verify',
        title: steps[0]!.title,
        outcome: 'changed-since',
        elapsedMs: 10,
        reason: 'the admin was replaced since this run added it, by someone else, an hour later',
      },
      0,
    ],
  ]);
  const { lastFrame, unmount } = render(
    <ApplyScreen state={state} now={0} color={false} closing={[]} columns={80} />,
  );
  t.after(unmount);
  const frame = lastFrame() ?? '';
  assert.match(frame, /^↺ 2 {2}Database role aad_postgresflexible_orders on pg-orders +undone +1\.0s$/m);
  assert.match(
    frame,
    /^⚠ 1 {2}Check the database user of orders-api {2}changed since, left in plac… +0\.0s$/m,
  );
  assert.ok(widest(frame) <= 80, frame);
});
