/**
 * Runs programs for the core: no shell (arguments are never re-parsed), a timeout, cancellation, and
 * a result instead of an exception for every way a process can end badly.
 */
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { ExecOptions, ExecResult, Services } from '../core/services.ts';

/** Grace period between SIGTERM and SIGKILL for a process that ignores the first. */
const FORCE_KILL_AFTER_MS = 2_000;

/**
 * `Services['exec']` on top of execa. `options.env` is added to this process' environment; a `PATH`
 * there is also where the program is looked up. Never throws.
 */
export const nodeExec: Services['exec'] = async (
  file: string,
  args: string[],
  options: ExecOptions = {},
): Promise<ExecResult> => {
  // A program that is nowhere on PATH is not found without starting anything: neither execa nor a
  // child process is loaded (a machine without az gets the doctor's answer at once).
  if (await nowhereOnPath(file, options.env)) return NOT_FOUND;
  try {
    const { execa } = await import('execa');
    const result = await execa(file, args, {
      reject: false,
      shell: false,
      stdin: 'ignore',
      timeout: options.timeoutMs,
      cancelSignal: options.signal,
      forceKillAfterDelay: FORCE_KILL_AFTER_MS,
      env: definedOnly(options.env),
      encoding: 'utf8',
      stripFinalNewline: false,
      windowsHide: true,
    });
    const notFound = (result as { code?: string }).code === 'ENOENT';
    return {
      exitCode: result.timedOut || result.isCanceled || notFound ? null : (result.exitCode ?? null),
      stdout: asText(result.stdout),
      stderr: notFound ? '' : asText(result.stderr),
      timedOut: Boolean(result.timedOut),
      notFound,
    };
  } catch (error) {
    // execa itself should not throw with `reject: false`; keep the promise of never throwing anyway.
    return {
      exitCode: null,
      stdout: '',
      stderr: error instanceof Error ? error.message : String(error),
      timedOut: false,
      notFound: (error as { code?: string })?.code === 'ENOENT',
    };
  }
};

const NOT_FOUND: ExecResult = { exitCode: null, stdout: '', stderr: '', timedOut: false, notFound: true };

/**
 * True when no file named `file` is in any directory of the PATH it would be looked up in (the
 * process's, or `env`'s). Anything there, runnable or not, is left to the spawn, so its own error
 * (permission denied) is the one reported. Windows adds extensions to the name: it always spawns.
 */
async function nowhereOnPath(
  file: string,
  env: Record<string, string | undefined> | undefined,
): Promise<boolean> {
  if (process.platform === 'win32' || file.includes('/')) return false;
  const path = (env && 'PATH' in env ? env.PATH : process.env.PATH) ?? '';
  for (const dir of path.split(delimiter)) {
    // An empty entry is the current directory, as execvp reads it.
    const found = await access(join(dir || '.', file)).then(
      () => true,
      () => false,
    );
    if (found) return false;
  }
  return true;
}

function definedOnly(
  env: Record<string, string | undefined> | undefined,
): Record<string, string> | undefined {
  if (!env) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
