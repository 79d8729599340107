/**
 * Puts the stand-in az (test/fixtures/az/az.mjs) on a PATH of its own: a temp dir holding an `az`
 * wrapper that runs the fixture with this very node binary, so the test PATH needs nothing else.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STANDIN_AZ_SCRIPT = fileURLToPath(new URL('../fixtures/az/az.mjs', import.meta.url));

export interface StandinAz {
  /** Directory holding `az`. */
  dir: string;
  /** A PATH with only that directory (plus `extraPath` when given). */
  path: string;
  /** File the stand-in appends one line per invocation to (`AZ_STANDIN_LOG`). */
  logFile: string;
  /** Environment to hand to the session: PATH, scenario and log file. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The az command lines run so far. */
  calls(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export interface StandinAzOptions {
  /**
   * The installer the launcher names, as Microsoft's deb/rpm scripts, the Homebrew formula and the
   * Windows az.cmd do (`AZ_INSTALLER=DEB ...`); absent, the launcher names none, like Debian's own
   * azure-cli package.
   */
  installer?: string;
}

export async function makeStandinAz(
  scenario = 'signed-in',
  extraPath?: string,
  options: StandinAzOptions = {},
): Promise<StandinAz> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-doctor-az-'));
  const logFile = join(dir, 'calls.log');
  const installer = options.installer ? `AZ_INSTALLER=${options.installer} ` : '';
  const wrapper = `#!/bin/sh\n${installer}exec '${process.execPath}' '${STANDIN_AZ_SCRIPT}' "$@"\n`;
  await writeFile(join(dir, 'az'), wrapper, { mode: 0o755 });
  await writeFile(logFile, '');
  const path = extraPath ? `${dir}${delimiter}${extraPath}` : dir;
  return {
    dir,
    path,
    logFile,
    env: (extra = {}) => ({ PATH: path, AZ_STANDIN_SCENARIO: scenario, AZ_STANDIN_LOG: logFile, ...extra }),
    calls: async () => (await readFile(logFile, 'utf8')).split('\n').filter(Boolean),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A directory with no az at all, for the "az missing" case. */
export async function makeEmptyPath(): Promise<{ path: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-doctor-noaz-'));
  return { path: dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
