/**
 * What the connection-code screen shows after a setup: the app settings and the files of code that
 * read them. The generator is a separate module; the screen renders whatever this hook returns.
 */
import type { SetupOutcome } from './flow-types.ts';

export interface SnippetFile {
  /** e.g. `java · pom.xml` or `nodejs · db.js`. */
  title: string;
  /** File name used by `w` (save). */
  fileName: string;
  content: string;
}

export interface ConnectionCode {
  /** `Done · orders-api can reach pg-orders/orders as aad_orders_api (no password)`. */
  headline: string;
  /** App settings written, by name (values are not secrets: passwordless). */
  settings: { name: string; value: string }[];
  /** What the code needs in the app's manifest: the line to add, and the manifest it goes in. */
  dependencies: { manifest: string; entry: string }[];
  files: SnippetFile[];
  /**
   * The whole snippet as the plain front-end prints it (settings, dependencies, notes, every file as
   * the generator wrote it): what the interactive screen leaves in the scrollback, byte for byte.
   */
  text: string;
}

/** Builds the connection code for a finished setup; null when there is none to show. */
export type SnippetsFor = (outcome: SetupOutcome) => ConnectionCode | null;
