/**
 * Packages the product loads on first use (`await import('pkg')`) reach the bundle as esbuild sees
 * them. An ES module keeps its named exports; a CommonJS package becomes a chunk whose only export is
 * `default` (module.exports), because esbuild cannot know a CommonJS module's names. tsx, running the
 * sources in tests, does the opposite for a package marked `__esModule` (tedious): names, and no
 * `default`. So `const { Connection } = await import('tedious')` works from source and fails in dist/
 * ("t is not a constructor"), and `(await import('tedious')).default` the other way round. The rule,
 * read from the build's own metafile: every dynamic import of a package the bundle takes as CommonJS
 * goes through `commonJs(await import('pkg'))` (source/core/commonjs.ts), and nothing else.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtCli, repoRoot } from '../helpers/build.ts';

interface Metafile {
  inputs: Record<
    string,
    {
      format?: 'cjs' | 'esm';
      imports: { path: string; kind: string; original?: string; external?: boolean }[];
    }
  >;
}

/** Every dynamic import of a package in the product's own code: importer, specifier, format in the bundle. */
function packageImports(): { importer: string; specifier: string; format: string | undefined }[] {
  const meta = JSON.parse(readFileSync(join(builtCli().outdir, 'meta.json'), 'utf8')) as Metafile;
  return Object.entries(meta.inputs).flatMap(([importer, input]) =>
    importer.startsWith('node_modules/')
      ? []
      : input.imports
          .filter((i) => i.kind === 'dynamic-import' && i.path.startsWith('node_modules/') && i.original)
          .map((i) => ({ importer, specifier: i.original!, format: meta.inputs[i.path]?.format })),
  );
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

test('every CommonJS package loaded on first use goes through commonJs()', () => {
  const imports = packageImports();
  const commonJs = imports.filter((i) => i.format === 'cjs');
  // The drivers that are CommonJS today; if one turns into an ES module this list shrinks, not the rule.
  assert.ok(
    commonJs.some((i) => i.specifier === 'tedious'),
    `tedious is a CommonJS dynamic import: ${JSON.stringify(imports)}`,
  );
  const wrong: string[] = [];
  for (const { importer, specifier } of commonJs) {
    const text = readFileSync(join(repoRoot, importer), 'utf8');
    const all = text.match(new RegExp(`import\\(\\s*['"]${literal(specifier)}['"]\\s*\\)`, 'g')) ?? [];
    const right =
      text.match(new RegExp(`commonJs\\(await import\\(['"]${literal(specifier)}['"]\\)\\)`, 'g')) ?? [];
    if (all.length !== right.length)
      wrong.push(`${importer}: import('${specifier}') must be \`commonJs(await import('${specifier}'))\``);
  }
  assert.deepEqual(wrong, []);
});
