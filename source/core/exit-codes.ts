/** Exit codes are public API (README "Exit codes"). */
export const ExitCode = {
  Success: 0,
  /** A check failed, or setup failed and was rolled back cleanly. */
  Failure: 1,
  /** Usage or configuration error, including an input non-interactive mode cannot prompt for. */
  Usage: 2,
  /** Setup failed and rollback is incomplete. */
  RollbackIncomplete: 3,
  /** Cancelled by the user (Ctrl-C). */
  Cancelled: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
