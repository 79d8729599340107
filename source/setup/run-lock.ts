/**
 * One run at a time per server: two runs writing the same server's admins or firewall would undo each
 * other's work. The lock is a file per target, named by a hash of the lower-cased resource id (ARM ids
 * are case-insensitive), holding the owner's pid; a lock whose process is gone is taken over.
 */
import { createHash } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  runId: string;
  target: string;
  since: string;
}

/** Refusal to start while another live process is changing the same target. */
export class RunLockedError extends Error {
  constructor(readonly owner: LockOwner) {
    super(
      `another sc-doctor run (${owner.runId}, process ${owner.pid}, since ${owner.since}) is changing ` +
        `${owner.target}. Wait for it to finish, then run this again.`,
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
  pid: number;
  now: number;
  isProcessAlive(pid: number): boolean;
}

/** The lock file for a target. */
export function lockFileFor(locksDir: string, target: string): string {
  const key = createHash('sha256').update(target.toLowerCase()).digest('hex').slice(0, 32);
  return path.join(locksDir, `${key}.lock`);
}

/** Takes the target's lock, or throws `RunLockedError` naming the live owner. */
export async function acquireRunLock(options: AcquireLockOptions): Promise<RunLock> {
  const file = lockFileFor(options.locksDir, options.target);
  const owner: LockOwner = {
    pid: options.pid,
    runId: options.runId,
    target: options.target,
    since: new Date(options.now).toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await createExclusive(file, `${JSON.stringify(owner)}\n`)) return lockHandle(file, owner);
    const current = await readOwner(file);
    if (current && options.isProcessAlive(current.pid)) throw new RunLockedError(current);
    // Stale (dead owner or unreadable): move it aside under a name of our own, then look at what was
    // moved. If another process took the stale lock over in between, we moved its fresh lock: put it
    // back and refuse, so two takeovers at once never both believe they hold the lock.
    const aside = `${file}.stale-${options.pid}-${attempt}`;
    const moved = await rename(file, aside).then(
      () => true,
      () => false,
    );
    if (!moved) continue;
    const movedOwner = await readOwner(aside);
    if (movedOwner && movedOwner.pid !== current?.pid && options.isProcessAlive(movedOwner.pid)) {
      await link(aside, file).catch(() => {});
      await rm(aside, { force: true });
      throw new RunLockedError(movedOwner);
    }
    await rm(aside, { force: true });
  }
  const current = await readOwner(file);
  throw new RunLockedError(
    current ?? {
      pid: -1,
      runId: 'unknown',
      target: options.target,
      since: new Date(options.now).toISOString(),
    },
  );
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
    return typeof owner.pid === 'number' ? owner : undefined;
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
