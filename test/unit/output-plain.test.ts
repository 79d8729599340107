import assert from 'node:assert/strict';
import { test } from 'node:test';
import { azMissing } from '../../source/azure/signin-error.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { Services } from '../../source/core/services.ts';
import type { DoctorCheck } from '../../source/doctor/check.ts';
import { NO_TARGET } from '../../source/doctor/target.ts';
import { createPlainFrontEnd, progressLine, resultLines, statusCell } from '../../source/output/plain.ts';
import { unicodeSupported } from '../../source/output/terminal.ts';
import type { RunEvent } from '../../source/run/events.ts';
import type { FrontEndInput } from '../../source/run/front-end.ts';
import { CaptureStream } from '../helpers/capture.ts';

const services: Services = {
  env: {},
  now: Date.now,
  exec: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false }),
  azure: {} as unknown as Services['azure'],
};

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The second check finishes first: rows must still come out in declared order.
const checks: DoctorCheck[] = [
  {
    id: 'azure-cli',
    title: 'Azure CLI',
    run: async () => {
      await delay(30);
      return { status: 'pass', message: '2.67.0', details: ['at /usr/bin/az'] };
    },
  },
  {
    id: 'signin',
    title: 'Signed in',
    run: async () => ({
      status: 'fail',
      message: 'AADSTS530003 · device must be managed',
      details: ['Conditional Access requires a managed device.'],
      remediation: {
        summary: 'Sign in from a managed device.',
        commands: ['az logout', 'az login'],
        docsUrl: 'https://learn.microsoft.com/x',
        fixable: false,
      },
    }),
  },
  {
    id: 'subscription',
    title: 'Subscription',
    needs: ['signin'],
    run: async () => ({ status: 'pass', message: 'x' }),
  },
];

async function runPlainWith(options: {
  color: boolean;
  unicode: boolean;
  verbose?: boolean;
  strict?: boolean;
  checks?: DoctorCheck[];
}) {
  const bus = new EventBus<RunEvent>();
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const input: FrontEndInput = {
    session: {
      bus,
      doctor: () =>
        runChecks(options.checks ?? checks, {
          services,
          options: { verbose: false, target: NO_TARGET },
          bus,
          slowAfterMs: 10,
        }),
    },
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'doctor' },
    verbose: options.verbose ?? false,
    strict: options.strict ?? false,
    color: options.color,
    cancel: new AbortController(),
    stdout,
    stderr,
  };
  const code = await createPlainFrontEnd(options.unicode)(input);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

test('without colour: words only, rows in declared order, details and fix under non-pass rows, summary and exit code', async () => {
  const result = await runPlainWith({ color: false, unicode: true });
  assert.equal(result.code, 1);
  assert.equal(
    result.stdout,
    [
      'PASS    Azure CLI     2.67.0',
      'FAIL    Signed in     AADSTS530003 · device must be managed',
      '        Conditional Access requires a managed device.',
      '        fix: Sign in from a managed device.',
      '          az logout',
      '          az login',
      '        docs: https://learn.microsoft.com/x',
      'SKIP    Subscription  needs signed in (fail)',
      '',
      'Summary: 1 passed · 1 failed · 1 skipped',
      'Exit code 1: at least one check did not pass.',
      '',
    ].join('\n'),
  );
  assert.ok(!result.stdout.includes('\u001b'));
  assert.ok(!result.stderr.includes('\u001b'));
});

test('progress goes to stderr only: start and slow notices', async () => {
  const result = await runPlainWith({ color: false, unicode: false });
  assert.match(result.stderr, /^\.\.\. checking Azure CLI$/m);
  assert.match(result.stderr, /^\.\.\. Azure CLI: still running \(\d+s\)$/m);
  assert.ok(!result.stdout.includes('checking'));
  assert.match(result.stdout, /^Summary: 1 passed, 1 failed, 1 skipped$/m);
});

test('--verbose shows details under passing rows too', async () => {
  const result = await runPlainWith({ color: false, unicode: true, verbose: true });
  assert.match(result.stdout, /^PASS {4}Azure CLI {5}2\.67\.0\n {8}at \/usr\/bin\/az$/m);
});

test('with colour and Unicode: a coloured glyph comes with the word', async () => {
  assert.equal(
    statusCell('pass', { color: true, unicode: true, verbose: false }),
    '\u001b[32m✔ PASS   \u001b[39m',
  );
  assert.equal(
    statusCell('fail', { color: true, unicode: false, verbose: false }),
    '\u001b[31mFAIL   \u001b[39m',
  );
  assert.equal(statusCell('warn', { color: false, unicode: true, verbose: false }), 'WARN   ');
  const result = await runPlainWith({ color: true, unicode: true });
  assert.ok(result.stdout.includes('\u001b[31m✖ FAIL   \u001b[39m Signed in'));
});

test('warnings pass unless strict, and the last line says why', async () => {
  const warn: DoctorCheck[] = [
    { id: 'azure-cli', title: 'Azure CLI', run: async () => ({ status: 'warn', message: '2.40.0' }) },
  ];
  const relaxed = await runPlainWith({ color: false, unicode: true, checks: warn });
  assert.equal(relaxed.code, 0);
  assert.match(
    relaxed.stdout,
    /Exit code 0: warnings do not fail the run \(add --strict to make them\)\.\n$/,
  );
  const strict = await runPlainWith({ color: false, unicode: true, checks: warn, strict: true });
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /Exit code 1: warnings fail the run with --strict\.\n$/);
});

test('control characters a check copied from a tool never reach the terminal', async () => {
  const noisy: DoctorCheck[] = [
    {
      id: 'azure-cli',
      title: 'Azure CLI',
      run: async () => ({ status: 'fail', message: '\u001b[31mred\u001b[0m', details: ['a\u0007b'] }),
    },
  ];
  const result = await runPlainWith({ color: false, unicode: true, checks: noisy });
  assert.ok(!result.stdout.includes('\u001b'));
  assert.ok(!result.stdout.includes('\u0007'));
  assert.match(result.stdout, /FAIL {4}Azure CLI {2}\[31mred\[0m/);
});

test('progressLine ignores events without progress', () => {
  const style = { color: false, unicode: true, verbose: false };
  assert.equal(progressLine({ type: 'doctor:start', checks: [] }, style), undefined);
  assert.equal(
    progressLine({ type: 'check:slow', id: 'a', title: 'A', elapsedMs: 5_200 }, style),
    '… A: still running (5s)',
  );
});

test('unicodeSupported: the Linux console and old Windows consoles get ASCII', () => {
  assert.equal(unicodeSupported({ TERM: 'xterm-256color' }, 'linux'), true);
  assert.equal(unicodeSupported({ TERM: 'linux' }, 'linux'), false);
  assert.equal(unicodeSupported({}, 'win32'), false);
  assert.equal(unicodeSupported({ WT_SESSION: 'x' }, 'win32'), true);
});

test('a command label is a # comment line of its own above its command; commands stand alone', () => {
  const remediation = azMissing().remediation;
  const lines = resultLines(
    {
      id: 'azure-cli',
      title: 'Azure CLI',
      status: 'fail',
      durationMs: 1,
      message: 'az not found on PATH',
      details: [],
      remediation,
      data: {},
      blocking: false,
    },
    9,
    { color: false, unicode: false, verbose: false },
  ).map((line) => line.trim());
  for (const command of remediation.commands) {
    const at = lines.indexOf(command);
    assert.ok(at > 0, `'${command}' is a line of its own`);
    const label = remediation.commandLabels?.[command];
    if (label) assert.equal(lines[at - 1], `# ${label}`);
  }
  assert.equal(lines[lines.indexOf('brew install azure-cli') - 1], '# macOS');
  for (const line of lines)
    assert.doesNotMatch(line, /^[a-z].*\s#\s/, `a command with a trailing comment: ${line}`);
});
