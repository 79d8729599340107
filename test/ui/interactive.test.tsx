import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { Services } from '../../source/core/services.ts';
import type { DoctorCheck } from '../../source/doctor/check.ts';
import { NO_TARGET } from '../../source/doctor/target.ts';
import type { RunBus, RunEvent } from '../../source/run/events.ts';
import type { FrontEndInput } from '../../source/run/front-end.ts';
import { runInteractiveWith } from '../../source/ui/interactive.tsx';
import { listening, settle, waitFor } from '../helpers/wait-for.ts';

/** A terminal-less stdout that honours write callbacks (Ink waits on one before resolving exit). */
class FakeStdout extends EventEmitter {
  readonly columns = 100;
  readonly rows = 30;
  readonly isTTY = false;
  text = '';
  write(chunk: string, callback?: () => void): boolean {
    this.text += chunk;
    callback?.();
    return true;
  }
}

/** A raw-mode capable stdin that tests type into. */
class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  #data: string | null = null;
  type(data: string): void {
    this.#data = data;
    this.emit('readable');
  }
  read(): string | null {
    const data = this.#data;
    this.#data = null;
    return data;
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

const checks: DoctorCheck[] = [
  { id: 'az-cli', title: 'Azure CLI', run: async () => ({ status: 'pass', message: '2.67.0' }) },
  {
    id: 'signin',
    title: 'Signed in',
    needs: ['az-cli'],
    run: async () => ({
      status: 'fail',
      message: 'not signed in',
      remediation: { summary: 'sign in to the Azure CLI', commands: ['az login'], fixable: false },
    }),
  },
  {
    id: 'subscription',
    title: 'Subscription',
    needs: ['signin'],
    run: async () => ({ status: 'pass', message: 'x' }),
  },
];

function inputFor(runChecksWith: (bus: RunBus, signal: AbortSignal) => ReturnType<typeof runChecks>) {
  const bus = new EventBus<RunEvent>();
  const cancel = new AbortController();
  const stdout = new FakeStdout();
  const input: FrontEndInput = {
    session: { bus, doctor: () => runChecksWith(bus, cancel.signal) },
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'doctor' },
    verbose: false,
    strict: false,
    color: false,
    cancel,
    stdout: stdout as unknown as NodeJS.WritableStream,
    stderr: new FakeStdout() as unknown as NodeJS.WritableStream,
  };
  return { input, stdout, cancel };
}

const services = { env: {}, now: () => Date.now() } as unknown as Services;
const options = { verbose: false, target: NO_TARGET };

test('runInteractive runs the real check runner once and q resolves 1, leaving a final copy without key hints', async () => {
  let runs = 0;
  let done = false;
  const { input, stdout } = inputFor(async (bus, signal) => {
    runs += 1;
    const outcomes = await runChecks(checks, { services, options, bus, signal });
    done = true;
    return outcomes;
  });
  const stdin = new FakeStdin();
  const exit = runInteractiveWith(input, { stdin: stdin as unknown as NodeJS.ReadStream });
  await waitFor(() => done && listening(stdin), 'the checks to end on a screen that listens to keys');
  await settle();
  stdin.type('q');
  assert.equal(await exit, 1);
  assert.equal(runs, 1);
  // A non-TTY stdout gets only the final frame, which is what stays in scrollback.
  assert.match(stdout.text, /✔ pass +Azure CLI +2\.67\.0/);
  assert.match(
    stdout.text,
    /✖ FAIL +Signed in +not signed in\n {11}fix {6}sign in to the Azure CLI\n {20}az login/,
  );
  assert.match(stdout.text, /○ skip +Subscription +needs signed in \(fail\)/);
  assert.match(stdout.text, /1 passed · 1 failed · 1 skipped/);
  assert.doesNotMatch(stdout.text, /q quit/);
});

test('runInteractive: Ctrl-C while a check hangs aborts it and resolves 130', async () => {
  let seenAbort = false;
  let started = false;
  const hanging: DoctorCheck = {
    id: 'az-cli',
    title: 'Azure CLI',
    run: ({ signal }) =>
      new Promise((resolve) => {
        started = true;
        signal.addEventListener('abort', () => {
          seenAbort = true;
          resolve({ status: 'skip', message: 'cancelled' });
        });
      }),
  };
  const { input, cancel } = inputFor((bus, signal) =>
    runChecks([hanging], { services, options, bus, signal }),
  );
  const stdin = new FakeStdin();
  const exit = runInteractiveWith(input, { stdin: stdin as unknown as NodeJS.ReadStream });
  await waitFor(() => started && listening(stdin), 'the check to hang on a screen that listens to keys');
  await settle();
  stdin.type('\u0003');
  assert.equal(await exit, 130);
  assert.equal(cancel.signal.aborted, true);
  await waitFor(() => seenAbort, 'the running check to see the abort');
});

/** A terminal of `rows` lines: Ink draws to it as to a real one (cursor moves, erases). */
class ShortTty extends EventEmitter {
  readonly columns = 100;
  readonly isTTY = true;
  text = '';
  constructor(readonly rows: number) {
    super();
  }
  write(chunk: string, callback?: () => void): boolean {
    this.text += chunk;
    callback?.();
    return true;
  }
}

/** What a person reads: the output without escape sequences. */
function visible(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

test('in a terminal shorter than the report, q leaves exactly one copy of it, ending in a newline', async () => {
  let done = false;
  const many: DoctorCheck[] = Array.from({ length: 12 }, (_, index) => ({
    id: `check-${index}`,
    title: `Check ${index}`,
    run: async () => ({ status: 'pass', message: `fine ${index}` }),
  }));
  const bus = new EventBus<RunEvent>();
  const cancel = new AbortController();
  const stdout = new ShortTty(10);
  const input: FrontEndInput = {
    session: {
      bus,
      doctor: async () => {
        const outcomes = await runChecks(many, { services, options, bus, signal: cancel.signal });
        done = true;
        return outcomes;
      },
    },
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'doctor' },
    verbose: false,
    strict: false,
    color: false,
    cancel,
    stdout: stdout as unknown as NodeJS.WritableStream,
    stderr: new FakeStdout() as unknown as NodeJS.WritableStream,
  };
  const stdin = new FakeStdin();
  const exit = runInteractiveWith(input, { stdin: stdin as unknown as NodeJS.ReadStream });
  await waitFor(() => done && listening(stdin), 'the report on a screen that listens to keys');
  await settle();
  stdin.type('q');
  assert.equal(await exit, 0);
  const text = visible(stdout.text);
  // The live frames were cut to the terminal; the complete report appears once, after them.
  assert.equal(text.split('Check 11').length - 1, 1, text);
  assert.match(text, /Check 0 +fine 0\n[\s\S]*Check 11 +fine 11\n\n12 passed\n+$/);
});

test('Ctrl-C while checks run ends in a cancelled state: no spinner, no "running" left behind', async () => {
  let hangingNow = 0;
  const hanging = (id: string, title: string): DoctorCheck => ({
    id,
    title,
    run: ({ signal }) =>
      new Promise((resolve) => {
        hangingNow += 1;
        signal.addEventListener('abort', () => resolve({ status: 'skip', message: 'cancelled' }));
      }),
  });
  const { input, stdout } = inputFor((bus, signal) =>
    runChecks(
      [
        checks[0]!,
        hanging('network', 'Network'),
        hanging('rbac', 'Permissions'),
        { ...checks[2]!, needs: ['rbac'] },
      ],
      { services, options, bus, signal },
    ),
  );
  const stdin = new FakeStdin();
  const exit = runInteractiveWith(input, { stdin: stdin as unknown as NodeJS.ReadStream });
  // Azure CLI ends at once; the other two hang until the Ctrl-C.
  await waitFor(() => hangingNow === 2 && listening(stdin), 'two checks to hang on a screen that listens');
  await settle();
  stdin.type('\u0003');
  assert.equal(await exit, 130);
  const text = visible(stdout.text);
  assert.match(text, /✔ pass +Azure CLI +2\.67\.0/);
  assert.match(text, /○ halted +Network +cancelled/);
  assert.match(text, /○ halted +Permissions +cancelled/);
  assert.match(text, /○ halted +Subscription +cancelled/);
  assert.match(text, /cancelled · 3 not finished · 1 passed\n/);
  assert.doesNotMatch(text, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|running|waiting/);
});
