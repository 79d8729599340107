/** The audit's request, events and summary: the contract between its core and its front-ends. */
import type { ConnectToMap } from '../core/connect-to.ts';
import type { CheckEvent, DoctorEvent } from '../core/events.ts';
import type { CheckOutcome } from '../core/types.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { FleetReadStats } from './arm-reads.ts';
import type { PairResult } from './check-pair.ts';
import type { AppRow } from './inventory.ts';
import type { ArgStats } from './resource-graph.ts';
import type { Verdict } from './verdict.ts';

/** What a pair's checks emit on the bus a re-check is given (the detail screen shows the doctor's). */
export type AuditBusEvent = DoctorEvent | CheckEvent;

/** What `sc-doctor audit` was asked to look at. */
export interface AuditRequest {
  /** `--subscription` (repeatable), `--management-group`, or `--all` (every subscription the caller reads). */
  scope:
    | { kind: 'subscriptions'; subscriptions: string[] }
    | { kind: 'managementGroup'; managementGroup: string }
    | { kind: 'all' };
  /** `--database`: the kinds of database to audit (all three by default). */
  kinds: DatabaseKind[];
  /** `--resource-group`: the apps' resource group. */
  resourceGroup?: string;
  /** `--tag k=v` (repeatable): tags every app audited must carry. */
  tags: { key: string; value: string }[];
  /** `--check-user`: log in to each database and check the app's user. */
  checkUser: boolean;
  /** `--concurrency`: ARM requests in flight at most. */
  concurrency: number;
  connectTo?: ConnectToMap;
}

/** Apps that make no pair to check, and why. */
export type AppStatus =
  /** Resource Graph listed it; ARM says it is gone. */
  | 'gone'
  /** Azure would not show what it connects to (settings, linkers): not determinable at this permission level. */
  | 'undetermined'
  /** Its settings name a database host that no server in the scope has. */
  | 'outside-scope';

export interface AppEntry {
  app: AppRow;
  status: AppStatus;
  reason: string;
}

/** Counts per verdict. */
export type VerdictCounts = Record<Verdict, number>;

export interface AuditSummary {
  pairs: number;
  verdicts: VerdictCounts;
  /** Failing (or undeterminable) check id → pairs. */
  causes: Record<string, number>;
  bySubscription: Record<string, VerdictCounts>;
  byDatabaseKind: Record<DatabaseKind, VerdictCounts>;
  apps: {
    /** Apps looked at (Spring apps included). */
    audited: number;
    withoutDatabase: number;
    undetermined: number;
    gone: number;
    outsideScope: number;
  };
  servers: number;
  privateEndpoints: number;
  identities: number;
  subscriptions: number;
  resourceGraph: ArgStats;
  requests: FleetReadStats;
  durationMs: number;
}

/** Live counts for the progress line. */
export interface AuditProgress {
  /** Apps Resource Graph reported in the scope (Spring services count once until listed); null until known. */
  appsTotal: number | null;
  appsDone: number;
  pairsFound: number;
  pairsChecked: number;
  failing: number;
  unknown: number;
  elapsedMs: number;
  /** Estimated time left, null until enough apps are done to say. */
  etaMs: number | null;
  requests: number;
  throttled: number;
}

/** Why the audit could not run at all (sign-in, Resource Graph refused the scope). */
export interface AuditProblem {
  message: string;
  details: string[];
  /** The sign-in check's outcome when that is what failed (its remedy says what to do). */
  outcome?: CheckOutcome;
}

export type AuditEvent =
  | { type: 'audit:phase'; phase: 'signin' | 'discovery' | 'checking' }
  | {
      type: 'audit:discovered';
      servers: number;
      privateEndpoints: number;
      identities: number;
      subscriptions: number;
    }
  | { type: 'audit:progress'; progress: AuditProgress }
  | { type: 'audit:pair'; pair: PairResult }
  | { type: 'audit:app'; entry: AppEntry }
  | { type: 'audit:end'; summary: AuditSummary; exitCode: number }
  | { type: 'audit:failed'; problem: AuditProblem; exitCode: number };
