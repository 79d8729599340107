/**
 * The audit runs with a small young generation. On a machine with a lot of memory V8 lets the young
 * generation grow to several times 64 MB when objects survive scavenges, as the requests in flight of
 * an audit do; that alone took an audit of 2,000 apps to 300 MB of RSS. The flag that bounds it
 * (`--max-semi-space-size`) is read only when a process starts, so the audit starts itself again with
 * it once (measured with `npm run bench:audit`): in place where Node can (`process.execve`, POSIX), so
 * no second process waits; else (Windows) as a child whose exit code the parent passes on. The parent
 * then ignores the terminal's Ctrl-C (the child gets it too) and passes on a SIGTERM sent to it.
 */
import { spawn } from 'node:child_process';

/** Young-generation half-space, in MB: an audit of 10,000 apps stays under 300 MB (docs/audit.md). */
export const AUDIT_SEMI_SPACE_MB = 4;
const FLAG = '--max-semi-space-size';
const MARK = 'SC_DOCTOR_AUDIT_CHILD';

/** Whether this process should run the audit again with the flag (a real process, not tuned yet). */
export function wantsTunedHeap(
  env: Readonly<Record<string, string | undefined>>,
  realProcess: boolean,
): boolean {
  if (!realProcess || env[MARK] === '1') return false;
  if (process.execArgv.some((arg) => arg.startsWith(FLAG))) return false;
  if ((process.env.NODE_OPTIONS ?? '').includes(FLAG)) return false;
  return typeof process.argv[1] === 'string';
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Runs the same command line again with the flag: replacing this process where Node can (it then
 * never returns), else in a child whose exit code it resolves with.
 */
export function runTunedChild(argv: readonly string[]): Promise<number> {
  const args = [...process.execArgv, `${FLAG}=${AUDIT_SEMI_SPACE_MB}`, process.argv[1]!, ...argv];
  const env = { ...process.env, [MARK]: '1' };
  const execve = (process as { execve?: Execve }).execve;
  if (typeof execve === 'function' && process.platform !== 'win32') {
    try {
      execve.call(process, process.execPath, [process.execPath, ...args], env);
    } catch {
      // Not allowed here (a sandbox, an old kernel): a child does the same.
    }
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env });
    // Ctrl-C reaches the child from the terminal itself; the parent must not die of it first.
    const ignore = () => {};
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
