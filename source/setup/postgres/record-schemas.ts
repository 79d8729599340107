/**
 * The journal records of the PostgreSQL steps, as `undo` checks them before acting (record-schema.ts):
 * the shape each step writes, and the marks of the run that wrote it. The app's steps (identity,
 * Service Connector, app settings) are the same in every flow, so MySQL and Azure SQL use them too.
 */

import type { GrantItem } from '../../databases/postgres/grants.ts';
import type { JsonObject } from '../../engine/plain-json.ts';
import { type Field, is, type RecordSchema } from '../../engine/record-schema.ts';
import type { UndoRecord } from '../../engine/step.ts';
import type { RecordSchemas } from '../../engine/undoer.ts';
import type { AppIdentityRecord } from '../app/app-identity.ts';
import type { SettingsRecord } from '../app/app-settings.ts';
import type { LinkerRecord } from '../app/service-connector.ts';
import type { SettingsPlace } from '../app/settings-store.ts';
import { FIREWALL_RECORD } from '../firewall-temp.ts';
import type { RoleRecord } from './database-role.ts';
import type { EntraAdminRecord } from './entra-admin.ts';
import type { EntraAuthRecord } from './entra-auth.ts';

const ON_OFF = is.oneOf('Enabled', 'Disabled');

export const APP_IDENTITY_RECORD: RecordSchema<AppIdentityRecord> = {
  app: is.stepResource(),
  api: is.text(),
  appName: is.text(),
  beforeType: is.text(),
  beforeUsers: is.array(is.armId()),
  addedSystem: is.boolean(),
  attachedUami: is.nullable(is.armId()),
  principalId: is.nullable(is.guid()),
};

export const SETTINGS_RECORD: RecordSchema<SettingsRecord> = {
  app: is.stepResource(),
  appName: is.text(),
  added: is.array(is.text()),
  previous: is.strings(),
  written: is.strings(),
  secretNames: is.array(is.text()),
};

/** Where a linker writes the app's settings: the step's own app. */
const SETTINGS_PLACE: RecordSchema<SettingsPlace> = {
  appId: is.stepResource(),
  appName: is.text(),
  kind: is.oneOf('webapp', 'containerapp', 'spring'),
  container: is.nullable(is.string()),
};

// Journals written before the linker recorded where and what it wrote lack the last three.
export const LINKER_RECORD: RecordSchema<LinkerRecord> = {
  linker: is.underStepResource('/providers/Microsoft.ServiceLinker/linkers/'),
  name: is.text(),
  userName: is.text(),
  place: is.optional(is.nullable(is.object(SETTINGS_PLACE))) as Field<SettingsPlace | null>,
  previous: is.optional(is.nullable(is.strings())) as Field<Record<string, string> | null>,
  replaced: is.optional(is.nullable(is.jsonObject())) as Field<JsonObject | null>,
};

/** Steps that change nothing (the check, the removal of the temporary rule): any record. */
export const NO_RECORD: RecordSchema<UndoRecord> = {};

const ENTRA_AUTH_RECORD: RecordSchema<EntraAuthRecord> = {
  server: is.target(),
  serverName: is.text(),
  activeDirectoryAuth: ON_OFF,
  passwordAuth: ON_OFF,
};

const ENTRA_ADMIN_RECORD: RecordSchema<EntraAdminRecord> = {
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
const ROLE_RECORD: RecordSchema<RoleRecord> = {
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
};

/** The PostgreSQL flow's records by step id. */
export const POSTGRES_RECORDS: RecordSchemas = {
  'app-identity': APP_IDENTITY_RECORD,
  'entra-auth': ENTRA_AUTH_RECORD,
  'entra-admin': ENTRA_ADMIN_RECORD,
  'firewall-temp': FIREWALL_RECORD,
  'database-role': ROLE_RECORD,
  'service-connector': LINKER_RECORD,
  'app-settings': SETTINGS_RECORD,
  verify: NO_RECORD,
  'firewall-temp-remove': NO_RECORD,
};
