/**
 * The house drawn from its imports (scripts/lib/folders.mjs reads every import of source/, type-only
 * ones included) keeps its rules: core at the ground importing nothing above it, each folder importing
 * only the folders below it, no cycle between folders, one exit site. `node scripts/folders.mjs` prints
 * the whole table.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { folderCycles, folderMatrix, importEdges } from '../../scripts/lib/folders.mjs';

const SOURCE = new URL('../../source', import.meta.url).pathname;
const edges = importEdges(SOURCE);
const matrix = folderMatrix(edges);

/**
 * What each folder may import, lowest first (docs/architecture.md, "Dependencies point inwards").
 * A folder not listed (a command added later) may import anything but the front-ends and the CLI.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  engine: ['core'],
  azure: ['core', 'engine'],
  services: ['core', 'azure'],
  databases: ['core', 'engine', 'azure'],
  snippets: ['core', 'databases'],
  doctor: ['core', 'azure', 'databases', 'services'],
  setup: ['core', 'engine', 'azure', 'services', 'databases', 'doctor', 'snippets'],
  run: ['core', 'engine', 'services', 'doctor', 'setup'],
  // The fleet audit (issue 16): the doctor's checks over Resource Graph's finds, beside setup; its
  // front-ends live with the others (output/audit, ui/audit, mcp/audit-front-end.ts).
  audit: ['core', 'engine', 'azure', 'services', 'databases', 'doctor'],
  output: ['core', 'engine', 'databases', 'doctor', 'setup', 'snippets', 'run', 'audit'],
  ui: ['core', 'engine', 'services', 'databases', 'doctor', 'setup', 'snippets', 'run', 'audit'],
  // The MCP server is a front-end of its own: it serves output's JSON documents as its tools'
  // results, and reads command lines through the grammar the CLI gives it, never the CLI itself.
  mcp: [
    'core',
    'engine',
    'azure',
    'services',
    'databases',
    'doctor',
    'setup',
    'snippets',
    'run',
    'audit',
    'output',
  ],
};
const FRONT = new Set(['ui', 'output', 'cli']);

test('core is at the ground: it imports nothing from any other folder', () => {
  const core = edges.filter((edge) => edge.fromFolder === 'core' && edge.toFolder !== 'core');
  assert.deepEqual(
    core.map((edge) => `${edge.from} → ${edge.to}`),
    [],
  );
});

test('each folder imports only the folders below it', () => {
  const wrong: string[] = [];
  for (const edge of edges) {
    if (edge.fromFolder === edge.toFolder || edge.fromFolder === 'cli' || edge.fromFolder === '.') continue;
    const allowed = ALLOWED[edge.fromFolder];
    const ok = allowed ? allowed.includes(edge.toFolder) : !FRONT.has(edge.toFolder);
    if (!ok) wrong.push(`${edge.from} → ${edge.to}`);
  }
  assert.deepEqual(wrong, []);
});

test('no cycle between folders', () => {
  assert.deepEqual(folderCycles(matrix), []);
});

test('the JSON front-ends do not import each other: the document is json-document.ts', () => {
  const between = edges.filter(
    (edge) =>
      (edge.from === 'output/json.ts' && edge.to === 'output/setup-json.ts') ||
      (edge.from === 'output/setup-json.ts' && edge.to === 'output/json.ts'),
  );
  assert.deepEqual(between, []);
});

test('one exit site: only source/run/exit.ts ends the process', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? files(join(dir, entry.name))
        : /\.tsx?$/.test(entry.name)
          ? [join(dir, entry.name)]
          : [],
    );
  const exiting = files(SOURCE)
    .filter((file) =>
      /\bprocess\.exit\(/.test(readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')),
    )
    .map((file) => file.slice(SOURCE.length + 1));
  assert.deepEqual(exiting, ['run/exit.ts']);
});

test('the rules are read from real imports: a known edge is seen', () => {
  // Guards the reader itself: a regex that missed every import would pass every rule above.
  assert.ok(edges.some((edge) => edge.from === 'doctor/server.ts' && edge.toFolder === 'databases'));
  assert.ok(edges.some((edge) => edge.from === 'setup/flow.ts' && edge.toFolder === 'engine'));
});
