/** Package directories (relative to the build's working directory) of the metafile's inputs. */
export function bundledPackageDirs(metafile: { inputs: Record<string, unknown> }): string[];
export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  /** Where the notice text came from. */
  from: string;
}
/** The notices text of the packages in `dirs`; throws naming every package without a notice. */
export function thirdPartyNotices(root: string, dirs: string[]): { text: string; packages: BundledPackage[] };
