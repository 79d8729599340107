/** The journal records of the MySQL steps, as `undo` checks them before acting (record-schema.ts). */

import { is, type RecordSchema } from '../../engine/record-schema.ts';
import type { UserRecord } from './database-user.ts';
import type { AdminProperties, EntraAdminRecord } from './entra-admin.ts';
import type { ServerIdentityRecord } from './server-identity.ts';

export const SERVER_IDENTITY_RECORD: RecordSchema<ServerIdentityRecord> = {
  server: is.target(),
  serverName: is.text(),
  attached: is.armId(),
  before: is.array(is.armId()),
};

/** Someone else's admin, put back as it was: its own values, checked for shape only. */
const PREVIOUS_ADMIN: RecordSchema<AdminProperties> = {
  administratorType: is.text(),
  login: is.text(),
  sid: is.text(),
  tenantId: is.string(),
  identityResourceId: is.string(),
};

export const ENTRA_ADMIN_RECORD: RecordSchema<EntraAdminRecord> = {
  server: is.target(),
  serverName: is.text(),
  previous: is.nullable(is.object(PREVIOUS_ADMIN)),
  login: is.planned(),
  sid: is.guid(),
};

export const USER_RECORD: RecordSchema<UserRecord> = {
  server: is.target(),
  serverName: is.text(),
  fqdn: is.text(),
  port: is.port(),
  signedInUser: is.text(),
  user: is.planned(),
  database: is.text(),
  clientId: is.guid(),
  created: is.boolean(),
  replaced: is.boolean(),
};
