/**
 * `w` on the code screen: writes a file of code into a folder, byte for byte as the generator made
 * it. A file already there is never overwritten silently: the first try fails with `FileExistsError`
 * (the screen asks), and a yes moves the old file aside (`db.js.bak`) before the new one is written.
 */
import { rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where the file went, and where the file it replaced was kept. */
export interface SavedFile {
  path: string;
  keptAs: string | null;
}

/** Saves `content` as `fileName`; `replace` moves an existing file aside first. */
export type SaveFile = (
  fileName: string,
  content: string,
  options: { replace: boolean },
) => Promise<SavedFile>;

/** The file is there already and `replace` was not given. */
export class FileExistsError extends Error {
  constructor(readonly path: string) {
    super(`${path} already exists`);
    this.name = 'FileExistsError';
  }
}

/** Saves into `folder` (only the file's base name is used: a file name can never climb out of it). */
export function saveInFolder(folder: string): SaveFile {
  return async (fileName, content, { replace }) => {
    const target = path.resolve(folder, path.basename(fileName));
    let keptAs: string | null = null;
    if (replace && (await exists(target))) {
      keptAs = await freeName(`${target}.bak`);
      await rename(target, keptAs);
    }
    try {
      await writeFile(target, content, { flag: 'wx' });
    } catch (error) {
      // Put the old file back: a failed save must not lose it.
      if (keptAs) await rename(keptAs, target).catch(() => {});
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(target);
      throw error;
    }
    return { path: target, keptAs };
  };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function freeName(base: string): Promise<string> {
  if (!(await exists(base))) return base;
  for (let n = 2; ; n++) if (!(await exists(`${base}.${n}`))) return `${base}.${n}`;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'part of the path is not a folder',
  EISDIR: 'a folder has that name',
};

/** Why a save failed, in words a person can act on. */
export function saveFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && REASONS[code]) return REASONS[code];
  return error instanceof Error ? error.message : String(error);
}
