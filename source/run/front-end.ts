/**
 * The contract between the CLI and its three front-ends (json, plain, interactive). The CLI builds
 * a `FrontEndInput`, the front-end subscribes to `session.bus`, starts the flow the command asks for
 * (`session.doctor()`), renders, and returns the exit code (from `exitCodeFor`). Front-ends never run
 * checks themselves and the core never prints.
 */

import type { PromptChannel } from '../core/prompter.ts';
import type { Clipboard } from '../services/clipboard.ts';
import type { SnippetsFor } from '../setup/snippets-hook.ts';
import type { Session } from './session.ts';

export interface FrontEndInput {
  /** The flows of this run and the bus their events arrive on; subscribe before starting one. */
  session: Session;
  /**
   * Questions the flow asks, for the interactive front-end to serve (the session's prompter sends
   * them here). Absent in plain and JSON modes, where asking is a usage error.
   */
  prompts?: PromptChannel;
  /** Static facts for headers. */
  header: { tool: string; version: string; command: string };
  verbose: boolean;
  strict: boolean;
  color: boolean;
  /** Aborting cancels running checks (Ctrl-C). */
  cancel: AbortController;
  /**
   * Ctrl-C during setup, counted by the session's interrupts: the first rolls back, the second stops
   * waiting. Absent for the doctor, where `cancel` is all there is.
   */
  interrupt?: () => void;
  /** The connection code shown after a setup (interactive); none when absent. */
  snippetsFor?: SnippetsFor;
  /** Copies the connection code (`c`); the native tool or OSC 52 when absent. */
  clipboard?: Clipboard;
  /**
   * Saves a file of code (`w`) and says where it went; `replace` moves a file already there aside
   * (the first try without it fails, and the screen asks). The current folder when absent.
   */
  saveFile?: (
    fileName: string,
    content: string,
    options: { replace: boolean },
  ) => Promise<{ path: string; keptAs: string | null }>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export type FrontEnd = (input: FrontEndInput) => Promise<number>;
