/**
 * What a kind of database is, as data: its ARM type and the api-versions of its operations, its
 * port, its `az` noun, the audience of its tokens, the rules of its names and the settings prefix
 * Service Connector uses. Pure data (no I/O, no heavy imports): the argument parser, the snippets and
 * the doctor's messages read it on paths that must start fast. What a kind does (ARM, Entra admin,
 * login, statements) is its adapter (adapter.ts).
 */
import type { NameRule, ServerType } from '../azure/resource-id.ts';
import type { DatabaseKind } from './kind.ts';

/** The api-version of each ARM operation family of a kind (what its SDK package sends, or newer where it must be). */
export interface ApiVersions {
  server: string;
  databases: string;
  firewallRules: string;
  administrators: string;
  /** MySQL's server parameters (`aad_auth_only`). */
  configurations?: string;
  /** Azure SQL's `azureADOnlyAuthentications`. */
  entraOnly?: string;
  /** Azure SQL's `connectionPolicies`. */
  connectionPolicies?: string;
}

export interface DatabaseDescriptor extends ServerType {
  kind: DatabaseKind;
  /** What people call a server of this kind: `PostgreSQL flexible server`. */
  label: string;
  /** The product, shown next to a version: `PostgreSQL`. */
  engine: string;
  /** e.g. `Microsoft.DBforPostgreSQL/flexibleServers`. */
  armType: string;
  apiVersions: ApiVersions;
  /** The port an app connects to. */
  port: number;
  /** The `az` command group of its servers: `az postgres flexible-server`. */
  az: readonly string[];
  /** How `az` names a server's databases: the command that lists them, and the flag naming the server. */
  azDatabases: { list: readonly string[]; serverFlag: string };
  /** How `az ... firewall-rule create` names the server and the rule. */
  azFirewallRuleNames(server: string, rule: string): string[];
  /** Whose token a login sends: the OSS RDBMS audience (PostgreSQL, MySQL) or Azure SQL's. */
  tokenAudience: 'ossrdbms' | 'sql';
  /** Service Connector's app settings prefix, without the underscore: `AZURE_POSTGRESQL`. */
  settingPrefix: string;
  /**
   * The user settings (`AZURE_SQL_USER`, `_USERNAME`, Spring's datasource username) hold the client
   * id of the identity that connects (Azure SQL), not a database user name.
   */
  userSettingIsClientId?: true;
  /** The DNS suffix of its public servers (`postgres.database.azure.com`), for placeholders. */
  hostSuffix: string;
  /** The Azure CLI's default connection (linker) name starts with this: `postgresflexible_`. */
  linkerPrefix: string;
  /**
   * The TLS mode Service Connector writes into a Spring Boot JDBC URL for this kind when it asks for
   * TLS without checking the certificate (`sslmode=require`); absent when it writes no such URL.
   */
  linkerSpringTls?: string;
  /**
   * The longest database user name the engine takes, and how it counts: PostgreSQL cuts identifiers
   * at 63 bytes (a longer role name would silently become another), MySQL refuses user names over
   * 32 characters (error 1470), SQL Server identifiers over 128 UTF-16 units (error 103).
   */
  userName: { max: number; counts: 'bytes' | 'characters' | 'utf16'; what: string };
  /** Databases every server has that no app connects to. */
  systemDatabases: ReadonlySet<string>;
  names: { server: NameRule; database: NameRule; firewallRule: NameRule };
  /** The narrowest built-in role that lets setup change the server (RBAC check). */
  serverRole: string;
  /** What setup reads of the server beyond the common reads, as RBAC actions under its type (RBAC check). */
  setupReads: readonly { action: string; why: string }[];
}
