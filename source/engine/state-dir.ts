/**
 * `~/.sc-doctor` holds what `undo` acts on (journals) and what keeps two runs apart (locks), so it must
 * be the user's own, as ssh insists for `~/.ssh`: a directory owned by this user, not writable by
 * anyone else, and not a symbolic link out of the home. Anything else is refused with the fix before
 * a single file in it is read or written. Directories that are merely readable by others are
 * tightened to 0700 when sc-doctor writes.
 */
import { chmod, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { commandLine } from '../core/command-line.ts';
import { UsageError } from '../core/usage-error.ts';
import { onDisk } from './storage-error.ts';

/** Refusal to use a state directory someone else could have written. */
export class UnsafeStateDirError extends UsageError {
  constructor(
    readonly dir: string,
    problem: string,
    fix: string,
  ) {
    super(
      `${dir} ${problem}, so sc-doctor will not trust the journals and locks in it (as ssh refuses such a ~/.ssh).`,
      [`Fix: ${fix}`],
    );
    this.name = 'UnsafeStateDirError';
  }
}

export interface StateDirCheck {
  /** The home directory the state directory belongs in. */
  home: string;
  /** The directories to check, outermost first (`~/.sc-doctor`, then `runs`, `locks`). */
  dirs: readonly string[];
  /** Create missing directories (0700) and tighten readable ones; otherwise a missing one is fine. */
  create: boolean;
  /** This user's id; undefined where the system has none (Windows: owner and mode are not checked). */
  uid?: number;
}

/**
 * Checks (and with `create`, makes) the state directories. Resolves false when the outermost does not
 * exist and `create` is false (nothing to read yet); throws `UnsafeStateDirError` or `StorageError`.
 */
export async function checkStateDirs(check: StateDirCheck): Promise<boolean> {
  const uid = check.uid ?? (typeof process.getuid === 'function' ? process.getuid() : undefined);
  for (const dir of check.dirs) {
    const exists = await checkOne(dir, check.home, uid, check.create);
    if (!exists) {
      if (!check.create) return false;
      // Recursive for a home that does not exist yet (a fresh account, a sandbox's HOME).
      await onDisk('create the directory', dir, () => mkdir(dir, { recursive: true, mode: 0o700 }));
      // The umask may have trimmed the mode, and the refusals above apply to a new directory too.
      await onDisk('set the permissions of', dir, () => chmod(dir, 0o700));
    }
  }
  return true;
}

/** False when `dir` does not exist; throws when it exists and is not safe to use. */
async function checkOne(
  dir: string,
  home: string,
  uid: number | undefined,
  tighten: boolean,
): Promise<boolean> {
  const link = await onDisk('look at', dir, () => lstat(dir)).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (!link) return false;
  if (link.isSymbolicLink()) {
    const target = await realpath(dir).catch(() => undefined);
    if (!target)
      throw new UnsafeStateDirError(
        dir,
        'is a symbolic link to nothing',
        `remove the link and let sc-doctor create the directory: ${commandLine(['rm', dir])}`,
      );
    const realHome = await realpath(home).catch(() => path.resolve(home));
    if (!isInside(target, realHome))
      throw new UnsafeStateDirError(
        dir,
        `is a symbolic link to ${target}, outside your home ${home}`,
        `remove the link (${commandLine(['rm', dir])}); sc-doctor then creates its own directory there`,
      );
  }
  const info = await onDisk('look at', dir, () => stat(dir));
  if (!info.isDirectory())
    throw new UnsafeStateDirError(
      dir,
      'is not a directory',
      `move it away: ${commandLine(['mv', dir, `${dir}.old`])}`,
    );
  if (uid !== undefined && info.uid !== uid)
    throw new UnsafeStateDirError(
      dir,
      `is owned by another user (uid ${info.uid}; you are uid ${uid})`,
      `make it yours (${commandLine(['sudo', 'chown', '-R', String(uid), dir])}), or move it away`,
    );
  if (uid !== undefined && (info.mode & 0o022) !== 0)
    throw new UnsafeStateDirError(
      dir,
      `can be written by other users (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')})`,
      `make it private: ${commandLine(['chmod', '700', dir])}`,
    );
  if (tighten && uid !== undefined && (info.mode & 0o077) !== 0)
    await onDisk('set the permissions of', dir, () => chmod(dir, 0o700));
  return true;
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
