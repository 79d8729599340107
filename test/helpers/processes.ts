/**
 * Programs a test starts, each in a process group of its own, so that one signal reaches the program
 * and everything it started (npm → sh → node → database servers), also when the test fails or its
 * file is ended early: whatever is still running when the test process exits is killed by group.
 * Signalling only the direct child leaves its children running, holding the test's pipes open, and
 * the test file waits for those pipes for ever.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** A child that leads its own process group. */
export interface GroupChild extends ChildProcess {
  /** Sends `signal` to the child's whole process group (ignored when the group is gone). */
  signalGroup(signal: NodeJS.Signals): void;
  /**
   * Ends the group: SIGTERM (so a program can stop what it started, as the twin stops its
   * databases), then SIGKILL to whatever is left after `graceMs`. Resolves once the child has exited.
   */
  stopGroup(graceMs?: number): Promise<void>;
}

const running = new Set<number>();
const cleanups = new Set<() => void>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  process.once('exit', cleanUpAll);
  hooked = true;
}

/** Kills every group still registered and runs every cleanup; when the test process exits, however. */
function cleanUpAll(): void {
  for (const pgid of running) signal(pgid, 'SIGKILL');
  running.clear();
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort while exiting.
    }
  }
  cleanups.clear();
}

function signal(pgid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pgid, name);
  } catch {
    // The group is gone already.
  }
}

/** State and process group of `pid` from /proc (undefined once it is gone). */
function procStat(pid: number): { state: string; pgid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state ppid pgrp ...; comm may hold spaces and parentheses.
    const [state, , pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state!, pgid: Number(pgid) };
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is running. A killed process whose parent is gone can stay a zombie for a while (PID
 * 1 in a container does not always reap), and `kill(pid, 0)` still succeeds on it: /proc says.
 */
export function alive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Whether any process of the group `pgid` is still running (zombies do not count). */
export function groupAlive(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/**
 * `spawn` in a new process group (`detached`, yet tied to this process: it is killed when this process exits). Use it for
 * anything that may start children of its own.
 */
export function spawnGroup(file: string, args: string[], options: SpawnOptions = {}): GroupChild {
  hookExit();
  const child = spawn(file, args, { ...options, detached: true }) as GroupChild;
  const pgid = child.pid;
  if (pgid !== undefined) running.add(pgid);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  // A group whose last member is gone is forgotten (its number may be reused); one whose leader left
  // children behind stays registered until they are killed.
  child.once('exit', () => {
    if (pgid !== undefined && !groupAlive(pgid)) running.delete(pgid);
  });
  child.signalGroup = (name) => {
    if (pgid !== undefined) signal(pgid, name);
  };
  child.stopGroup = async (graceMs = 10_000) => {
    if (pgid === undefined) return;
    signal(pgid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    signal(pgid, 'SIGKILL');
    running.delete(pgid);
    await exited;
  };
  return child;
}

/**
 * Runs `cleanup` (synchronous: the process is exiting) when the test process exits, for what a test
 * starts some other way, such as a tmux server. Returns a function that withdraws it.
 */
export function cleanUpOnTestExit(cleanup: () => void): () => void {
  hookExit();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** How a program run by `runInGroup` ended. */
export interface GroupRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The run outlived `timeoutMs` and its group was stopped. */
  timedOut: boolean;
}

/**
 * Runs a program to its end in its own process group, collecting its output; past `timeoutMs` the
 * whole group is stopped (SIGTERM, then SIGKILL) and the run resolves with `timedOut`, so a child's
 * child can never keep the pipes, and the test, waiting.
 */
export function runInGroup(
  file: string,
  args: string[],
  options: Omit<SpawnOptions, 'stdio' | 'detached' | 'timeout'> & { timeoutMs?: number } = {},
): Promise<GroupRun> {
  const { timeoutMs = 60_000, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawnGroup(file, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      void child.stopGroup(2_000);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
