// Builds the code-split bundle in dist/: dist/cli.js is a tiny entry; Ink, each Azure SDK and each
// driver land in chunks that are loaded only when a mode or check imports them.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
await rm(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'cli.tsx' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  // pg-native is an optional peer of pg that we never use; react-devtools-core is only loaded by
  // Ink when DEV=true. Neither is installed.
  external: ['pg-native', 'react-devtools-core'],
  banner: {
    js: "import { createRequire as __scdCreateRequire } from 'node:module'; const require = __scdCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
