/**
 * The Azure SQL Database / SQL Server diagnostics the stand-in sends: number, severity and message
 * text as the engine's error lists give them (Database Engine events and errors 1-999, 4000-4999,
 * 15000-15999, 18000-18999, 31000-41399; Azure SQL "troubleshoot common errors"). States are 1
 * unless Azure is known to use another value.
 */
import type { Diagnostic } from './token-stream.ts';

/** An error that ends one statement (or the login) with an ERROR token. */
export class SqlError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

const d = (number: number, severity: number, message: string, state = 1): SqlError =>
  new SqlError({ number, severity, state, message });

/** Token logins show no user name; Azure prints this placeholder instead. */
const TOKEN_PRINCIPAL = '<token-identified principal>';

export const errors = {
  loginFailed: (suffix = '') => d(18456, 14, `Login failed for user '${TOKEN_PRINCIPAL}'.${suffix}`),
  /** A token login to a server that has no Entra admin, so no Entra authentication configured. */
  loginNoEntraAdmin: () =>
    d(
      18456,
      14,
      `Login failed for user '${TOKEN_PRINCIPAL}'. The server is not currently configured to accept this token.`,
    ),
  sqlLoginEntraOnly: (user: string) =>
    d(
      18456,
      14,
      `Login failed for user '${user}'. Reason: Azure Active Directory only authentication is enabled. Please contact your system administrator.`,
    ),
  sqlLoginFailed: (user: string) => d(18456, 14, `Login failed for user '${user}'.`),
  firewall: (server: string, ip: string) =>
    d(
      40615,
      16,
      `Cannot open server '${server}' requested by the login. Client with IP address '${ip}' is not allowed to access the server.  To enable access, use the SQL Database Portal or run sp_set_firewall_rule on the master database to create a firewall rule for this IP address or address range.  It may take up to five minutes for this change to take effect.`,
    ),
  publicAccessDenied: () =>
    d(
      47073,
      14,
      'Reason: An instance-specific error occurred while establishing a connection to SQL Server. Connection was denied since Deny Public Network Access is set to Yes (https://docs.microsoft.com/azure/azure-sql/database/connectivity-settings#deny-public-network-access). To connect to this server, use the Private Endpoint from inside your virtual network (https://docs.microsoft.com/azure/sql-database/sql-database-private-endpoint-overview#how-to-set-up-private-link-for-azure-sql-database).',
    ),
  unknownServer: (server: string) =>
    d(40532, 11, `Cannot open server "${server}" requested by the login. The login failed.`),
  unknownDatabase: (database: string) =>
    d(4060, 11, `Cannot open database "${database}" requested by the login. The login failed.`),
  syntax: (near: string) => d(102, 15, `Incorrect syntax near '${near}'.`),
  unclosedQuote: (text: string) =>
    d(105, 15, `Unclosed quotation mark after the character string '${text}'.`),
  identifierTooLong: (start: string) =>
    d(
      103,
      15,
      `The identifier that starts with '${start.slice(0, 128)}' is too long. Maximum length is 128.`,
    ),
  emptyIdentifier: () =>
    d(
      1038,
      15,
      'An object or column name is missing or empty. For SELECT INTO statements, verify each column has a column name. In other statements, look for empty alias names. Aliases defined as "" or [] are not allowed. Change the alias to a valid name.',
    ),
  invalidObject: (name: string) => d(208, 16, `Invalid object name '${name}'.`),
  invalidColumn: (name: string) => d(207, 16, `Invalid column name '${name}'.`),
  unknownFunction: (name: string) => d(195, 15, `'${name}' is not a recognized built-in function name.`),
  conversion: () =>
    d(8169, 16, 'Conversion failed when converting from a character string to uniqueidentifier.'),
  switchDatabaseRefused: () =>
    d(
      40508,
      16,
      'USE statement is not supported to switch between databases. Use a new connection to connect to a different database.',
    ),
  principalNotFound: (name: string) =>
    d(33130, 16, `Principal '${name}' could not be found or this principal type is not supported.`),
  duplicateDisplayName: (name: string) =>
    d(
      33131,
      16,
      `Principal '${name}' has a duplicate display name. Make the display name unique in Azure Active Directory and execute this statement again.`,
    ),
  /**
   * An app caller's CREATE USER when the server identity cannot resolve the principal: "Server
   * identity is not configured..." without one (sql-docs authentication-aad-service-principal.md,
   * Troubleshooting), an empty error message when it lacks Graph rights (MicrosoftDocs/sql-docs#4959).
   */
  unresolved: (name: string, reason: string) =>
    d(33134, 16, `Principal '${name}' could not be resolved. Error message: '${reason}'`),
  alreadyExists: (name: string) =>
    d(15023, 16, `User, group, or role '${name}' already exists in the current database.`),
  sidInUse: () => d(15063, 16, 'The login already has an account under a different user name.'),
  noPermission: () => d(15247, 16, 'User does not have permission to perform this action.'),
  cannot: (verb: 'drop' | 'alter' | 'add' | 'find', what: 'user' | 'role' | 'principal', name: string) =>
    d(
      15151,
      16,
      `Cannot ${verb} the ${what} '${name}', because it does not exist or you do not have permission.`,
    ),
  grantorNoPermission: () => d(4613, 16, 'Grantor does not have GRANT permission.'),
} as const;
