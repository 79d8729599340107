/**
 * Who holds a run lock or ran a journal: a pid alone is not enough, because pids are reused (a
 * lock whose process died can name a pid that now belongs to an editor or a shell, and would then
 * block every later run). The start time of the process and the host it ran on tell the owner apart
 * from whatever holds its pid now.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** A process as a lock or a journal records it. */
export interface ProcessIdentity {
  pid: number;
  /** When the process started, as this OS reports it (compared as text); null when it cannot tell. */
  started: string | null;
  host: string;
}

/** What liveness checks ask the OS; tests replace it. */
export interface ProcessProbe {
  isProcessAlive(pid: number): boolean;
  startOf(pid: number): string | null;
  host: string;
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
 * The start time of `pid`: on Linux its start in clock ticks after boot (`/proc/<pid>/stat`, field 22),
 * on other Unix systems `ps -o lstart=`, null on Windows or when the process is gone.
 */
export function processStartOf(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may hold spaces: count after its end.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[19] ?? null;
    } catch {
      return null;
    }
  }
  if (process.platform === 'win32') return null;
  const ps = spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 5000 });
  const text = ps.status === 0 ? ps.stdout.trim() : '';
  return text === '' ? null : text;
}

export const systemProbe: ProcessProbe = {
  isProcessAlive,
  startOf: processStartOf,
  host: hostname(),
};

let self: ProcessIdentity | undefined;

/** This process, as it is recorded in the locks it takes and the journals it writes. */
export function thisProcess(probe: ProcessProbe = systemProbe, pid = process.pid): ProcessIdentity {
  if (probe !== systemProbe || pid !== process.pid)
    return { pid, started: probe.startOf(pid), host: probe.host };
  self ??= { pid, started: processStartOf(pid), host: systemProbe.host };
  return self;
}

/**
 * Whether the recorded process still runs: its pid exists and, when its start was recorded, the
 * process with that pid started then (else the pid was reused and the owner is gone). A process on
 * another host cannot be checked from here: it counts as running.
 */
export function isOwnerAlive(
  owner: { pid: number; started?: string | null; host?: string },
  probe: ProcessProbe = systemProbe,
): boolean {
  if (owner.host && owner.host !== probe.host) return true;
  if (!probe.isProcessAlive(owner.pid)) return false;
  if (!owner.started) return true;
  const now = probe.startOf(owner.pid);
  return now === null || now === owner.started;
}
