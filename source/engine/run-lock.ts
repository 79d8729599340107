/**
 * One run at a time per server: two runs writing the same server's admins or firewall would undo each
 * other's work. The lock is a file per target, named by a hash of the lower-cased resource id (ARM ids
 * are case-insensitive), holding its owner: pid, process start time and host. A lock whose process is
 * gone, or whose pid now belongs to a process that started later (a reused pid), is taken over; every
 * refusal names the lock file, so a person can see whose it is and remove a stale one.
 */
import { createHash } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { commandLine } from '../core/command-line.ts';
import { isOwnerAlive, type ProcessIdentity, type ProcessProbe, systemProbe } from './process-identity.ts';
import { onDisk } from './storage-error.ts';

export { isProcessAlive } from './process-identity.ts';

/** What a lock file holds. `started` and `host` are absent in locks of earlier versions. */
export interface LockOwner {
  pid: number;
  started?: string | null;
  host?: string;
  runId: string;
  target: string;
  since: string;
}

/** Refusal to start while another live process is changing the same target. */
export class RunLockedError extends Error {
  constructor(
    readonly owner: LockOwner,
    readonly file: string,
  ) {
    const where = owner.host ? ` on ${owner.host}` : '';
    super(
      `another sc-doctor run (${owner.runId}, process ${owner.pid}${where}, since ${owner.since}) is changing ` +
        `${owner.target}. Wait for it to finish, then run this again. The lock is ${file}: if no ` +
        `sc-doctor runs as process ${owner.pid}${where}, it is stale; remove it with ${commandLine(['rm', file])}`,
    );
    this.name = 'RunLockedError';
  }
}

export interface RunLock {
  readonly file: string;
  /** Removes the lock if this process still owns it. */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  locksDir: string;
  target: string;
  runId: string;
  /** This process (pid, start time, host). */
  owner: ProcessIdentity;
  now: number;
  /** Asks the OS whether a recorded owner still runs; the system's by default. */
  probe?: ProcessProbe;
}

/** The lock file for a target. */
export function lockFileFor(locksDir: string, target: string): string {
  const key = createHash('sha256').update(target.toLowerCase()).digest('hex').slice(0, 32);
  return path.join(locksDir, `${key}.lock`);
}

/** Takes the target's lock, or throws `RunLockedError` naming the live owner and the lock file. */
export async function acquireRunLock(options: AcquireLockOptions): Promise<RunLock> {
  const file = lockFileFor(options.locksDir, options.target);
  const probe = options.probe ?? systemProbe;
  const alive = (owner: LockOwner) => isOwnerAlive(owner, probe);
  const owner: LockOwner = {
    pid: options.owner.pid,
    started: options.owner.started,
    host: options.owner.host,
    runId: options.runId,
    target: options.target,
    since: new Date(options.now).toISOString(),
  };
  return onDisk('take the run lock', file, async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (await createExclusive(file, `${JSON.stringify(owner)}\n`)) return lockHandle(file, owner);
      const current = await readOwner(file);
      if (current && alive(current)) throw new RunLockedError(current, file);
      // Stale (dead owner, reused pid, or unreadable): move it aside under a name of our own, then
      // look at what was moved. If another process took the stale lock over in between, we moved its
      // fresh lock: put it back and refuse, so two takeovers at once never both believe they hold it.
      const aside = `${file}.stale-${owner.pid}-${attempt}`;
      const moved = await rename(file, aside).then(
        () => true,
        () => false,
      );
      if (!moved) continue;
      const movedOwner = await readOwner(aside);
      if (movedOwner && !sameOwner(movedOwner, current) && alive(movedOwner)) {
        await link(aside, file).catch(() => {});
        await rm(aside, { force: true });
        throw new RunLockedError(movedOwner, file);
      }
      await rm(aside, { force: true });
    }
    const current = await readOwner(file);
    throw new RunLockedError(
      current ?? { pid: -1, runId: 'unknown', target: options.target, since: owner.since },
      file,
    );
  });
}

const sameOwner = (a: LockOwner, b: LockOwner | undefined) =>
  b !== undefined && a.pid === b.pid && a.runId === b.runId && a.since === b.since;

/**
 * Creates `file` with `text` only if it does not exist. The content is written to a temporary file
 * first and linked into place, so no other process can ever read a half-written (empty) lock and
 * mistake it for a stale one.
 */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const temporary = `${file}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.runId === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

function lockHandle(file: string, owner: LockOwner): RunLock {
  return {
    file,
    async release() {
      const current = await readOwner(file);
      if (current?.pid === owner.pid && current.runId === owner.runId) await rm(file, { force: true });
    },
  };
}
