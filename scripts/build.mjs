// Builds the code-split bundle in dist/: dist/cli.js is a tiny entry; Ink, each Azure SDK and each
// driver land in chunks that are loaded only when a mode or check imports them.
// `node scripts/build.mjs [--outdir DIR]`: tests build into a private directory so parallel test
// processes never delete each other's dist/. The esbuild metafile goes to <outdir>/meta.json (it
// maps chunks to their inputs, e.g. to tell which chunk holds Ink; it is not packed). The licence
// notices of every bundled package go to <outdir>/THIRD_PARTY_NOTICES.txt, which is packed.
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { bundledPackageDirs, thirdPartyNotices } from './lib/notices.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = resolve(root, values.outdir);
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'cli.tsx' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"', __SC_DOCTOR_VERSION__: JSON.stringify(version) },
  // pg-native is an optional peer of pg that we never use; react-devtools-core is only loaded by
  // Ink when DEV=true. Neither is installed.
  external: ['pg-native', 'react-devtools-core'],
  banner: {
    js: "import { createRequire as __scdCreateRequire } from 'node:module'; const require = __scdCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
});
await writeFile(`${outdir}/meta.json`, JSON.stringify(result.metafile));
const notices = thirdPartyNotices(root, bundledPackageDirs(result.metafile));
await writeFile(`${outdir}/THIRD_PARTY_NOTICES.txt`, notices.text);
