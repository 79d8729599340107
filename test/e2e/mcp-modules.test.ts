/**
 * The MCP SDK and zod load only in `sc-doctor mcp`: the built CLI runs with the preload that records
 * every module it loads (scripts/lib/trace-modules.mjs), and the esbuild metafile says which chunks
 * hold the SDK, zod or source/mcp. `--version`, `doctor --json` and the interactive startup load none
 * of them; `mcp` does (the control that shows the trace would see them).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { type BundleOutput, describeBundle, loadedOutputs, readTrace } from '../../scripts/lib/chunks.mjs';
import { builtCli, emptyPathDir, repoRoot, runCli, tempDir } from '../helpers/build.ts';

const hook = join(repoRoot, 'scripts/lib/trace-modules.mjs');
let bundle: BundleOutput[];

before(() => {
  bundle = describeBundle(builtCli().outdir, repoRoot);
});

const mcpChunks = (loaded: BundleOutput[]) =>
  loaded.filter((output) => output.mcp).map((output) => output.owners.join(','));

test('the metafile knows where the MCP code is: the SDK, zod and source/mcp, none of it in the entry', () => {
  const withSdk = bundle.filter((output) =>
    output.inputs.some((input) => input.includes('node_modules/@modelcontextprotocol/server/')),
  );
  assert.ok(withSdk.length > 0 && withSdk.every((output) => output.mcp));
  assert.ok(
    bundle.some((output) => output.mcp && output.inputs.some((input) => input.includes('node_modules/zod/'))),
  );
  assert.equal(bundle.find((output) => output.file === builtCli().cli)?.mcp, false);
});

for (const args of [['--version'], ['doctor', '--json']]) {
  test(`${args.join(' ')} loads nothing of the MCP server (no SDK, no zod)`, async () => {
    const file = join(tempDir('sc-doctor-trace-'), 'trace.txt');
    const result = await runCli(args, { SC_DOCTOR_TRACE_FILE: file }, ['--import', hook]);
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    const loaded = loadedOutputs(bundle, readTrace(file));
    assert.ok(
      loaded.some((output) => output.file === builtCli().cli),
      'the trace saw the entry',
    );
    assert.deepEqual(mcpChunks(loaded), []);
  });
}

test('control: sc-doctor mcp loads the SDK and zod, never Ink, and ends when stdin does', async () => {
  const file = join(tempDir('sc-doctor-trace-'), 'trace.txt');
  // runCli closes stdin at once: the server starts, sees the end of its input and exits 0.
  const result = await runCli(['mcp'], { SC_DOCTOR_TRACE_FILE: file }, ['--import', hook]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '', 'nothing but protocol messages on stdout, and no message was asked for');
  const loaded = loadedOutputs(bundle, readTrace(file));
  assert.ok(mcpChunks(loaded).length > 0);
  assert.deepEqual(
    loaded.filter((output) => output.ink).map((output) => output.owners.join(',')),
    [],
    'no Ink in mcp mode',
  );
});

test('the interactive startup (in a pseudo-terminal) loads nothing of the MCP server', {
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
    'the trace saw the interactive screen',
  );
  assert.deepEqual(mcpChunks(loaded), []);
});
