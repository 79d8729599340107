// `npm run bench -- --doctor`: a full doctor run with a target against the local twin, every ARM and
// Graph request delayed by 150 ms, compared with its longest chain of dependent requests.
//
// Runs under tsx (bench.mjs starts it so) because the twin is TypeScript. The built CLI runs as a
// developer runs it after `. .twin/env`: the twin's stand-in az on PATH (behind a wrapper that
// counts its processes), SC_DOCTOR_PUBLIC_IP and SC_DOCTOR_CONNECT_TO as the e2e tests set them, so
// nothing leaves loopback.
//
// The chain comes from the logs. The twin sleeps `latencyMs`, then logs the request (`faults.take`)
// and answers at once, so a request occupies [logged − latency, logged]; the az wrapper logs when each
// az process starts and ends (az is how the doctor gets its cloud and its tokens: `az cloud show` must
// answer before a token can be asked for the cloud's ARM, and the token before any ARM request). A
// step that began only after another ended is taken to depend on it; the longest sequence of such
// back-to-back steps, by time spent in the steps themselves, is the chain the run waited through. No
// schedule of the same requests finishes sooner, and the gaps between the links (the doctor's own
// work) are what the ratio measures. The chain is printed step by step, so each link can be checked
// for a real dependency: a link that is not one is a request that could have run concurrently.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AZ_BIN_DIR, startTwin } from '../test/azure-twin/index.ts';

const LATENCY_MS = 150;
const BUDGET = 1.5;
const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, 'check-user': { type: 'boolean', default: false } },
  strict: false,
});
const runs = Number(values.runs);
const cli = join(root, 'dist', 'cli.js');

const scratch = mkdtempSync(join(tmpdir(), 'sc-doctor-bench-doctor-'));
const counted = join(scratch, 'bin');
const azLog = join(scratch, 'az-calls');
mkdirSync(counted);
writeFileSync(
  join(counted, 'az'),
  `#!/bin/sh\necho "$*" >> '${azLog}'\necho "$(date +%s%3N) start $*" >> '${azLog}.t'\n'${join(AZ_BIN_DIR, 'az')}' "$@"\ns=$?\necho "$(date +%s%3N) end $*" >> '${azLog}.t'\nexit $s\n`,
);
chmodSync(join(counted, 'az'), 0o755);

const listener = createServer((socket) => socket.end());
await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
const port = listener.address().port;

// --check-user logs in to PostgreSQL: the twin then starts its real database servers.
const twin = await startTwin({ scenario: 'healthy', latencyMs: LATENCY_MS, databases: values['check-user'] });
const log = [];
const take = twin.faults.take.bind(twin.faults);
twin.faults.take = (method, path) => {
  log.push({ method, path, end: performance.now() });
  return take(method, path);
};

const twinEnv = twin.env();
const env = {
  PATH: `${counted}:${twinEnv.PATH}`,
  HOME: scratch,
  AZ_TWIN_URL: twinEnv.AZ_TWIN_URL,
  AZ_TWIN_KEY: twinEnv.AZ_TWIN_KEY,
  AZ_TWIN_CA: twinEnv.AZ_TWIN_CA,
  NODE_EXTRA_CA_CERTS: twinEnv.NODE_EXTRA_CA_CERTS,
  SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
  // With the databases, the server's name leads to the twin's real PostgreSQL; else to a listener.
  SC_DOCTOR_CONNECT_TO: `pg-orders.postgres.twin.test:5432=127.0.0.1:${values['check-user'] ? twin.databaseEndpoints.postgres.port : port}`,
  NO_COLOR: '1',
};
const args = [
  cli,
  'doctor',
  '--plain',
  '--server',
  'pg-orders',
  '--database',
  'orders',
  '--app',
  'orders-api',
  '-g',
  'rg-orders',
  '--target',
  'webapp',
  ...(values['check-user'] ? ['--check-user'] : []),
];

/** The az processes of a run as spans on this process's clock (the wrapper logs wall-clock ms). */
function azSpans(text) {
  const open = new Map();
  const spans = [];
  for (const line of text.trim().split('\n')) {
    const [at, edge, ...words] = line.split(' ');
    const when = Number(at) - performance.timeOrigin;
    const what = `az ${words.join(' ')}`;
    if (edge === 'start') open.set(what, [...(open.get(what) ?? []), when]);
    else spans.push({ what, start: open.get(what).shift(), end: when });
  }
  return spans;
}

/**
 * The heaviest sequence of steps each of which began after the previous one ended (2 ms of slack:
 * the az log has millisecond resolution), weighed by the time spent in the steps.
 */
function longestChain(steps) {
  const spans = [...steps].sort((a, b) => a.end - b.end);
  const best = spans.map((s) => ({ weight: s.end - s.start, previous: -1 }));
  for (let i = 0; i < spans.length; i++)
    for (let j = 0; j < i; j++) {
      const weight = best[j].weight + spans[i].end - spans[i].start;
      if (spans[j].end <= spans[i].start + 2 && weight > best[i].weight) best[i] = { weight, previous: j };
    }
  let at = best.reduce((top, b, i) => (b.weight > best[top].weight ? i : top), 0);
  const chain = [];
  for (; at >= 0; at = best[at].previous) chain.unshift(spans[at]);
  return { steps: chain, ms: best.reduce((top, b) => Math.max(top, b.weight), 0) };
}

const samples = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    log.length = 0;
    rmSync(azLog, { force: true });
    const started = performance.now();
    // Asynchronously: the twin answers from this very process.
    const result = await new Promise((resolve) =>
      execFile(process.execPath, args, { env, encoding: 'utf8' }, (error, stdout, stderr) =>
        resolve({ status: error ? (error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    const wall = performance.now() - started;
    // Exit 1 is a verdict (with --check-user the healthy app has no database user before setup).
    if (result.status !== 0 && result.status !== 1)
      throw new Error(`doctor exited ${result.status}:\n${result.stdout}${result.stderr}`);
    const azCalls = readFileSync(azLog, 'utf8').trim().split('\n');
    const requests = log.map((r) => ({
      what: `${r.method} ${r.path}`,
      start: r.end - LATENCY_MS,
      end: r.end,
    }));
    const az = azSpans(readFileSync(`${azLog}.t`, 'utf8'));
    rmSync(`${azLog}.t`, { force: true });
    const chain = longestChain([...requests, ...az]);
    const armChain = longestChain(requests);
    const firstStart = Math.min(...log.map((r) => r.end)) - LATENCY_MS - started;
    const lastEnd = Math.max(...log.map((r) => r.end)) - started;
    if (i > 0) samples.push({ wall, chain, armChain, requests: log.length, azCalls, firstStart, lastEnd });
  }
} finally {
  await twin.close();
  listener.close();
  rmSync(scratch, { recursive: true, force: true });
}

samples.sort((a, b) => a.wall - b.wall);
const median = samples[Math.floor(samples.length / 2)];
const ratio = median.wall / median.chain.ms;
const ms = (value) => `${value.toFixed(0)} ms`;
process.stdout.write(
  [
    `doctor against the twin (healthy, pg-orders + orders-api${values['check-user'] ? ', --check-user' : ''}), ${LATENCY_MS} ms per request, median of ${samples.length} runs:`,
    `  wall time            ${median.wall.toFixed(0)} ms (min ${samples[0].wall.toFixed(0)}, max ${samples.at(-1).wall.toFixed(0)})`,
    `  requests             ${median.requests} ARM and Graph requests`,
    `  longest chain        ${ms(median.chain.ms)}: ${median.chain.steps.length} dependent steps (${median.chain.steps.filter((c) => c.what.startsWith('az ')).length} az processes, then ARM requests)`,
    `  ARM/Graph alone      ${median.armChain.steps.length} dependent requests = ${ms(median.armChain.ms)}`,
    `  first request sent   ${median.firstStart.toFixed(0)} ms after start; last answered at ${median.lastEnd.toFixed(0)} ms`,
    `  ratio                ${ratio.toFixed(2)} (budget: under ${BUDGET})`,
    `  az processes         ${median.azCalls.length} (${median.azCalls.map((c) => c.split(' ').slice(0, 2).join(' ')).join('; ')})`,
    '  the chain:',
    ...median.chain.steps.map((c) => `    ${ms(c.end - c.start).padStart(7)}  ${c.what}`),
    '',
  ].join('\n'),
);
if (ratio >= BUDGET) process.exitCode = 1;
