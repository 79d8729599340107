/** The journal records of the MySQL steps, as `undo` checks them before acting (record-schema.ts). */

import { is, type RecordSchema } from '../../engine/record-schema.ts';
import type { RecordSchemas } from '../../engine/undoer.ts';
import { FIREWALL_RECORD } from '../firewall-temp.ts';
import {
  APP_IDENTITY_RECORD,
  LINKER_RECORD,
  NO_RECORD,
  SETTINGS_RECORD,
} from '../postgres/record-schemas.ts';
import type { UserRecord } from './database-user.ts';
import type { AdminProperties, EntraAdminRecord } from './entra-admin.ts';
import type { ServerIdentityRecord } from './server-identity.ts';

const SERVER_IDENTITY_RECORD: RecordSchema<ServerIdentityRecord> = {
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

const ENTRA_ADMIN_RECORD: RecordSchema<EntraAdminRecord> = {
  server: is.target(),
  serverName: is.text(),
  previous: is.nullable(is.object(PREVIOUS_ADMIN)),
  login: is.planned(),
  sid: is.guid(),
};

const USER_RECORD: RecordSchema<UserRecord> = {
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

/** The MySQL flow's records by step id. */
export const MYSQL_RECORDS: RecordSchemas = {
  'app-identity': APP_IDENTITY_RECORD,
  'server-identity': SERVER_IDENTITY_RECORD,
  'entra-admin': ENTRA_ADMIN_RECORD,
  'firewall-temp': FIREWALL_RECORD,
  'database-user': USER_RECORD,
  'service-connector': LINKER_RECORD,
  'app-settings': SETTINGS_RECORD,
  verify: NO_RECORD,
  'firewall-temp-remove': NO_RECORD,
};
