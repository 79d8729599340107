/**
 * The interactive setup through the App: the doctor, then the plan screen answering "apply?", the
 * live apply screen, the done screen and q with the setup's exit code; Ctrl-C while applying goes
 * to the interrupts (rollback) instead of leaving, and the App leaves with 130 once it is undone.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { cleanup, render } from 'ink-testing-library';
import { EventBus } from '../../source/core/events.ts';
import type { FrontEndInput } from '../../source/core/front-end.ts';
import { createPromptChannel } from '../../source/core/prompter.ts';
import { summarize } from '../../source/core/run-checks.ts';
import type { SetupResult } from '../../source/setup/engine.ts';
import type { PlannedStepView } from '../../source/setup/engine-events.ts';
import type { SetupOutcome } from '../../source/setup/flow-types.ts';
import { StorageError } from '../../source/setup/storage-error.ts';
import { App } from '../../source/ui/App.tsx';
import { keys } from '../helpers/render-ui.tsx';
import { azCliPass } from './fixtures.ts';

afterEach(() => cleanup());

const plan: PlannedStepView[] = [
  {
    id: 'app-identity',
    title: 'system identity on orders-api',
    resource: '/app',
    after: [],
    lines: [],
    consent: null,
  },
  {
    id: 'entra-auth',
    title: 'Entra authentication on pg-orders',
    resource: '/pg',
    after: [],
    lines: [],
    consent: 'may restart the server',
  },
];
const TITLE = 'orders-api → pg-orders/orders · system identity · client nodejs';

function result(status: SetupResult['status'], cancelled: boolean): SetupResult {
  return {
    runId: '20261126-1000-1a2b',
    status,
    exitCode: cancelled ? 130 : status === 'succeeded' ? 0 : 1,
    cancelled,
    steps: plan.map((step) => ({
      id: step.id,
      title: step.title,
      outcome: 'applied',
      rollback: cancelled ? 'undone' : null,
      message: null,
      scriptPath: null,
      elapsedMs: 1000,
    })),
    notDone: [],
    failure: null,
    left: [],
    handedOff: [],
  };
}

/** A session whose setup asks "apply?" then applies step 1 and waits on `gate` for step 2. */
function scriptedApp(options: { snippetsFor?: FrontEndInput['snippetsFor']; columns?: number } = {}) {
  const bus = new EventBus();
  const prompts = createPromptChannel();
  const interrupts: number[] = [];
  let open!: (cancelled: boolean) => void;
  const gate = new Promise<boolean>((resolve) => {
    open = resolve;
  });
  const setup = async (): Promise<SetupOutcome> => {
    const doctor = [azCliPass];
    bus.emit({ type: 'doctor:start', checks: [{ id: azCliPass.id, title: azCliPass.title }] });
    bus.emit({ type: 'check:end', outcome: azCliPass });
    bus.emit({ type: 'doctor:end', outcomes: doctor, summary: summarize(doctor) });
    bus.emit({ type: 'setup:plan', title: TITLE, steps: plan, dryRun: false });
    const yes = await prompts.prompter.confirm({
      id: 'setup-plan',
      message: 'Apply this plan?',
      flag: '--yes',
    });
    if (!yes) return { kind: 'declined', doctor, title: TITLE, plan };
    bus.emit({ type: 'plan:ready', runId: '20261126-1000-1a2b', steps: plan, notDone: [] });
    bus.emit({ type: 'step:start', id: 'app-identity', title: plan[0]!.title, at: 0 });
    bus.emit({
      type: 'step:end',
      id: 'app-identity',
      title: plan[0]!.title,
      outcome: 'applied',
      elapsedMs: 4100,
      message: null,
      scriptPath: null,
    });
    bus.emit({ type: 'step:start', id: 'entra-auth', title: plan[1]!.title, at: 0 });
    bus.emit({
      type: 'step:progress',
      id: 'entra-auth',
      detail: 'waiting for Azure: InProgress',
      elapsedMs: 100,
    });
    const cancelled = await gate;
    if (cancelled) {
      bus.emit({
        type: 'step:end',
        id: 'entra-auth',
        title: plan[1]!.title,
        outcome: 'cancelled',
        elapsedMs: 200,
        message: 'cancelled',
        scriptPath: null,
      });
      bus.emit({
        type: 'rollback:start',
        runId: 'r',
        reason: 'cancelled',
        steps: [{ id: 'app-identity', title: plan[0]!.title }],
      });
      bus.emit({
        type: 'rollback:step-end',
        id: 'app-identity',
        title: plan[0]!.title,
        outcome: 'undone',
        elapsedMs: 300,
        reason: null,
      });
      return { kind: 'ran', doctor, title: TITLE, plan, result: result('cancelled', true), undone: [] };
    }
    bus.emit({
      type: 'step:end',
      id: 'entra-auth',
      title: plan[1]!.title,
      outcome: 'applied',
      elapsedMs: 48000,
      message: null,
      scriptPath: null,
    });
    return { kind: 'ran', doctor, title: TITLE, plan, result: result('succeeded', false), undone: [] };
  };
  const input: FrontEndInput = {
    session: { bus, doctor: async () => [], setup },
    prompts,
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'setup' },
    verbose: false,
    strict: false,
    color: false,
    cancel: new AbortController(),
    interrupt: () => {
      interrupts.push(1);
      open(true);
    },
    ...(options.snippetsFor ? { snippetsFor: options.snippetsFor } : {}),
    stdout: process.stdout,
    stderr: process.stderr,
  };
  let exited!: (code: number) => void;
  let after: string | null = null;
  const exitCode = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const instance = render(
    <App
      input={input}
      onExit={(code, text) => {
        after = text;
        exited(code);
      }}
      now={() => 1000}
      size={{ columns: options.columns ?? 100, rows: 40 }}
    />,
  );
  const frame = () => instance.lastFrame() ?? '';
  const waitFor = async (pattern: RegExp, what: string) => {
    const deadline = Date.now() + 3000;
    while (!pattern.test(frame())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
      await delay(10);
    }
    return frame();
  };
  const press = async (key: string) => {
    // A screen that just appeared subscribes to keys in an effect: give it that moment.
    await delay(50);
    instance.stdin.write(key);
    await delay(20);
  };
  return {
    waitFor,
    press,
    exitCode,
    interrupts,
    finish: () => open(false),
    frames: instance.frames,
    after: () => after,
  };
}

test('doctor → plan → enter → live apply → done → q exits with the setup code', async () => {
  const app = scriptedApp();
  const plan = await app.waitFor(/Plan · orders-api/, 'the plan screen');
  assert.match(plan, /⚠ may restart the server/);
  assert.match(plan, /enter apply {2}d details {2}↑↓ scroll {2}esc back/);
  await app.press(keys.enter);
  const apply = await app.waitFor(/waiting for Azure: InProgress/, 'the apply screen');
  assert.match(apply, /✔ 1 {2}system identity on orders-api/);
  assert.match(apply, /Ctrl-C cancels and undoes everything done so far/);
  app.finish();
  const done = await app.waitFor(/Done: 2 changes made/, 'the done screen');
  assert.match(done, /To remove them again: sc-doctor undo 20261126-1000-1a2b/);
  await app.press('q');
  assert.equal(await app.exitCode, 0);
  assert.match(
    app.frames.join('\n'),
    /Setup · orders-api → pg-orders\/orders/,
    'the run stays in the scrollback',
  );
});

test('after q the code goes to the scrollback once, as the generator wrote it, never laid out by Ink', async () => {
  const long = `const url = process.env.AZURE_POSTGRESQL_CONNECTIONSTRING + '&authenticationPluginClassName=com.azure.identity.extensions.jdbc.postgresql.AzurePostgresqlAuthenticationPlugin';`;
  const app = scriptedApp({
    columns: 80,
    snippetsFor: (outcome) =>
      outcome.kind === 'ran'
        ? {
            headline: 'Done · orders-api can reach pg-orders/orders as aad_orders (no password)',
            settings: [{ name: 'AZURE_POSTGRESQL_HOST', value: 'pg-orders.postgres.database.azure.com' }],
            dependencies: [],
            files: [{ title: 'java · Db.java', fileName: 'Db.java', content: `${long}\n` }],
            text: `App settings\n  AZURE_POSTGRESQL_HOST=pg-orders.postgres.database.azure.com\n\nFile Db.java (java)\n\n${long}\n`,
          }
        : null,
  });
  await app.waitFor(/Plan · orders-api/, 'the plan screen');
  await app.press(keys.enter);
  await app.waitFor(/waiting for Azure/, 'the apply screen');
  app.finish();
  await app.waitFor(/\[App settings\]/, 'the code screen');
  await app.press('q');
  assert.equal(await app.exitCode, 0);
  const after = app.after();
  assert.ok(
    after?.startsWith('Done · orders-api can reach pg-orders/orders as aad_orders (no password)\n\n'),
  );
  assert.ok(after?.includes(`\n${long}\n`), 'the long line whole, on one line');
  // Ink never drew the code wrapped: the part past column 80 never starts a line of any frame.
  assert.doesNotMatch(app.frames.join('\n'), /^\S*AzurePostgresqlAuthenticationPlugin/m);
  assert.match(app.frames.join('\n'), /Done: 2 changes made/);
});

test('Ctrl-C while applying goes to the interrupts; the App leaves with 130 once the rollback ended', async () => {
  const app = scriptedApp();
  await app.waitFor(/Plan · orders-api/, 'the plan screen');
  await app.press(keys.enter);
  await app.waitFor(/waiting for Azure: InProgress/, 'the apply screen');
  await app.press(keys.ctrlC);
  assert.equal(app.interrupts.length, 1);
  assert.equal(await app.exitCode, 130);
  assert.match(app.frames.join('\n'), /undone/);
});

test('the doctor screen offers s setup once the server and the app were found; s starts the setup', async () => {
  const bus = new EventBus();
  const found = (id: string, title: string) => ({ ...azCliPass, id, title, message: 'found' });
  const outcomes = [azCliPass, found('server', 'Database server'), found('app-identity', 'App identity')];
  let setups = 0;
  const input: FrontEndInput = {
    session: {
      bus,
      doctor: async () => {
        bus.emit({ type: 'doctor:start', checks: outcomes.map(({ id, title }) => ({ id, title })) });
        for (const outcome of outcomes) bus.emit({ type: 'check:end', outcome });
        bus.emit({ type: 'doctor:end', outcomes, summary: summarize(outcomes) });
        return outcomes;
      },
      setup: async () => {
        setups += 1;
        bus.emit({ type: 'setup:plan', title: TITLE, steps: plan, dryRun: true });
        return { kind: 'planned', doctor: outcomes, title: TITLE, plan };
      },
    },
    prompts: createPromptChannel(),
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'doctor' },
    verbose: false,
    strict: false,
    color: false,
    cancel: new AbortController(),
    stdout: process.stdout,
    stderr: process.stderr,
  };
  let exited!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const instance = render(
    <App input={input} onExit={exited} now={() => 1000} size={{ columns: 100, rows: 40 }} />,
  );
  const waitFor = async (pattern: RegExp, what: string) => {
    const deadline = Date.now() + 3000;
    while (!pattern.test(instance.lastFrame() ?? '')) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${instance.lastFrame()}`);
      await delay(10);
    }
  };
  await waitFor(/enter details {2}s setup {2}q quit/, 'the s setup hint');
  await delay(50);
  instance.stdin.write('s');
  await waitFor(/Plan · orders-api/, 'the plan of the setup');
  assert.equal(setups, 1);
  await delay(50);
  instance.stdin.write('q');
  assert.equal(await exitCode, 0, 'a dry run ends 0');
});

test('without anyone to ask (sc-doctor doctor), the doctor screen offers no setup', async () => {
  const bus = new EventBus();
  const found = (id: string, title: string) => ({ ...azCliPass, id, title, message: 'found' });
  const outcomes = [azCliPass, found('server', 'Database server'), found('app-identity', 'App identity')];
  const input: FrontEndInput = {
    session: {
      bus,
      doctor: async () => {
        bus.emit({ type: 'doctor:start', checks: outcomes.map(({ id, title }) => ({ id, title })) });
        for (const outcome of outcomes) bus.emit({ type: 'check:end', outcome });
        bus.emit({ type: 'doctor:end', outcomes, summary: summarize(outcomes) });
        return outcomes;
      },
      setup: async () => {
        throw new Error('a setup was started');
      },
    },
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'doctor' },
    verbose: false,
    strict: false,
    color: false,
    cancel: new AbortController(),
    stdout: process.stdout,
    stderr: process.stderr,
  };
  const instance = render(<App input={input} now={() => 1000} size={{ columns: 100, rows: 40 }} />);
  const deadline = Date.now() + 3000;
  while (!/3 passed/.test(instance.lastFrame() ?? '')) {
    if (Date.now() > deadline) throw new Error(`no result:\n${instance.lastFrame()}`);
    await delay(10);
  }
  assert.match(instance.lastFrame() ?? '', /↑↓ move {2}enter details {2}q quit/);
  assert.doesNotMatch(instance.lastFrame() ?? '', /s setup/);
});

test('a usage error after start (an unsafe ~/.sc-doctor, a file the system refuses) shows its message and fix and exits 2', async () => {
  const bus = new EventBus();
  const storage = new StorageError('write the journal', '/home/dana/.sc-doctor/runs', 'EACCES');
  const setup = async (): Promise<SetupOutcome> => {
    const doctor = [azCliPass];
    bus.emit({ type: 'doctor:start', checks: [{ id: azCliPass.id, title: azCliPass.title }] });
    bus.emit({ type: 'check:end', outcome: azCliPass });
    bus.emit({ type: 'doctor:end', outcomes: doctor, summary: summarize(doctor) });
    await delay(20);
    throw storage;
  };
  const input: FrontEndInput = {
    session: { bus, doctor: async () => [], setup },
    prompts: createPromptChannel(),
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'setup' },
    verbose: false,
    strict: false,
    color: false,
    cancel: new AbortController(),
    stdout: process.stdout,
    stderr: process.stderr,
  };
  let exited!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const instance = render(
    <App input={input} onExit={(code) => exited(code)} now={() => 1000} size={{ columns: 120, rows: 40 }} />,
  );
  // It leaves by itself, as plain mode does: nobody has to press q.
  assert.equal(await exitCode, 2);
  const frames = instance.frames.join('\n');
  assert.match(
    frames,
    /sc-doctor: cannot write the journal \/home\/dana\/\.sc-doctor\/runs: permission denied \(EACCES\)\./,
  );
  assert.match(frames, /Fix: make it yours and private: chmod u\+rwX \/home\/dana\/\.sc-doctor\/runs\./);
  assert.doesNotMatch(frames, /the doctor itself failed/);
});

test('any other error of the run is still said to be the doctor’s own failure, exit 1', async () => {
  const bus = new EventBus();
  const input: FrontEndInput = {
    session: {
      bus,
      doctor: async () => [],
      setup: async () => {
        await delay(20);
        throw new Error('boom');
      },
    },
    prompts: createPromptChannel(),
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'setup' },
    verbose: false,
    strict: false,
    color: false,
    cancel: new AbortController(),
    stdout: process.stdout,
    stderr: process.stderr,
  };
  const instance = render(<App input={input} now={() => 1000} size={{ columns: 100, rows: 40 }} />);
  const deadline = Date.now() + 3000;
  while (!/the doctor itself failed: boom/.test(instance.lastFrame() ?? '')) {
    if (Date.now() > deadline) throw new Error(`no error shown:\n${instance.lastFrame()}`);
    await delay(10);
  }
});
