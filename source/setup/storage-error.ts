/**
 * A file system refusal under `~/.sc-doctor` (or a hand-off script's folder) as a person can act on
 * it: what could not be done, where, why in words, and how to fix it. A `UsageError`: exit 2, a
 * configuration problem, never "internal error".
 */
import { commandLine } from '../core/command-line.ts';
import { UsageError } from '../core/usage-error.ts';

const WHY: Record<string, { problem: string; fix: (where: string) => string }> = {
  EACCES: {
    problem: 'permission denied',
    fix: (where) => `make it yours and private: ${commandLine(['chmod', 'u+rwX', where])}`,
  },
  EPERM: {
    problem: 'the operation is not permitted',
    fix: (where) => `check who owns it and its flags: ${commandLine(['ls', '-ld', where])}`,
  },
  ENOSPC: { problem: 'the disk is full', fix: () => 'free some space on that disk, then run this again' },
  EDQUOT: { problem: 'your disk quota is used up', fix: () => 'free some space, then run this again' },
  EROFS: {
    problem: 'the file system is read-only',
    // ~/.sc-doctor follows HOME; a hand-off script goes to the folder sc-doctor runs in.
    fix: (where) =>
      /[\\/]\.sc-doctor([\\/]|$)/.test(where)
        ? 'run it where your home directory is writable, or point HOME at a writable directory'
        : 'run sc-doctor from a folder on a writable file system',
  },
  ENOTDIR: {
    problem: 'a part of the path is a file, not a directory',
    fix: (where) => `move the file that is in the way: ${commandLine(['ls', '-ld', where])} shows it`,
  },
  EISDIR: {
    problem: 'it is a directory, not a file',
    fix: (where) => `move it away: ${commandLine(['mv', where, `${where}.old`])}`,
  },
  ELOOP: {
    problem: 'too many symbolic links in the path',
    fix: (where) => `replace the links with a directory: ${commandLine(['ls', '-ld', where])}`,
  },
  ENAMETOOLONG: { problem: 'the path is too long', fix: () => 'use a shorter HOME' },
  EMFILE: {
    problem: 'too many files are open',
    fix: () => 'close other programs, or raise the limit (ulimit -n), then run this again',
  },
  ENFILE: {
    problem: 'the system has too many files open',
    fix: () => 'close other programs, then run this again',
  },
  EIO: { problem: 'the disk reported an I/O error', fix: () => 'check the disk, then run this again' },
  EBUSY: { problem: 'it is busy', fix: () => 'wait a moment, then run this again' },
};

/** A file system refusal, named and explained. */
export class StorageError extends UsageError {
  constructor(
    readonly what: string,
    readonly where: string,
    readonly code: string,
  ) {
    const why = WHY[code]!;
    super(`cannot ${what} ${where}: ${why.problem} (${code}).`, [`Fix: ${why.fix(where)}.`]);
    this.name = 'StorageError';
  }

  /** Why, in words, with the code: `permission denied (EACCES)`. */
  get problem(): string {
    return `${WHY[this.code]!.problem} (${this.code})`;
  }
}

/** `error` as a `StorageError` when it is a file system refusal a person can fix; unchanged otherwise. */
export function storageError(error: unknown, what: string, where: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof StorageError || typeof code !== 'string' || !(code in WHY)) return error;
  // The path the system call named is the most precise "where" (a temporary file, a parent directory).
  const path = (error as NodeJS.ErrnoException).path;
  return new StorageError(what, typeof path === 'string' ? path : where, code);
}

/** Runs `work`, turning a file system refusal into a `StorageError` about `what` at `where`. */
export async function onDisk<T>(what: string, where: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storageError(error, what, where);
  }
}
