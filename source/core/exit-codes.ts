/** Exit codes are public API (README "Exit codes"). */
import type { DoctorSummary } from './types.ts';

export const ExitCode = {
  Success: 0,
  /** A check failed, or setup failed and was rolled back cleanly. */
  Failure: 1,
  /** Usage or configuration error, including an input non-interactive mode cannot prompt for. */
  Usage: 2,
  /** Setup failed and rollback is incomplete. */
  RollbackIncomplete: 3,
  /**
   * Setup applied what it could and handed the rest off (a script for the database's owner or for a
   * machine inside the server's network, then `--resume`): not done yet.
   */
  HandedOff: 4,
  /** Cancelled by the user (Ctrl-C). */
  Cancelled: 130,
  /**
   * The reader of stdout went away (`sc-doctor doctor --plain | head -1`): 128 + SIGPIPE, what a C
   * program killed by the broken pipe reports, so `set -o pipefail` scripts see the same.
   */
  BrokenPipe: 141,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** How a run ended, as far as its exit code cares. */
export interface RunEnd {
  /** The user cancelled (Ctrl-C, or quit before the results were in). */
  cancelled: boolean;
  /** Nobody reads stdout any more: the run ends without its results. */
  brokenPipe?: boolean;
  /** A usage or configuration mistake, found before anything ran (or a question nobody can answer). */
  usage?: boolean;
  /** The flow itself crashed (a bug in sc-doctor, not a check result). */
  crashed?: boolean;
  /** Setup would not start: the doctor found what it cannot fix. */
  refused?: boolean;
  /** Per-status counts of the doctor's outcomes; absent when no doctor ran. */
  doctor?: DoctorSummary;
  /** `--strict`: warnings fail the run. */
  strict?: boolean;
  /** How setup ended, once there is one. */
  setup?: 'succeeded' | 'handed-off' | 'rolled-back' | 'rollback-incomplete';
  /** How `sc-doctor undo` ended. */
  undo?: 'undone' | 'rollback-incomplete';
  /**
   * How `sc-doctor audit` ended: every pair checked and none failing (`passed`), or a pair failing or
   * the audit unable to run (sign-in, Resource Graph refusing the scope: `failed`), as the doctor.
   */
  audit?: 'passed' | 'failed';
}

/**
 * The one place a run becomes an exit code, for every command and front-end. A broken pipe ends it
 * first, then cancelling (the results are incomplete), then a usage mistake, a crash, an incomplete
 * rollback, any failure, and last a hand-off (nothing failed, but the run is not done).
 */
export function exitCodeFor(end: RunEnd): ExitCodeValue {
  if (end.brokenPipe) return ExitCode.BrokenPipe;
  if (end.cancelled) return ExitCode.Cancelled;
  if (end.usage) return ExitCode.Usage;
  if (end.crashed) return ExitCode.Failure;
  if (end.setup === 'rollback-incomplete' || end.undo === 'rollback-incomplete')
    return ExitCode.RollbackIncomplete;
  if (end.setup === 'rolled-back' || end.refused || end.audit === 'failed') return ExitCode.Failure;
  if (end.setup === 'handed-off') return ExitCode.HandedOff;
  const doctor = end.doctor;
  if (doctor) {
    if (doctor.fail + doctor.error + doctor.timeout > 0) return ExitCode.Failure;
    if (end.strict && doctor.warn > 0) return ExitCode.Failure;
  }
  return ExitCode.Success;
}
