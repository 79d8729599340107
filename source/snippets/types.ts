/**
 * The vocabulary of the connection-code generator: which database, which kind of app (the Azure
 * CLI's `--client-type`), which identity, and what comes back.
 */

import type { DatabaseKind } from '../databases/kind.ts';

/** The Azure CLI's `--client-type` values, spelled as it spells them. */
export const CLIENT_TYPES = [
  'java',
  'springBoot',
  'dotnet',
  'python',
  'django',
  'nodejs',
  'go',
  'php',
  'ruby',
  'none',
] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

/** The exact client type for `value`, matched case-insensitively (`springboot` → `springBoot`). */
export function clientTypeOf(value: string): ClientType | undefined {
  return CLIENT_TYPES.find((type) => type.toLowerCase() === value.toLowerCase());
}

/** system: system-assigned managed identity; user: user-assigned; sp: service principal with a secret. */
export const SNIPPET_AUTHS = ['system', 'user', 'sp'] as const;
export type SnippetAuth = (typeof SNIPPET_AUTHS)[number];

/** Names filled into settings and code; every one defaults to a visible placeholder. */
export interface SnippetInputs {
  /** Fully qualified server name, e.g. `pg-orders.postgres.database.azure.com`. */
  server?: string;
  /** Name of the database on the server. */
  databaseName?: string;
  /** The database user the identity signs in as (PostgreSQL `aad_<connection>`, MySQL, SQL display name). */
  user?: string;
  /** Client id of the user-assigned identity or of the service principal. */
  clientId?: string;
  tenantId?: string;
  /**
   * The cloud's PostgreSQL/MySQL token resource (`CloudEndpoints.ossrdbmsResource`), baked into the
   * code; default the Azure public cloud's `https://ossrdbms-aad.database.windows.net`.
   */
  ossrdbmsResource?: string;
}

export interface SnippetRequest extends SnippetInputs {
  database: DatabaseKind;
  clientType: ClientType;
  auth: SnippetAuth;
  /**
   * Who wrote (or writes) the settings: `service-connector` after a linker, whose Spring Boot URL
   * leaves the certificate unchecked; `sc-doctor` (default) for the settings sc-doctor writes itself.
   */
  settingsWriter?: 'service-connector' | 'sc-doctor';
}

/**
 * One app setting. A secret is never carried: `secretRef` says where its value comes from, and
 * `value` is absent.
 */
export type SnippetSetting = { name: string; value: string } | { name: string; secretRef: string };

export interface SnippetFile {
  /** Relative path the file is saved under with `--out`. */
  path: string;
  /** Language of the content (`javascript`, `python`, `csharp`, `java`, `go`, `php`, `ruby`, `properties`, `xml`, `text`). */
  language: string;
  content: string;
}

export type DependencyManifest =
  | 'package.json'
  | 'requirements.txt'
  | 'pom.xml'
  | '.csproj'
  | 'go.mod'
  | 'Gemfile'
  | 'composer.json';

export interface SnippetDependency {
  manifest: DependencyManifest;
  name: string;
  version: string;
  /** The line (or element) to paste into the manifest. */
  entry: string;
}

/**
 * `supported`: Service Connector supports the combination and the code uses it.
 * `outside-service-connector`: Azure can do it, Service Connector cannot set it up; the app needs
 * the settings listed here written by hand.
 * `unsupported`: no passwordless path exists for this client; the files show the nearest working
 * alternative and say so.
 */
export type SnippetSupport = 'supported' | 'outside-service-connector' | 'unsupported';

export interface Snippet {
  database: DatabaseKind;
  clientType: ClientType;
  auth: SnippetAuth;
  support: SnippetSupport;
  settings: SnippetSetting[];
  files: SnippetFile[];
  dependencies: SnippetDependency[];
  /** What the code expects: TLS, a token per new connection, caveats. */
  notes: string[];
}
