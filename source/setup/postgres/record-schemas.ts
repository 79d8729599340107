/**
 * The journal records of the PostgreSQL steps, as `undo` checks them before acting (record-schema.ts):
 * the shape each step writes, and the marks of the run that wrote it.
 */

import type { GrantItem } from '../../databases/postgres/grants.ts';
import { type Field, is, type RecordSchema } from '../../engine/record-schema.ts';
import { HAND_OFF_SCRIPT } from '../hand-off-file.ts';
import type { RoleRecord } from './database-role.ts';
import type { EntraAdminRecord } from './entra-admin.ts';
import type { EntraAuthRecord } from './entra-auth.ts';

const ON_OFF = is.oneOf('Enabled', 'Disabled');

export const ENTRA_AUTH_RECORD: RecordSchema<EntraAuthRecord> = {
  server: is.target(),
  serverName: is.text(),
  activeDirectoryAuth: ON_OFF,
  passwordAuth: ON_OFF,
};

export const ENTRA_ADMIN_RECORD: RecordSchema<EntraAdminRecord> = {
  server: is.target(),
  serverName: is.text(),
  objectId: is.guid(),
  // The admin the plan said it adds: a record naming another admin was not written by this run.
  principalName: is.planned(),
};

const GRANT: RecordSchema<GrantItem> = {
  on: is.oneOf('database', 'schema', 'table', 'sequence', 'default'),
  name: is.string(),
  privileges: is.array(is.text()),
  grantor: is.text(),
};
const GRANTS = is.optional(is.array(is.object(GRANT))) as Field<GrantItem[]>;

// Journals written before grants and hand-offs were recorded lack the last four.
export const ROLE_RECORD: RecordSchema<RoleRecord> = {
  server: is.target(),
  serverName: is.text(),
  fqdn: is.text(),
  port: is.port(),
  signedInUser: is.text(),
  role: is.planned(),
  objectId: is.guid(),
  database: is.text(),
  created: is.boolean(),
  replacedObjectId: is.nullable(is.guid()),
  granted: GRANTS,
  handedOff: GRANTS,
  createdByScript: is.optional(is.boolean()) as Field<boolean>,
  databaseOwner: is.optional(is.nullable(is.text())) as Field<string | null>,
  handOffScript: HAND_OFF_SCRIPT,
};
