// A reader that goes away (`sc-doctor doctor --plain | head -1`) against the built CLI, through real
// pipes whose read end this test closes: no stack trace, a quiet end, an exit code that says why.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { azStandInPathDir, builtCli, tempDir } from '../helpers/build.ts';

const STACK_LINE = /\n\s+at .+:\d+:\d+/;

before(() => {
  builtCli();
});

interface PipedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI with the stand-in az; `close.stdout`/`close.stderr` decide when this side closes the
 * read end of that pipe, given what arrived on it so far.
 */
function runPiped(
  args: string[],
  close: { stdout?: (seen: string) => boolean; stderr?: (seen: string) => boolean },
): Promise<PipedRun> {
  const home = tempDir('sc-doctor-home-');
  const child = spawn(process.execPath, [builtCli().cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { HOME: home, AZURE_CONFIG_DIR: join(home, '.azure'), PATH: azStandInPathDir(), NO_COLOR: '1' },
  });
  const seen = { stdout: '', stderr: '' };
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = child[name];
    const shouldClose = close[name];
    if (shouldClose?.('')) {
      stream.destroy();
      continue;
    }
    stream.setEncoding('utf8').on('data', (text: string) => {
      seen[name] += text;
      if (shouldClose?.(seen[name])) stream.destroy();
    });
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...seen }));
  });
}

test('plain: stdout closed after the first line ends the run quietly with exit 141', async () => {
  const run = await runPiped(['doctor', '--plain'], { stdout: (seen) => seen.includes('\n') });
  assert.match(run.stdout, /^PASS {4}Azure CLI/);
  assert.doesNotMatch(run.stdout, /Summary/, 'the pipe closed before the run ended');
  assert.equal(run.code, 141, run.stderr);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  assert.doesNotMatch(run.stderr, /EPIPE|internal error/);
});

test('json: stdout closed before the document is written ends the run quietly with exit 141', async () => {
  const run = await runPiped(['doctor', '--json'], { stdout: () => true });
  assert.equal(run.code, 141, run.stderr);
  assert.equal(run.stderr, '');
});

test('plain: stderr closed loses only the progress lines; the results and the exit code stay', async () => {
  const whole = await runPiped(['doctor', '--plain'], {});
  const run = await runPiped(['doctor', '--plain'], { stderr: () => true });
  assert.equal(run.code, whole.code);
  assert.match(run.stdout, /^Summary: /m);
  assert.equal(run.stdout, whole.stdout);
});
