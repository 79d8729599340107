import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CliIo } from '../../source/cli/io.ts';
import { main } from '../../source/cli/main.ts';
import type { DoctorDeps } from '../../source/cli/run-doctor.ts';
import type { OutputMode } from '../../source/core/mode.ts';
import type { Services } from '../../source/core/services.ts';
import { UsageError } from '../../source/core/usage-error.ts';
import type { DoctorCheck } from '../../source/doctor/check.ts';
import { runJson } from '../../source/output/json.ts';
import { runPlain } from '../../source/output/plain.ts';
import type { FrontEnd } from '../../source/run/front-end.ts';
import { CaptureStream } from '../helpers/capture.ts';
import { waitFor } from '../helpers/wait-for.ts';

const services: Services = {
  env: {},
  now: Date.now,
  exec: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false }),
  azure: { dispose: () => disposals.push('dispose') } as unknown as Services['azure'],
};
const disposals: string[] = [];

const passing: DoctorCheck = {
  id: 'azure-cli',
  title: 'Azure CLI',
  run: async () => ({ status: 'pass', message: '2.67.0' }),
};
const failing: DoctorCheck = {
  id: 'signin',
  title: 'Signed in',
  run: async () => ({
    status: 'fail',
    message: 'not signed in',
    remediation: { summary: 'Sign in.', commands: ['az login'], fixable: false },
  }),
};

interface Harness {
  checks?: DoctorCheck[];
  modes?: OutputMode[];
  interactive?: FrontEnd;
  createServices?: DoctorDeps['createServices'];
  onSignal?: CliIo['onSignal'];
  env?: Record<string, string | undefined>;
  tty?: boolean;
}

async function run(argv: string[], harness: Harness = {}) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const modes = harness.modes ?? [];
  const deps: DoctorDeps = {
    createServices: harness.createServices ?? (async () => services),
    loadChecks: async () => harness.checks ?? [passing],
    loadFrontEnd: async (mode) => {
      modes.push(mode);
      if (mode === 'json') return runJson;
      if (mode === 'plain') return runPlain;
      return harness.interactive ?? (async () => 0);
    },
  };
  const env = harness.env ?? {};
  const io: CliIo = {
    stdout,
    stderr,
    env,
    stdinIsTTY: harness.tty ?? false,
    stdoutIsTTY: harness.tty ?? false,
    onSignal: harness.onSignal,
  };
  const code = await main(argv, io, deps);
  return { code, stdout: stdout.text, stderr: stderr.text, modes, env };
}

test('doctor --json prints one document with the outcomes and exits by doctorExitCode', async () => {
  const result = await run(['doctor', '--json'], { checks: [passing, failing] });
  assert.equal(result.code, 1);
  assert.equal(result.stderr, '');
  const document = JSON.parse(result.stdout);
  assert.equal(document.command, 'doctor');
  assert.deepEqual(
    document.doctor.checks.map((c: { id: string; status: string }) => [c.id, c.status]),
    [
      ['azure-cli', 'pass'],
      ['signin', 'fail'],
    ],
  );
  assert.equal(document.exitCode, 1);
});

test('the mode is chosen once: json, plain without a TTY, interactive with both TTYs', async () => {
  assert.deepEqual((await run(['doctor', '--json'])).modes, ['json']);
  assert.deepEqual((await run(['doctor'])).modes, ['plain']);
  assert.deepEqual((await run([], { tty: true })).modes, ['interactive']);
  assert.deepEqual((await run([], { tty: true, env: { CI: 'true' } })).modes, ['plain']);
  assert.deepEqual((await run(['--plain'], { tty: true })).modes, ['plain']);
});

test('the interactive front-end gets the command, and NO_COLOR becomes FORCE_COLOR=0 before it loads', async () => {
  let seen: { command: string; color: boolean; forceColor: string | undefined } | undefined;
  const env: Record<string, string | undefined> = { NO_COLOR: '1' };
  const result = await run([], {
    tty: true,
    env,
    interactive: async (input) => {
      seen = { command: input.header.command, color: input.color, forceColor: env.FORCE_COLOR };
      return 0;
    },
  });
  assert.equal(result.code, 0);
  assert.deepEqual(seen, { command: 'doctor', color: false, forceColor: '0' });

  const forced: Record<string, string | undefined> = { NO_COLOR: '1', FORCE_COLOR: '1' };
  await run([], { tty: true, env: forced });
  assert.equal(forced.FORCE_COLOR, '1');
});

test('the subscription and cloud reach the services', async () => {
  let asked: unknown;
  await run(
    [
      'doctor',
      '--json',
      '--subscription',
      '11111111-2222-3333-4444-555555555555',
      '--cloud',
      'AzureUSGovernment',
    ],
    {
      createServices: async (options) => {
        asked = { subscription: options.subscription, cloud: options.cloud };
        return services;
      },
    },
  );
  assert.deepEqual(asked, {
    subscription: '11111111-2222-3333-4444-555555555555',
    cloud: 'AzureUSGovernment',
  });
});

test('SIGINT cancels the running checks and the run exits 130; the handler is removed afterwards', async () => {
  let fire: ((signal: NodeJS.Signals) => void) | undefined;
  let removed = false;
  let running = false;
  const slow: DoctorCheck = {
    id: 'slow',
    title: 'Slow',
    run: ({ signal }) =>
      new Promise((resolve) => {
        running = true;
        signal.addEventListener('abort', () => resolve({ status: 'skip', message: 'stopped' }));
      }),
  };
  const pending = run(['doctor', '--json'], {
    checks: [slow],
    onSignal: (handler) => {
      fire = handler;
      return () => {
        removed = true;
      };
    },
  });
  await waitFor(() => running && fire, 'the check to run');
  fire?.('SIGINT');
  const result = await pending;
  assert.equal(result.code, 130);
  assert.equal(JSON.parse(result.stdout).exitCode, 130);
  assert.equal(removed, true);
  assert.ok(disposals.length >= 1, 'the Azure session was disposed');
});

test('an internal error is one line plus a hint, exit 1; --verbose adds the stack', async () => {
  const broken = async (): Promise<Services> => {
    throw new Error('boom');
  };
  const quiet = await run(['doctor', '--json'], { createServices: broken });
  assert.equal(quiet.code, 1);
  assert.equal(quiet.stdout, '');
  assert.equal(quiet.stderr, 'sc-doctor: internal error: boom\nRun with --verbose for details.\n');
  const verbose = await run(['doctor', '--json', '--verbose'], { createServices: broken });
  assert.equal(verbose.code, 1);
  assert.match(verbose.stderr, /^sc-doctor: internal error: boom\nError: boom\n\s+at /);
});

test('sc-doctor doctor in a terminal never asks: no target question, no setup offer; bare sc-doctor is the guided path', async () => {
  const target: DoctorCheck = {
    id: 'server',
    title: 'Database server',
    phase: 'target',
    run: async () => ({ status: 'skip', message: 'no target' }),
  };
  const seen: { prompts: boolean; chose: number }[] = [];
  const interactive: FrontEnd = async (input) => {
    await input.session.doctor();
    seen.push({
      prompts: input.prompts !== undefined,
      chose: chosen,
    });
    return 0;
  };
  let chosen = 0;
  const runWith = async (argv: string[]) => {
    const stdout = new CaptureStream();
    const io: CliIo = { stdout, stderr: new CaptureStream(), env: {}, stdinIsTTY: true, stdoutIsTTY: true };
    return main(argv, io, {
      createServices: async () => services,
      loadChecks: async () => [passing, target],
      loadFrontEnd: async () => interactive,
      chooseTarget: async () => {
        chosen += 1;
        return undefined;
      },
    });
  };
  assert.equal(await runWith(['doctor']), 0);
  assert.deepEqual(seen.at(-1), { prompts: false, chose: 0 });
  // Without a prompts channel nothing can be asked, and the doctor screen offers no setup (s): both
  // are only built for the guided path, bare sc-doctor, which asks for the target.
  chosen = 0;
  const guided = runWith([]);
  assert.equal(await guided, 0);
  assert.deepEqual(seen.at(-1), { prompts: true, chose: 1 });
});

test('help says doctor never prompts and what bare sc-doctor does', async () => {
  const result = await run(['--help']);
  assert.match(
    result.stdout,
    /\(none\) +guided, in a terminal: pick the server and app, check them, then set\n +up \(s\)/,
  );
  assert.match(result.stdout, /doctor \[flags\] +run the checks and report; never prompts, changes nothing/);
});

test('in a terminal the header is on screen before the screen, checks and services load; the screen then takes its line', async () => {
  const stdout = new CaptureStream();
  const atLoad: Record<string, string> = {};
  const io: CliIo = { stdout, stderr: new CaptureStream(), env: {}, stdinIsTTY: true, stdoutIsTTY: true };
  const code = await main(['doctor'], io, {
    createServices: async () => {
      atLoad.services = stdout.text;
      return services;
    },
    loadChecks: async () => {
      atLoad.checks = stdout.text;
      return [passing];
    },
    loadFrontEnd: async () => {
      atLoad.screen = stdout.text;
      return async () => {
        atLoad.drawn = stdout.text;
        return 0;
      };
    },
  });
  assert.equal(code, 0);
  // Bold, as the screen draws it (colour is on in a terminal unless NO_COLOR says otherwise).
  const header = /^\x1b\[1msc-doctor \d+\.\d+\.\d+\S* · doctor\x1b\[22m$/;
  for (const when of ['services', 'checks', 'screen']) assert.match(atLoad[when] ?? '', header, when);
  // Cleared just before the screen draws: its first frame writes the header on the same line.
  assert.match(atLoad.drawn ?? '', /· doctor\x1b\[22m\r\x1b\[2K$/);
  assert.equal(stdout.text, atLoad.drawn, 'nothing after the hand-over but the screen');
});

test('a run that ends before the screen took over leaves no half line: the early header is cleared', async () => {
  const result = await run(['doctor'], {
    tty: true,
    env: { NO_COLOR: '1' },
    createServices: async () => {
      throw new UsageError('--cloud names a cloud az does not know.', ['Fix: az cloud list']);
    },
  });
  assert.equal(result.code, 2);
  // NO_COLOR: the header is plain text, as the screen would draw it.
  assert.match(result.stdout, /^sc-doctor \S+ · doctor\r\x1b\[2K$/);
  assert.match(result.stderr, /^sc-doctor: --cloud names a cloud az does not know\./);
});

test('plain and JSON runs write no early header', async () => {
  const plain = await run(['doctor', '--plain']);
  assert.doesNotMatch(plain.stdout, /\x1b\[2K/);
  const json = await run(['doctor', '--json']);
  assert.doesNotThrow(() => JSON.parse(json.stdout));
});
