// `npm run bench [-- --runs N]`: startup figures of the built CLI for the README.
// `npm run bench -- --doctor [--check-user]`: a full doctor run against the twin with 150 ms per
// request, against its longest chain of dependent requests (scripts/bench-doctor.mjs).
// `npm run bench -- --audit` (or `npm run bench:audit`): the fleet audit against the twin's `fleet`
// scenario at 100 ms per request within Azure's limits, and its peak RSS over 10,000 apps
// (scripts/bench-audit.mjs).
// `npm run bench -- --mcp`: how soon `sc-doctor mcp` answers its first tool listing, in both protocol eras
// (scripts/bench-mcp.mjs).
// `npm run bench -- --setup [--lro-delay MS]`: a full setup of each database in process against the twin with
// delayed long-running operations, against the critical path of its steps (scripts/bench-setup.mjs).
// Builds dist/ when it is missing or older than the sources, then times (wall clock, median of N
// runs after warm-ups, spawnSync) `node -e 0`, `--version`, `--help` and `doctor --json` with a PATH
// that has no az, lists the chunks `--help` and `doctor --json` load (none may hold Ink), and, in a
// real terminal (tmux), the interactive doctor's first frame and peak RSS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { describeBundle, loadedOutputs, readTrace } from './lib/chunks.mjs';
import { measureInteractive } from './lib/interactive.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    warmup: { type: 'string', default: '3' },
    doctor: { type: 'boolean', default: false },
    setup: { type: 'boolean', default: false },
    mcp: { type: 'boolean', default: false },
    'lro-delay': { type: 'string' },
    'check-user': { type: 'boolean', default: false },
    audit: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs ?? '21');
const warmup = Number(values.warmup);
const dist = join(root, 'dist');
const cli = join(dist, 'cli.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const stale =
  !existsSync(cli) ||
  !existsSync(join(dist, 'meta.json')) ||
  Math.max(statSync(join(root, 'cli.tsx')).mtimeMs, newestSource(join(root, 'source'))) >
    statSync(cli).mtimeMs;
if (stale) {
  process.stderr.write('bench: building dist/\n');
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
}

if (values.mcp) {
  const mcpBench = spawnSync(
    process.execPath,
    ['scripts/bench-mcp.mjs', ...(values.runs ? ['--runs', values.runs] : [])],
    { cwd: root, stdio: 'inherit' },
  );
  process.exit(mcpBench.status ?? 1);
}

if (values.setup) {
  // The twin and the setup steps are TypeScript: the setup bench runs under tsx, in a process of its own.
  const setupBench = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/bench-setup.mjs',
      ...(values.runs ? ['--runs', values.runs] : []),
      ...(values['lro-delay'] ? ['--lro-delay', values['lro-delay']] : []),
    ],
    { cwd: root, stdio: 'inherit' },
  );
  process.exit(setupBench.status ?? 1);
}

if (values.audit) {
  // The twin is TypeScript: the audit bench runs under tsx, in a process of its own.
  const auditBench = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-audit.mjs'], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(auditBench.status ?? 1);
}

if (values.doctor) {
  // The twin is TypeScript: the doctor bench runs under tsx, in a process of its own.
  const doctorBench = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/bench-doctor.mjs',
      ...(values.runs ? ['--runs', values.runs] : []),
      ...(values['check-user'] ? ['--check-user'] : []),
    ],
    { cwd: root, stdio: 'inherit' },
  );
  process.exit(doctorBench.status ?? 1);
}

const scratch = mkdtempSync(join(tmpdir(), 'sc-doctor-bench-'));
const emptyBin = join(scratch, 'bin');
mkdirSync(emptyBin);
// No az on PATH and a HOME of its own: the doctor fails fast and reads no real Azure login.
const env = {
  PATH: emptyBin,
  HOME: scratch,
  AZURE_CONFIG_DIR: join(scratch, '.azure'),
  CI: 'true',
  NO_COLOR: '1',
};

function time(args) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0 && result.status !== 1) {
      throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    if (i >= warmup) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples.at(-1) };
}

const cases = [
  ['`node -e 0`', ['-e', '0']],
  ['`sc-doctor --version`', [cli, '--version']],
  ['`sc-doctor --help`', [cli, '--help']],
  ['`sc-doctor doctor --json` (no az)', [cli, 'doctor', '--json']],
  ['`sc-doctor doctor --plain` (no az)', [cli, 'doctor', '--plain']],
];
const results = cases.map(([label, args]) => ({ label, ...time(args) }));
const baseline = results[0].median;
const ms = (value) => value.toFixed(1);

const lines = [
  `Node ${process.version}, ${runs} runs after ${warmup} warm-ups, median wall clock (spawnSync):`,
  '',
  '| command | median ms | min ms | max ms | × `node -e 0` |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...results.map(
    (r) =>
      `| ${r.label} | ${ms(r.median)} | ${ms(r.min)} | ${ms(r.max)} | ${(r.median / baseline).toFixed(2)} |`,
  ),
  '',
  `\`--version\` / \`node -e 0\` = ${(results[1].median / baseline).toFixed(2)} (budget: under 2); \`doctor --json\` (no az) / \`node -e 0\` = ${(results[3].median / baseline).toFixed(2)} (budget: under 3).`,
];

const bundle = describeBundle(dist, root);
for (const args of [['--help'], ['doctor', '--json']]) {
  const trace = join(scratch, `trace-${args.join('-')}.txt`);
  spawnSync(process.execPath, ['--import', join(root, 'scripts/lib/trace-modules.mjs'), cli, ...args], {
    env: { ...env, SC_DOCTOR_TRACE_FILE: trace },
    stdio: 'ignore',
  });
  const loaded = loadedOutputs(bundle, readTrace(trace));
  const bytes = loaded.reduce((sum, output) => sum + output.bytes, 0);
  lines.push(
    '',
    `Bundle files loaded by \`sc-doctor ${args.join(' ')}\` (${(bytes / 1024).toFixed(1)} KiB):`,
    '',
  );
  lines.push('| file | KiB | holds | Ink? |', '| --- | ---: | --- | --- |');
  for (const output of loaded) {
    const owners = output.owners.length > 0 ? output.owners : ['(esbuild helpers)'];
    const holds = owners.length > 6 ? `${owners.slice(0, 6).join(', ')}, …` : owners.join(', ');
    lines.push(
      `| ${relative(dist, output.file)} | ${(output.bytes / 1024).toFixed(1)} | ${holds} | ${output.ink ? '**yes**' : 'no'} |`,
    );
  }
  if (loaded.some((output) => output.ink))
    lines.push('', `**Ink was loaded by ${args.join(' ')}: this is a bug.**`);
  if (loaded.some((output) => output.mcp))
    lines.push('', `**The MCP SDK or zod was loaded by ${args.join(' ')}: this is a bug.**`);
}
const ink = bundle.filter((output) => output.ink);
lines.push(
  '',
  `Ink/React/source/ui live in ${ink.map((output) => basename(output.file)).join(', ')} (${(ink.reduce((s, o) => s + o.bytes, 0) / 1024).toFixed(0)} KiB), loaded only by the interactive mode.`,
);
const interactive = measureInteractive({ cli, env, scratch, root });
if (interactive) {
  const [low, high] = interactive.firstFrameRange;
  const [screenLow, screenHigh] = interactive.screenRange;
  lines.push(
    '',
    `Interactive \`sc-doctor doctor\` in tmux (100x30, no az, ${interactive.runs} runs): first frame (the header) ${ms(interactive.firstFrameMs)} ms median (${ms(low)}–${ms(high)}; budget 150), the doctor screen ${ms(interactive.screenMs)} ms median (${ms(screenLow)}–${ms(screenHigh)}), peak RSS ${interactive.peakRssMiB?.toFixed(1) ?? '?'} MiB (budget 150).`,
  );
} else {
  lines.push('', 'Interactive figures skipped: tmux is not installed.');
}
process.stdout.write(`${lines.join('\n')}\n`);
rmSync(scratch, { recursive: true, force: true });
