/**
 * Builds the CLI once per test process into a private temporary directory (never dist/, which
 * parallel test files and developers share) and runs the built bin the way a user would.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInGroup } from './processes.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed when the test process exits. */
export function tempDir(prefix = 'sc-doctor-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Runs `node scripts/build.mjs --outdir <outdir>`; throws with esbuild's output when it fails. */
export function buildInto(outdir: string): void {
  const result = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', outdir], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
}

let built: string | undefined;

/** The output directory of this process's build (holds cli.js, chunks/ and meta.json). */
export function builtCli(): { outdir: string; cli: string } {
  if (!built) {
    built = join(tempDir('sc-doctor-build-'), 'dist');
    buildInto(built);
  }
  return { outdir: built, cli: join(built, 'cli.js') };
}

/** A directory with nothing in it: as PATH it hides az (and everything else). */
export function emptyPathDir(): string {
  const dir = join(tempDir('sc-doctor-path-'), 'bin');
  mkdirSync(dir);
  return dir;
}

/** A PATH directory whose only program is `az`: engineer B's stand-in (test/fixtures/az/az.mjs). */
export function azStandInPathDir(): string {
  const dir = emptyPathDir();
  const script = join(repoRoot, 'test/fixtures/az/az.mjs');
  writeFileSync(join(dir, 'az'), `#!/bin/sh\nexec '${process.execPath}' '${script}' "$@"\n`);
  chmodSync(join(dir, 'az'), 0o755);
  return dir;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program with a closed stdin and a clean environment: only what `env` gives, plus a HOME
 * and AZURE_CONFIG_DIR of its own so the developer's real Azure CLI login is never read. It runs in
 * a process group of its own; past `timeoutMs` the whole group is stopped and `code` is null.
 */
export async function runProgram(
  file: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
  cwd?: string,
): Promise<CliRun> {
  const home = tempDir('sc-doctor-home-');
  const { code, stdout, stderr } = await runInGroup(file, args, {
    env: { HOME: home, AZURE_CONFIG_DIR: join(home, '.azure'), ...env },
    timeoutMs,
    ...(cwd ? { cwd } : {}),
  });
  return { code, stdout, stderr };
}

/** Runs `node <built cli.js> ...args` (node by absolute path, so PATH may be empty). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<CliRun> {
  return runProgram(process.execPath, [...nodeArgs, builtCli().cli, ...args], {
    PATH: emptyPathDir(),
    ...env,
  });
}
