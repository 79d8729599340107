/**
 * A mistake in how the tool was called (unknown flag, bad value). `main` prints its lines and
 * exits 2, never with a stack trace.
 */
export class UsageError extends Error {
  /** Extra lines printed after the message, e.g. `Run sc-doctor --help`. */
  readonly hints: string[];

  constructor(message: string, hints: string[] = []) {
    super(message);
    this.name = 'UsageError';
    this.hints = hints;
  }
}
