/**
 * The one place that ends the process before a command has returned. A run ends by returning its exit
 * code to cli.tsx, which sets `process.exitCode`; only what cannot wait for that comes here: the
 * reader of stdout went away (nobody reads the results), or a second Ctrl-C where nothing is left to
 * clean up (the doctor). Every code comes from `exitCodeFor`.
 */
import { exitCodeFor, type RunEnd } from '../core/exit-codes.ts';

/** Ends the process now with the exit code of `end`. */
export function exitNow(end: RunEnd): never {
  process.exit(exitCodeFor(end));
}
