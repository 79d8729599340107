// `--help`, `--version` and the non-interactive doctor must never load Ink: the built CLI runs
// with a preload that records every module it loads, and the esbuild metafile says which chunks
// hold Ink, React or source/ui.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { type BundleOutput, describeBundle, loadedOutputs, readTrace } from '../../scripts/lib/chunks.mjs';
import { azStandInPathDir, builtCli, emptyPathDir, repoRoot, runCli, tempDir } from '../helpers/build.ts';

const hook = join(repoRoot, 'scripts/lib/trace-modules.mjs');
let bundle: BundleOutput[];

before(() => {
  const { outdir } = builtCli();
  bundle = describeBundle(outdir, repoRoot);
});

async function traced(args: string[], env: Record<string, string> = {}) {
  const file = join(tempDir('sc-doctor-trace-'), 'trace.txt');
  const result = await runCli(args, { SC_DOCTOR_TRACE_FILE: file, ...env }, ['--import', hook]);
  return { result, loaded: loadedOutputs(bundle, readTrace(file)) };
}

test('the metafile identifies the Ink chunks: the interactive front-end is one of them', () => {
  const interactive = bundle.find((output) => output.inputs.includes('source/ui/interactive.tsx'));
  assert.ok(interactive, 'an output holds source/ui/interactive.tsx');
  assert.equal(interactive.ink, true);
  assert.ok(bundle.some((output) => output.inputs.some((input) => input.includes('node_modules/ink/'))));
  const entry = bundle.find((output) => output.file === builtCli().cli);
  assert.equal(entry?.ink, false, 'the entry itself holds no Ink');
});

for (const args of [['--help'], ['--version'], ['doctor', '--json'], ['doctor', '--plain']]) {
  test(`${args.join(' ')} never loads a chunk with Ink, React or source/ui`, async () => {
    const { result, loaded } = await traced(args);
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    const files = loaded.map((output) => output.file);
    assert.ok(files.includes(builtCli().cli), 'the trace saw the entry (the hook works)');
    assert.ok(loaded.length >= 2, 'the trace saw the lazily imported main chunk');
    assert.deepEqual(
      loaded.filter((output) => output.ink).map((output) => output.owners.join(',')),
      [],
      'no Ink chunk loaded',
    );
  });
}

/** The Azure SDK packages: clients, identity and the HTTP pipeline, and the Graph client. */
const AZURE_SDK = /^@azure\/|^@microsoft\/microsoft-graph-client$/;

for (const args of [['--help'], ['--version'], ['doctor', '--json']]) {
  test(`${args.join(' ')} without az loads nothing of the Azure SDKs`, async () => {
    const { loaded } = await traced(args);
    assert.ok(loaded.length >= 2, 'the trace saw the lazily imported main chunk');
    assert.deepEqual(
      loaded.flatMap((output) => output.owners.filter((owner) => AZURE_SDK.test(owner))),
      [],
    );
  });
}

test('control: signed in through az, doctor --json does load the Azure HTTP pipeline', async () => {
  const { loaded } = await traced(['doctor', '--json'], { PATH: azStandInPathDir() });
  assert.ok(loaded.some((output) => output.owners.some((owner) => AZURE_SDK.test(owner))));
});

test('with no az on PATH, doctor --json starts no program: execa and child processes stay unloaded', async () => {
  const { result, loaded } = await traced(['doctor', '--json']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /az not found on PATH/);
  const execa = bundle.filter((output) => output.owners.includes('execa'));
  assert.ok(execa.length > 0, 'the metafile names the execa chunk');
  assert.deepEqual(
    loaded.filter((output) => output.owners.includes('execa')).map((output) => output.file),
    [],
  );
});

test('control: with az on PATH the same run does load execa to start it', async () => {
  const { loaded } = await traced(['doctor', '--json'], { PATH: azStandInPathDir() });
  assert.ok(loaded.some((output) => output.owners.includes('execa')));
});

test('control: the interactive mode (in a pseudo-terminal) does load the Ink chunk', {
  timeout: 30_000,
}, async () => {
  const file = join(tempDir('sc-doctor-trace-'), 'trace.txt');
  const home = tempDir('sc-doctor-home-');
  const command = [process.execPath, '--import', hook, builtCli().cli].map((part) => `'${part}'`).join(' ');
  // util-linux `script` gives the CLI a terminal on stdin and stdout; `q` quits once drawn.
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      HOME: home,
      AZURE_CONFIG_DIR: join(home, '.azure'),
      PATH: `${emptyPathDir()}:/usr/bin:/bin`,
      TERM: 'xterm-256color',
      SC_DOCTOR_TRACE_FILE: file,
    },
  });
  let screen = '';
  let quit = false;
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    screen += text;
    if (!quit && /q quit/.test(screen) && /failed/.test(screen)) {
      quit = true;
      child.stdin.write('q');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const loaded = loadedOutputs(bundle, readTrace(file));
  assert.ok(
    loaded.some((output) => output.ink),
    'the interactive run loaded an Ink chunk',
  );
});
