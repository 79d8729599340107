/**
 * The contract between the CLI and its three front-ends (json, plain, interactive). The CLI builds
 * a `FrontEndInput`, the front-end subscribes to `bus`, calls `run()`, renders, and returns the
 * exit code. Front-ends never run checks themselves and the core never prints.
 */
import type { EventBus } from './events.ts';
import type { CheckOutcome } from './types.ts';

export interface FrontEndInput {
  /** Subscribe before calling `run()`; every event of the run arrives here. */
  bus: EventBus;
  /** Starts the doctor. Resolves with the outcomes in declared order. */
  run: () => Promise<CheckOutcome[]>;
  /** Static facts for headers. */
  header: { tool: string; version: string; command: string };
  verbose: boolean;
  strict: boolean;
  color: boolean;
  /** Aborting cancels running checks (Ctrl-C). */
  cancel: AbortController;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export type FrontEnd = (input: FrontEndInput) => Promise<number>;
