/**
 * The checks that need a database server (and, for most, an app) and say whether the passwordless
 * setup may and will work: permissions, Entra configuration, the app's identity and settings, and
 * on request the database user. They read the `server` check's facts, so they run after it.
 */

import { appIdentityCheck } from './app-identity.ts';
import { appSettingsCheck } from './app-settings.ts';
import type { DoctorCheck } from './check.ts';
import { databaseUserCheck } from './database-user.ts';
import { entraConfigCheck } from './entra-config.ts';
import { rbacCheck } from './rbac.ts';

/** In display order; they need the checks `signin`, `subscription` and `server`. */
export function accessChecks(): DoctorCheck[] {
  return [rbacCheck, entraConfigCheck, appIdentityCheck, appSettingsCheck, databaseUserCheck];
}
