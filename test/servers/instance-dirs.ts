/**
 * Shared plumbing for the throwaway database servers: running programs as the service user,
 * a per-version template data directory built once and copied per instance, free loopback ports.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, rmSync, statfsSync } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
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

/**
 * Runs a program (as `user` when we are root: initdb and mariadbd refuse or misbehave as root). It
 * starts in `/`: the caller's directory may be one the service user cannot enter (a clone in a
 * private folder), and initdb and pg_ctl complain about a working directory they cannot reach.
 */
export async function run(user: string, file: string, args: string[]): Promise<string> {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', user, '--', file, ...args]] : [file, args];
  try {
    const { stdout } = await execFileAsync(cmd, argv, { maxBuffer: 16 * 1024 * 1024, cwd: '/' });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${file} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Whether `user` may open `path` (`test -r`; add `execute` for programs and directories to enter). Only
 * asked when we are root and run the servers as another user; otherwise we are that user.
 */
export async function reachableBy(user: string, path: string, execute = false): Promise<boolean> {
  if (!isRoot) return true;
  try {
    await execFileAsync('runuser', ['-u', user, '--', 'test', execute ? '-x' : '-r', path], { cwd: '/' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A copy of the directory `source` that every user can read, under TEMPLATE_ROOT as `key`, made the
 * first time it is asked for (concurrent callers race as in ensureTemplate; the first rename wins).
 * For files a service user must reach that live where it cannot, such as database binaries inside a
 * clone in a private folder (`mktemp -d`, /root).
 */
export async function readableCopy(key: string, source: string, user: string): Promise<string> {
  const target = join(TEMPLATE_ROOT, key);
  if (await exists(join(target, '.complete'))) return target;
  await makeTemplateRoot(user);
  const scratch = await mkdtemp(join(TEMPLATE_ROOT, `${key}.copying-`));
  try {
    await execFileAsync('cp', ['-a', `${source}/.`, join(scratch, 'copy')]);
    await execFileAsync('chmod', ['-R', 'a+rX', join(scratch, 'copy')]);
    await writeFile(join(scratch, 'copy', '.complete'), '');
    await chmod(scratch, 0o755);
    try {
      await rename(join(scratch, 'copy'), target);
    } catch {
      // Another process finished first; its copy is as good as ours.
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return target;
}

/**
 * Creates TEMPLATE_ROOT enterable by the service users whatever the umask, and fails at once, saying
 * why, when `user` still cannot reach it (the temp dir is private to root).
 */
async function makeTemplateRoot(user: string): Promise<void> {
  await mkdir(TEMPLATE_ROOT, { recursive: true });
  if (!isRoot) return;
  await chmod(TEMPLATE_ROOT, 0o755);
  if (!(await reachableBy(user, TEMPLATE_ROOT, true))) throw new Error(unreachable(user, TEMPLATE_ROOT));
}

/** Makes `path` (recursively) owned by `user` when we are root. */
export async function chownTo(user: string, path: string): Promise<void> {
  if (isRoot) await execFileAsync('chown', ['-R', `${user}:${user}`, path]);
}

/** A fresh private temp dir owned by `user`; fails at once, saying why, when `user` cannot enter it. */
export async function makeInstanceDir(prefix: string, user: string): Promise<string> {
  const dir = await mkdtemp(join(INSTANCE_ROOT, `sc-doctor-${prefix}-`));
  await chownTo(user, dir);
  if (!(await reachableBy(user, dir, true))) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(unreachable(user, dir));
  }
  return dir;
}

/** Why a server cannot start when its user cannot reach `path`, and what to do. */
export function unreachable(user: string, path: string): string {
  return (
    `the '${user}' user cannot reach ${path} (a directory above it is private to root). ` +
    'Point TMPDIR at a directory every user can enter, e.g. TMPDIR=/tmp, and run again.'
  );
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
  await makeTemplateRoot(user);
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
