/**
 * What every tool of one server process shares: how it was started, where the journal is, the key
 * that seals plan handles, the handles already used, the connections its applies made, and the calls
 * still running. Azure is read afresh by every call (new services, new sign-in): a plan is checked
 * against the world as it is now, never against what this process remembers.
 */
import { homedir } from 'node:os';
import type { SetupDeps } from '../cli/run-setup.ts';
import type { DoctorOptions } from '../core/types.ts';
import type { SetupConnection } from '../setup/flow-types.ts';
import { Journal } from '../setup/journal.ts';
import type { AuditRunner } from './audit-seam.ts';
import type { McpServerSettings } from './command.ts';
import { Sealer } from './seal.ts';
import { RunningWork } from './work.ts';

/** What the tools are built from; tests replace parts (the twin's services, a stand-in audit). */
export interface McpDeps extends Pick<SetupDeps, 'createServices' | 'loadChecks' | 'buildSteps' | 'undoers'> {
  /** The home that holds `.sc-doctor` (the journal); HOME by default. */
  home?: string;
  /** Where the project's files suggest the client type and hand-off scripts go; the process's by default. */
  cwd?: string;
  /** The fleet audit (issue 16); the `audit` tool is listed only when there is one. */
  loadAudit?: () => Promise<AuditRunner>;
}

export interface McpContext {
  settings: McpServerSettings;
  /** The server's own options (`--cloud`, `--subscription`, `--credential`, `--connect-to`). */
  options: DoctorOptions;
  /** The same flags as words, for the commands printed for a person. */
  serverWords: string[];
  env: Readonly<Record<string, string | undefined>>;
  deps: McpDeps;
  journal: Journal;
  sealer: Sealer;
  /** Ids of plan handles already applied: a handle applies once. */
  usedHandles: Set<string>;
  /** The connection each apply of this process made, by run id, for `snippet`. */
  connections: Map<string, SetupConnection>;
  work: RunningWork;
  now(): number;
}

/** The server's flags that every printed command repeats. */
export function serverWordsOf(flags: ReadonlyMap<string, string | true>): string[] {
  const words: string[] = [];
  for (const name of ['subscription', 'cloud', 'credential', 'connect-to']) {
    const value = flags.get(name);
    if (typeof value === 'string') words.push(`--${name}`, value);
  }
  return words;
}

export function createMcpContext(input: {
  settings: McpServerSettings;
  options: DoctorOptions;
  serverWords: string[];
  env: Readonly<Record<string, string | undefined>>;
  deps: McpDeps;
  now?: () => number;
}): McpContext {
  const now = input.now ?? Date.now;
  return {
    ...input,
    journal: new Journal({ home: input.deps.home ?? (input.env.HOME || homedir()) }),
    sealer: new Sealer({ now }),
    usedHandles: new Set(),
    connections: new Map(),
    work: new RunningWork(),
    now,
  };
}
