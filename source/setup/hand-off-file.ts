/**
 * Where a hand-off script goes and how it is written: private (0600), in the folder sc-doctor runs
 * in, named for the run. Every kind's hand-off (PostgreSQL's psql, Azure SQL's sqlcmd) writes
 * through it, so a refusal of the file system reads the same for all: a `StorageError` with what,
 * where, why and the fix.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { onDisk } from '../engine/storage-error.ts';

/**
 * Writes the script (mode 0600) as `sc-doctor-<run id>-<suffix>.sh` in `dir` and returns its path, or
 * throws a `StorageError`.
 */
export async function writeHandOffScript(
  dir: string,
  runId: string,
  suffix: string,
  text: string,
): Promise<string> {
  const file = path.join(dir, `sc-doctor-${runId}-${suffix}.sh`);
  await onDisk('create the folder for the hand-off script', dir, () => mkdir(dir, { recursive: true }));
  await onDisk('write the hand-off script', file, async () => {
    await writeFile(file, text, { mode: 0o600 });
    await chmod(file, 0o600);
  });
  return file;
}
