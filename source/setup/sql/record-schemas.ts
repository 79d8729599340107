/** The journal records of the Azure SQL steps, as `undo` checks them before acting (record-schema.ts). */

import { type Field, is, type RecordSchema } from '../../engine/record-schema.ts';
import { HAND_OFF_SCRIPT } from '../hand-off-file.ts';
import type { Admin, SqlAdminRecord } from './entra-admin.ts';
import type { SqlUserRecord } from './user-record.ts';

/** Someone else's admin, put back as it was: its own values, checked for shape only. */
const PREVIOUS_ADMIN: RecordSchema<Admin> = {
  login: is.text(),
  sid: is.text(),
  tenantId: is.nullable(is.string()),
};

export const ENTRA_ADMIN_RECORD: RecordSchema<SqlAdminRecord> = {
  server: is.target(),
  serverName: is.text(),
  previous: is.nullable(is.object(PREVIOUS_ADMIN)),
  login: is.planned(),
  // An object id, or a service principal's application id.
  sid: is.text(),
};

/** The database the step's plan row is about (its resource is `<server>/databases/<name>/users`). */
const STEP_DATABASE: Field<string> = {
  check: (v, at, origin) =>
    typeof v === 'string' &&
    origin.resource.toLowerCase() === `${origin.target}/databases/${v}/users`.toLowerCase()
      ? []
      : [`${at} must be the database of this step (${origin.resource})`],
};

export const USER_RECORD: RecordSchema<SqlUserRecord> = {
  server: is.target(),
  serverName: is.text(),
  fqdn: is.text(),
  port: is.port(),
  database: STEP_DATABASE,
  user: is.text(),
  sid: is.guid(),
  created: is.boolean(),
  added: is.array(is.text()),
  replaced: is.nullable(is.object({ sid: is.guid(), grants: is.array(is.text()) })),
  handOffScript: HAND_OFF_SCRIPT,
};
