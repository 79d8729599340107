/**
 * How a journal reaches the disk: the whole document to a private temporary file beside it (0600,
 * fsync), then in one step to its name, so a crash leaves the previous version or the next, never
 * half of one. A new journal is linked to its name (which refuses an existing one), so a run id is
 * never reused, even by two processes at once. A refusal of the file system is a `StorageError`.
 */
import { link, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RunDocument } from './journal-types.ts';
import { onDisk } from './storage-error.ts';

let temporaryCounter = 0;

/** Writes `document` as the new journal `file`; refuses (EEXIST) when one is already there. */
export async function writeNewJournal(file: string, document: RunDocument, pid: number): Promise<void> {
  const temporary = await writeTemporary(file, document, pid);
  try {
    await onDisk('write the journal', file, () => link(temporary, file));
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Replaces the journal `file` with `document`, all at once. */
export async function replaceJournal(file: string, document: RunDocument, pid: number): Promise<void> {
  const temporary = await writeTemporary(file, document, pid);
  await onDisk('write the journal', file, () => rename(temporary, file)).catch(async (error: unknown) => {
    await rm(temporary, { force: true });
    throw error;
  });
}

async function writeTemporary(file: string, document: RunDocument, pid: number): Promise<string> {
  const temporary = path.join(path.dirname(file), `.${document.runId}.${pid}.${temporaryCounter++}.tmp`);
  return onDisk('write the journal', temporary, async () => {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`);
      await handle.sync();
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    } finally {
      await handle.close();
    }
    return temporary;
  });
}
