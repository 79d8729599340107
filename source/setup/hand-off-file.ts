/**
 * Where a hand-off script goes and how it is written: private (0600), in the folder sc-doctor runs
 * in, named for the run. Every kind's hand-off (PostgreSQL's psql, Azure SQL's sqlcmd) writes
 * through it, so a refusal of the file system reads the same for all: a `StorageError` with what,
 * where, why and the fix.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Field, is } from '../engine/record-schema.ts';
import type { UndoResult } from '../engine/step.ts';
import { onDisk } from '../engine/storage-error.ts';

/** A hand-off script as a step's undo record keeps it: where, and what sc-doctor wrote into it. */
export type HandOffScript = {
  path: string;
  /** SHA-256 of the text written (hex): a script edited since is not sc-doctor's to remove. */
  sha256: string;
};

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

/** The record of a script written with `text` at `file`. */
export function handOffScriptOf(file: string, text: string): HandOffScript {
  return { path: file, sha256: sha256(text) };
}

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The journal's `handOffScript` (absent in journals from before it was kept): a script of this run
 * only (`sc-doctor-<run id>-<kind>.sh`, an absolute path), so an edited journal cannot make undo
 * remove another file.
 */
export const HAND_OFF_SCRIPT = is.optional(
  is.nullable(
    is.object<HandOffScript>({
      path: {
        check: (v, at, origin) => {
          const prefix = `sc-doctor-${origin.runId}-`;
          const name = typeof v === 'string' ? path.basename(v) : '';
          const ours =
            typeof v === 'string' &&
            path.isAbsolute(v) &&
            name.startsWith(prefix) &&
            name.endsWith('.sh') &&
            /^[a-z-]+$/.test(name.slice(prefix.length, -'.sh'.length));
          return ours ? [] : [`${at} must be a hand-off script of run ${origin.runId} (${prefix}<kind>.sh)`];
        },
      },
      sha256: {
        check: (v, at) =>
          typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? [] : [`${at} must be a SHA-256`],
      },
    }),
  ),
) as Field<HandOffScript | null>;

/**
 * After a step's undo: its hand-off script describes work that no longer applies, so it goes, unless
 * it was changed since sc-doctor wrote it (then it stays, and the result says so). Only an undo that
 * left nothing of the step behind (`undone`, `already-gone`) removes it; a missing file is fine.
 */
export async function removeHandOffScript(
  script: HandOffScript | null | undefined,
  result: UndoResult,
): Promise<UndoResult> {
  if (!script || result.status === 'changed-since') return result;
  const note = (words: string): UndoResult => {
    const reason = 'reason' in result && result.reason ? `${result.reason}; ${words}` : words;
    return { ...result, reason };
  };
  let text: Buffer;
  try {
    text = await readFile(script.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
    return note(
      `the hand-off script ${script.path} stays: it could not be read (${(error as Error).message})`,
    );
  }
  if (sha256(text) !== script.sha256)
    return note(
      `the hand-off script ${script.path} was changed since sc-doctor wrote it, so it stays: delete it yourself if it is no longer needed`,
    );
  try {
    await unlink(script.path);
    return result;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
    return note(
      `the hand-off script ${script.path} stays: it could not be removed (${(error as Error).message})`,
    );
  }
}
