export interface BundleOutput {
  file: string;
  /** Input paths relative to the build's working directory. */
  inputs: string[];
  bytes: number;
  owners: string[];
  ink: boolean;
  imports: string[];
  dynamicImports: string[];
}
export function isInkInput(inputPath: string): boolean;
export function inputOwner(inputPath: string): string;
export function describeBundle(outdir: string, root: string): BundleOutput[];
export function loadedOutputs(bundle: readonly BundleOutput[], tracedUrls: readonly string[]): BundleOutput[];
export function readTrace(file: string): string[];
