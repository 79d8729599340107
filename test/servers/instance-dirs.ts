/**
 * Shared plumbing for the throwaway database servers: running programs as the service user,
 * a per-version template data directory built once and copied per instance, free loopback ports.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, rmSync, statfsSync } from 'node:fs';
import { access, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Where initialised data directories are cached, one per server version. */
export const TEMPLATE_ROOT = join(tmpdir(), 'sc-doctor-db-templates');

/**
 * Where instances live: tmpfs when there is a roomy one (copying a template there takes ~40 ms
 * instead of ~250 ms on this machine's disk; an instance needs ~60 MB, and containers often give
 * /dev/shm only 64 MB), else the temp dir. Templates stay in the temp dir across runs.
 */
export const INSTANCE_ROOT = roomyTmpfs('/dev/shm') ?? tmpdir();

function roomyTmpfs(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    const { bavail, bsize } = statfsSync(path);
    return bavail * bsize >= 2 * 1024 ** 3 ? path : undefined;
  } catch {
    return undefined;
  }
}

export const isRoot = process.getuid?.() === 0;

/** Runs a program (as `user` when we are root: initdb and mariadbd refuse or misbehave as root). */
export async function run(user: string, file: string, args: string[]): Promise<string> {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', user, '--', file, ...args]] : [file, args];
  try {
    const { stdout } = await execFileAsync(cmd, argv, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${file} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Makes `path` (recursively) owned by `user` when we are root. */
export async function chownTo(user: string, path: string): Promise<void> {
  if (isRoot) await execFileAsync('chown', ['-R', `${user}:${user}`, path]);
}

/** A fresh private temp dir owned by `user`. */
export async function makeInstanceDir(prefix: string, user: string): Promise<string> {
  const dir = await mkdtemp(join(INSTANCE_ROOT, `sc-doctor-${prefix}-`));
  await chownTo(user, dir);
  return dir;
}

/**
 * Returns the template data dir for `key`, creating it with `build(dir)` the first time. Concurrent
 * callers (test files run in parallel) each build into their own scratch dir and the first rename
 * wins, so nobody ever copies a half-built template.
 */
export async function ensureTemplate(
  key: string,
  user: string,
  build: (dataDir: string) => Promise<void>,
): Promise<string> {
  const target = join(TEMPLATE_ROOT, key);
  if (await exists(join(target, '.complete'))) return target;
  await mkdir(TEMPLATE_ROOT, { recursive: true });
  const scratch = await mkdtemp(join(TEMPLATE_ROOT, `${key}.building-`));
  await chownTo(user, scratch);
  try {
    await build(join(scratch, 'data'));
    await writeFile(join(scratch, 'data', '.complete'), '');
    try {
      await rename(join(scratch, 'data'), target);
    } catch {
      // Another process finished first; its template is as good as ours.
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return target;
}

/** Copies a template data dir to `dest`, keeping owner and modes (fs.cp would not keep the owner). */
export async function copyTemplate(template: string, dest: string): Promise<void> {
  await execFileAsync('cp', ['-a', template, dest]);
  await rm(join(dest, '.complete'), { force: true });
}

/** A 127.0.0.1 port that was free a moment ago (callers retry on a lost race). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

const leftovers = new Map<number, { pid: number | undefined; dir: string }>();
let nextLeftover = 0;
let exitHookInstalled = false;

/**
 * Makes sure a server process and its directory do not outlive this process when a test forgets
 * close() or fails before it. Returns a function that withdraws the registration.
 */
export function cleanUpOnExit(pid: number | undefined, dir: string): () => void {
  if (!exitHookInstalled) {
    process.once('exit', killLeftovers);
    exitHookInstalled = true;
  }
  const id = nextLeftover++;
  leftovers.set(id, { pid, dir });
  return () => {
    leftovers.delete(id);
  };
}

function killLeftovers(): void {
  for (const { pid, dir } of leftovers.values()) {
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  }
  leftovers.clear();
}
