/**
 * The journal records of the app's steps (identity, Service Connector, app settings), the same in
 * every flow, as `undo` checks them before acting (engine/record-schema.ts): the shape each step
 * writes, and the marks of the run that wrote it.
 */
import type { JsonObject } from '../../engine/plain-json.ts';
import { type Field, is, type RecordSchema } from '../../engine/record-schema.ts';
import type { AppIdentityRecord } from './app-identity.ts';
import type { SettingsRecord } from './app-settings.ts';
import type { LinkerRecord } from './service-connector.ts';
import type { SettingsPlace } from './settings-store.ts';

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
