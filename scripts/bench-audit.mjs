// `npm run bench:audit` (or `npm run bench -- --audit`): the fleet audit against the local twin.
//
// 1. Wall time: `sc-doctor audit --all --json` (the built CLI) against the twin's `fleet` scenario
//    (2,000 apps, 300 servers, five subscriptions) with 100 ms added to every request and Azure's
//    own limits switched on in the twin: Resource Graph's 15 queries per 5 s, ARM's token buckets per
//    subscription (reads 250 refilled 25/s; writes, which a POST read action counts as, 200 refilled
//    10/s). It is compared with the lower bound those set: no schedule finishes before
//      - the requests it sent, `concurrency` at a time, each taking the latency: n × 100 ms / 16;
//      - each subscription's budget: (reads − 250) / 25 s and (writes − 200) / 10 s;
//      - Resource Graph's quota: 5 s per 15 queries beyond the first window;
//    whichever is longest. Budget: within 1.3× of it (design.md §10).
// 2. Memory: peak RSS of the same audit of `fleet-10k` (10,000 apps, 1,500 servers), with the HTML
//    report written too, no latency and no limits (memory, not time, is measured). Budget: < 300 MB.
//
// Runs under tsx (bench.mjs starts it so) because the twin is TypeScript.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTwin } from '../test/azure-twin/index.ts';

const LATENCY_MS = 100;
const WALL_BUDGET = 1.3;
const RSS_BUDGET_MB = 300;
const CONCURRENCY = 16;
const AZURE_LIMITS = {
  reads: { bucket: 250, refillPerSecond: 25 },
  writes: { bucket: 200, refillPerSecond: 10 },
};
const ARG_QUOTA = { quota: 15, windowMs: 5000 };
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli.js');
const { values } = parseArgs({
  options: {
    'skip-rss': { type: 'boolean', default: false },
    'skip-wall': { type: 'boolean', default: false },
  },
  strict: false,
});
const scratch = mkdtempSync(join(tmpdir(), 'sc-doctor-bench-audit-'));

function environment(twin) {
  const twinEnv = twin.env();
  return {
    HOME: scratch,
    AZURE_CONFIG_DIR: join(scratch, '.azure'),
    PATH: twinEnv.PATH,
    AZ_TWIN_URL: twinEnv.AZ_TWIN_URL,
    AZ_TWIN_KEY: twinEnv.AZ_TWIN_KEY,
    AZ_TWIN_CA: twinEnv.AZ_TWIN_CA,
    NODE_EXTRA_CA_CERTS: twinEnv.NODE_EXTRA_CA_CERTS,
    SC_DOCTOR_DNS_SERVER: twinEnv.SC_DOCTOR_DNS_SERVER,
    SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
    CI: 'true',
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  };
}

/** Runs the built CLI, stdout into a file; resolves with its exit code and wall time. */
function runAudit(args, env, out, nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const fd = openSync(out, 'w');
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, cli, 'audit', ...args], {
      env,
      stdio: ['ignore', fd, 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      closeSync(fd);
      resolve({ code, ms: performance.now() - started, stderr });
    });
  });
}

const lines = [];
if (!values['skip-wall']) {
  const twin = await startTwin({
    scenario: 'fleet',
    latencyMs: LATENCY_MS,
    world: { armThrottling: AZURE_LIMITS, resourceGraph: ARG_QUOTA },
  });
  const perSubscription = new Map();
  let argQueries = 0;
  const take = twin.faults.take.bind(twin.faults);
  twin.faults.take = (method, path) => {
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1]?.toLowerCase();
    if (subscription) {
      const counts = perSubscription.get(subscription) ?? { reads: 0, writes: 0 };
      counts[method === 'GET' ? 'reads' : 'writes'] += 1;
      perSubscription.set(subscription, counts);
    } else if (/resourcegraph/i.test(path)) argQueries += 1;
    return take(method, path);
  };
  const out = join(scratch, 'fleet.json');
  const run = await runAudit(
    ['--all', '--json', '--concurrency', String(CONCURRENCY)],
    environment(twin),
    out,
  );
  await twin.close();
  if (run.code !== 1) throw new Error(`audit exited ${run.code}: ${run.stderr}`);
  const document = JSON.parse(readFileSync(out, 'utf8'));
  const { summary } = document.audit;
  const sent = summary.requests.requests;
  const answered = sent - summary.requests.throttled;
  const concurrencyBound = (answered * LATENCY_MS) / CONCURRENCY;
  let budgetBound = 0;
  let budgetWhere = '';
  for (const [subscription, counts] of perSubscription) {
    const reads =
      (Math.max(0, counts.reads - AZURE_LIMITS.reads.bucket) / AZURE_LIMITS.reads.refillPerSecond) * 1000;
    const writes =
      (Math.max(0, counts.writes - AZURE_LIMITS.writes.bucket) / AZURE_LIMITS.writes.refillPerSecond) * 1000;
    if (Math.max(reads, writes) > budgetBound) {
      budgetBound = Math.max(reads, writes);
      budgetWhere = `${subscription}: ${counts.reads} reads, ${counts.writes} writes`;
    }
  }
  const argBound = Math.max(0, Math.ceil(argQueries / ARG_QUOTA.quota) - 1) * ARG_QUOTA.windowMs;
  const bound = Math.max(concurrencyBound, budgetBound, argBound);
  const ratio = run.ms / bound;
  lines.push(
    `Fleet audit, twin scenario \`fleet\`: ${summary.pairs} pairs from ${summary.apps.audited} apps and ${summary.servers} servers, ${LATENCY_MS} ms per request, Azure's limits on, --concurrency ${CONCURRENCY}:`,
    '',
    '| figure | value |',
    '| --- | ---: |',
    `| wall time | ${(run.ms / 1000).toFixed(1)} s |`,
    `| requests sent (answered, throttled) | ${sent} (${answered}, ${summary.requests.throttled}) |`,
    `| reads answered from the run's cache | ${summary.requests.cacheHits} |`,
    `| Resource Graph queries / pages | ${argQueries} / ${summary.resourceGraph.pages} |`,
    `| bound: requests × latency / concurrency | ${(concurrencyBound / 1000).toFixed(1)} s |`,
    `| bound: busiest subscription's ARM budget (${budgetWhere}) | ${(budgetBound / 1000).toFixed(1)} s |`,
    `| bound: Resource Graph quota | ${(argBound / 1000).toFixed(1)} s |`,
    `| lower bound (the longest) | ${(bound / 1000).toFixed(1)} s |`,
    `| wall time / lower bound | ${ratio.toFixed(2)} (budget ${WALL_BUDGET}) |`,
    '',
  );
  if (ratio > WALL_BUDGET) process.exitCode = 1;
}

if (!values['skip-rss']) {
  const twin = await startTwin({ scenario: 'fleet-10k' });
  const rssFile = join(scratch, 'rss');
  const out = join(scratch, 'fleet-10k.json');
  const run = await runAudit(
    ['--all', '--json', '--out', join(scratch, 'fleet-10k.html')],
    { ...environment(twin), SC_DOCTOR_RSS_FILE: rssFile },
    out,
    ['--import', join(root, 'scripts/lib/report-rss.mjs')],
  );
  await twin.close();
  if (run.code !== 1) throw new Error(`audit exited ${run.code}: ${run.stderr}`);
  const document = JSON.parse(readFileSync(out, 'utf8'));
  const peakMb = Number(readFileSync(rssFile, 'utf8').trim()) / 1024;
  lines.push(
    `Peak RSS of \`sc-doctor audit --all --json --out report.html\` over twin scenario \`fleet-10k\` (${document.audit.summary.apps.audited} apps, ${document.audit.summary.pairs} pairs): ${peakMb.toFixed(0)} MB (budget ${RSS_BUDGET_MB} MB), ${(run.ms / 1000).toFixed(1)} s.`,
    '',
  );
  if (peakMb >= RSS_BUDGET_MB) process.exitCode = 1;
}
rmSync(scratch, { recursive: true, force: true });
process.stdout.write(`${lines.join('\n')}\n`);
