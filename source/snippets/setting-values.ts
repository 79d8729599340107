/**
 * What every kind's settings are made of: the names given (or placeholders), a setting with a value,
 * a secret named with where its value comes from, and the identity settings Service Connector adds.
 */
import type { SnippetAuth, SnippetSetting } from './types.ts';

/** The names a snippet is made for, placeholders where none was given. */
export interface ResolvedInputs {
  server: string;
  database: string;
  user: string;
  clientId: string;
  tenantId: string;
}

/** Where the service principal's secret comes from; never its value. */
export const SECRET_REF =
  'the service principal client secret (kept in the app settings or Key Vault; never printed)';

/** A setting with its value. */
export const value = (name: string, text: string): SnippetSetting => ({ name, value: text });
/** A setting whose value is a secret: named, never valued. */
export const secret = (name: string): SnippetSetting => ({ name, secretRef: SECRET_REF });

/**
 * Who writes the settings: Service Connector (a linker; its values as it writes them) or sc-doctor
 * itself (`--no-linker`, and what `snippet` prints). They differ in TLS: Service Connector's
 * connection strings and URLs ask for TLS without checking the certificate (`sslmode=require`, `Ssl
 * Mode=Require`, `sslmode=required`); every one sc-doctor writes checks the certificate and the host
 * name (`VERIFIED_TLS`). The generated code verifies either way.
 */
export type SettingsWriter = 'service-connector' | 'sc-doctor';

/** The client id (and for a service principal its secret and tenant) under `prefix`. */
export function identitySettings(prefix: string, auth: SnippetAuth, names: ResolvedInputs): SnippetSetting[] {
  if (auth === 'system') return [];
  if (auth === 'user') return [value(`${prefix}_CLIENTID`, names.clientId)];
  return [
    value(`${prefix}_CLIENTID`, names.clientId),
    secret(`${prefix}_CLIENTSECRET`),
    value(`${prefix}_TENANTID`, names.tenantId),
  ];
}
