export interface BundleOutput {
  file: string;
  /** Input paths relative to the build's working directory. */
  inputs: string[];
  bytes: number;
  owners: string[];
  ink: boolean;
  /** Holds the MCP SDK, zod or source/mcp (only `sc-doctor mcp` may load it). */
  mcp: boolean;
  imports: string[];
  dynamicImports: string[];
}
export function isInkInput(inputPath: string): boolean;
export function isMcpInput(inputPath: string): boolean;
export function inputOwner(inputPath: string): string;
export function describeBundle(outdir: string, root: string): BundleOutput[];
export function loadedOutputs(bundle: readonly BundleOutput[], tracedUrls: readonly string[]): BundleOutput[];
export function readTrace(file: string): string[];
