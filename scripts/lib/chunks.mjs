// Reads the esbuild metafile the build writes next to the bundle and says what each output file
// holds, so a chunk with a minified name can be recognised as "the one with Ink in it".
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const INK_INPUT =
  /(^|\/)node_modules\/(ink|ink-[^/]+|react|react-reconciler|yoga-layout|scheduler)\/|(^|\/)source\/ui\//;

/** Everything the UI needs to draw: Ink, React and its reconciler, yoga, and our own source/ui. */
export function isInkInput(inputPath) {
  return INK_INPUT.test(inputPath);
}

const MCP_INPUT = /(^|\/)node_modules\/(@modelcontextprotocol\/[^/]+|zod)\/|(^|\/)source\/mcp\//;

/** What only `sc-doctor mcp` needs: the MCP SDK, zod and our own source/mcp. */
export function isMcpInput(inputPath) {
  return MCP_INPUT.test(inputPath);
}

/** The package an input belongs to (`ink`, `@azure/identity`) or its source folder (`source/cli`). */
export function inputOwner(inputPath) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(inputPath);
  if (match) return match[1];
  const parts = inputPath.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : inputPath;
}

/**
 * One entry per output file of the build: absolute path, size, owners of its inputs, whether it
 * holds Ink or the MCP server's code, and its static imports (absolute paths).
 * @param {string} outdir the build's output directory (holds meta.json)
 * @param {string} root the directory the build ran in (esbuild `absWorkingDir`)
 */
export function describeBundle(outdir, root) {
  const meta = JSON.parse(readFileSync(resolve(outdir, 'meta.json'), 'utf8'));
  const outputs = [];
  for (const [path, output] of Object.entries(meta.outputs)) {
    if (!path.endsWith('.js')) continue;
    const inputs = Object.keys(output.inputs);
    outputs.push({
      file: resolve(root, path),
      inputs,
      bytes: output.bytes,
      owners: [...new Set(inputs.map(inputOwner))].sort(),
      ink: inputs.some(isInkInput),
      mcp: inputs.some(isMcpInput),
      imports: output.imports
        .filter((entry) => entry.kind === 'import-statement')
        .map((entry) => resolve(root, entry.path)),
      dynamicImports: output.imports
        .filter((entry) => entry.kind === 'dynamic-import')
        .map((entry) => resolve(root, entry.path)),
    });
  }
  return outputs;
}

/** The outputs of `bundle` whose files appear among the traced module URLs. */
export function loadedOutputs(bundle, tracedUrls) {
  const files = new Set(tracedUrls.filter((url) => url.startsWith('file:')).map((url) => fileURLToPath(url)));
  return bundle.filter((output) => files.has(output.file));
}

/** The URLs a trace file holds (see trace-modules.mjs). */
export function readTrace(file) {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}
