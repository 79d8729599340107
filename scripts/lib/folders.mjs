// The house drawn from its imports: which folder of source/ imports which, read from the import
// statements themselves (static, `export ... from` and `import('...')`), type-only imports included,
// because a type import is a dependency of the design even where the bundle drops it.
// Used by `node scripts/folders.mjs` (the table) and test/unit/folder-rules.test.ts (the rules).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every .ts/.tsx file under `dir`, absolute. */
function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** The top folder of `file` under `sourceDir` (`core`, `setup`...), or `.` for a file directly in it. */
function folderOf(sourceDir, file) {
  const parts = relative(sourceDir, file).split('/');
  return parts.length > 1 ? parts[0] : '.';
}

/**
 * Every relative import between files of `sourceDir`: `{ from, to, fromFolder, toFolder }` with paths
 * relative to `sourceDir`. Comments are not read (an import in a comment is not one).
 */
export function importEdges(sourceDir) {
  const root = resolve(sourceDir);
  const edges = [];
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm, '$1');
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      edges.push({
        from: relative(root, file),
        to: relative(root, target),
        fromFolder: folderOf(root, file),
        toFolder: folderOf(root, target),
      });
    }
  }
  return edges;
}

/** Folder → folder → number of imports (a folder's imports of itself left out). */
export function folderMatrix(edges) {
  const matrix = new Map();
  for (const edge of edges) {
    if (edge.fromFolder === edge.toFolder) continue;
    const row = matrix.get(edge.fromFolder) ?? new Map();
    row.set(edge.toFolder, (row.get(edge.toFolder) ?? 0) + 1);
    matrix.set(edge.fromFolder, row);
  }
  return matrix;
}

/** Every cycle between folders, each as the list of folders around it (each cycle once). */
export function folderCycles(matrix) {
  const cycles = [];
  const seen = new Set();
  const folders = [...new Set([...matrix.keys(), ...[...matrix.values()].flatMap((row) => [...row.keys()])])];
  const visit = (start, folder, path) => {
    for (const next of matrix.get(folder)?.keys() ?? []) {
      if (next === start) {
        const key = [...path].sort().join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...path, start]);
        }
      } else if (!path.includes(next) && next > start) visit(start, next, [...path, next]);
    }
  };
  for (const folder of folders.sort()) visit(folder, folder, [folder]);
  return cycles;
}
