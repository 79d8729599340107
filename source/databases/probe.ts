/**
 * What the doctor's `database-user` probe and setup's `verify` step learn of the app's database user,
 * whatever the kind: how the probe logs in (an address already mapped), what it found, and the app's
 * side it compares with. Each kind's probe is `<kind>/probe.ts`.
 */

/** How to reach and log in to the server. */
export interface ProbeLogin {
  /** The TCP address (after any `SC_DOCTOR_CONNECT_TO` mapping). */
  host: string;
  port: number;
  /** The server's Azure name: TLS verifies the certificate against it. */
  fqdn: string;
  user: string;
  token: string;
  /** Extra trusted CAs (tests' local CA); the system's CAs otherwise. */
  ca: string | Buffer | undefined;
  timeoutMs: number;
  /** The check's signal: a timeout or Ctrl-C closes the connection. */
  signal?: AbortSignal;
}

/** What the probe found about the app's identity in the database. */
export interface ProbeFinding {
  status: 'pass' | 'warn' | 'fail';
  message: string;
  details: string[];
  /** True when setup creates the user or grants what is missing. */
  fixable: boolean;
  /** What setup does about it, when more than creating the user and granting the database. */
  remedy?: string;
}

/** The app's side: which Entra ids are its identities, and the user its settings name, if any. */
export interface AppSide {
  appName: string;
  /** Object (principal) ids of the app's identities. */
  objectIds: string[];
  database: string | null;
  settingsUser: string | null;
}
