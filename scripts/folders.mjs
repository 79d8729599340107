// `node scripts/folders.mjs [--files FOLDER]`: the folders of source/ and what each imports (counts),
// the cycles between folders, and with --files the imports that leave FOLDER, file by file.
// The rules these must keep are test/unit/folder-rules.test.ts.
import { parseArgs } from 'node:util';
import { folderCycles, folderMatrix, importEdges } from './lib/folders.mjs';

const { values } = parseArgs({ options: { files: { type: 'string' } } });
const edges = importEdges(new URL('../source', import.meta.url).pathname);
const matrix = folderMatrix(edges);
for (const [from, row] of [...matrix].sort(([a], [b]) => a.localeCompare(b)))
  console.log(
    `${from.padEnd(10)} → ${[...row]
      .sort()
      .map(([to, n]) => `${to} ${n}`)
      .join(', ')}`,
  );
const cycles = folderCycles(matrix);
console.log(
  cycles.length === 0
    ? '\nno folder cycles'
    : `\ncycles:\n${cycles.map((c) => `  ${c.join(' → ')}`).join('\n')}`,
);
if (values.files)
  for (const edge of edges)
    if (edge.fromFolder === values.files && edge.toFolder !== values.files)
      console.log(`  ${edge.from} → ${edge.to}`);
