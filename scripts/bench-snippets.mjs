// `node scripts/bench-snippets.mjs [--runs N]`: how long the connection-code generator takes to
// produce every combination (3 databases × 10 client types × 3 auth types). The generator is
// bundled from source with esbuild (as the CLI is), then timed in this process: the median and the
// slowest of N rounds after warm-ups, each round generating all 90 combinations, and the first
// (cold) round on its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '101' }, warmup: { type: 'string', default: '5' } },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);

const dir = mkdtempSync(join(tmpdir(), 'bench-snippets-'));
try {
  const outfile = join(dir, 'snippets.mjs');
  await build({
    entryPoints: [join(root, 'source/snippets/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'error',
  });
  const loadStart = performance.now();
  const { generateAllSnippets } = await import(pathToFileURL(outfile).href);
  const loadMs = performance.now() - loadStart;

  // The first round ever (cold, right after loading) is what a one-shot CLI call pays.
  const coldStart = performance.now();
  let count = generateAllSnippets().length;
  const coldMs = performance.now() - coldStart;

  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const start = performance.now();
    count = generateAllSnippets().length;
    const elapsed = performance.now() - start;
    if (i >= warmup) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const slowest = times[times.length - 1];
  console.log(`generator module load: ${loadMs.toFixed(1)} ms; first (cold) round: ${coldMs.toFixed(1)} ms`);
  console.log(
    `all ${count} combinations: median ${median.toFixed(2)} ms, slowest ${slowest.toFixed(2)} ms (${runs} rounds, Node ${process.versions.node})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
