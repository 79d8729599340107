/**
 * The doctor's checks: the core's `Check` with the options every check of the doctor can see (from
 * flags and environment), the target among them parsed once (target.ts).
 */
import type { ConnectToMap } from '../core/connect-to.ts';
import type { Check, CheckContext } from '../core/types.ts';
import type { DoctorTarget } from './target.ts';

/** The options every check can see (from flags and environment). */
export interface DoctorOptions {
  subscription?: string;
  cloud?: string;
  /** `managed-identity` signs in only through the managed identity (it may reach the metadata address). */
  credential?: 'default' | 'managed-identity';
  verbose: boolean;
  /** What to check: the target flags, parsed once by the CLI (or chosen at the prompt). */
  target: DoctorTarget;
  /** `--connect-to` / `SC_DOCTOR_CONNECT_TO`: addresses to use instead of a server's Azure name. */
  connectTo?: ConnectToMap;
  /** `--check-user`: log in to the database and check the app's database user. */
  checkUser?: boolean;
  /**
   * `names-only`: no app setting's value in any message or detail, only its name (the MCP server
   * sets it: nothing crosses the protocol but setting names). Unset, the CLI shows non-secret values.
   */
  settingValues?: 'shown' | 'names-only';
}

/** A check of the doctor. */
export type DoctorCheck = Check<DoctorOptions>;

/** What a check of the doctor is given. */
export type DoctorContext = CheckContext<DoctorOptions>;
