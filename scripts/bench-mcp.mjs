// `npm run bench -- --mcp [--runs N]`: how soon `sc-doctor mcp` answers its first tool listing (budget:
// 300 ms from start), for a 2025-era client (initialize, then tools/list) and a 2026-07-28 client
// (server/discover, then tools/list with the per-request _meta envelope). Each run spawns the built CLI
// with no az on PATH and writes the requests at once; the clock runs from spawn to the listing's
// response on stdout. Median of N runs after warm-ups.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, warmup: { type: 'string', default: '3' } },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const cli = join(root, 'dist', 'cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'sc-doctor-bench-mcp-'));
mkdirSync(join(scratch, 'bin'));
const env = { PATH: join(scratch, 'bin'), HOME: scratch, AZURE_CONFIG_DIR: join(scratch, '.azure') };

const client = { name: 'bench', version: '1.0.0' };
const ERAS = {
  '2025-11-25 (initialize, tools/list)': [
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: client },
    },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
  ],
  '2026-07-28 (server/discover, tools/list)': [
    { jsonrpc: '2.0', id: 1, method: 'server/discover', params: {} },
    {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/list',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': client,
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    },
  ],
};

/** Milliseconds from spawn to the tools/list answer (id 2) on stdout. */
function once(messages) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, 'mcp'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let buffer = '';
    child.stdout.setEncoding('utf8').on('data', (text) => {
      buffer += text;
      for (const line of buffer.split('\n').slice(0, -1)) {
        const message = JSON.parse(line);
        if (message.id === 2) {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          if (!message.result?.tools?.length) reject(new Error(`no tools: ${line}`));
          child.stdin.end();
          child.on('close', () => resolve(ms));
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.on('error', reject);
    child.stdin.write(messages.map((message) => `${JSON.stringify(message)}\n`).join(''));
  });
}

const lines = [
  `Node ${process.version}, ${runs} runs after ${warmup} warm-ups: \`sc-doctor mcp\` from spawn to the first tools/list answer (budget 300 ms).`,
  '',
  '| client | median ms | min ms | max ms |',
  '| --- | ---: | ---: | ---: |',
];
for (const [label, messages] of Object.entries(ERAS)) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const ms = await once(messages);
    if (i >= warmup) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  lines.push(`| ${label} | ${median.toFixed(1)} | ${samples[0].toFixed(1)} | ${samples.at(-1).toFixed(1)} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
rmSync(scratch, { recursive: true, force: true });
