/**
 * Client types Service Connector offers no passwordless Azure SQL connection for: its support table
 * ("Integrate Azure SQL Database with Service Connector") has no system identity, user identity or
 * service principal row for Go, PHP, Django or Ruby, and the RP refuses such a linker. Refused before
 * any change, with what works instead.
 */
import { UsageError } from '../../core/usage-error.ts';
import type { ClientType } from '../../snippets/types.ts';

export const SQL_LINKER_UNSUPPORTED: readonly ClientType[] = ['go', 'php', 'django', 'ruby'];

/** Throws a usage error (exit 2) for a client type Service Connector cannot link to Azure SQL. */
export function assertSqlLinkerClientType(clientType: ClientType): void {
  if (!SQL_LINKER_UNSUPPORTED.includes(clientType)) return;
  throw new UsageError(
    `Service Connector does not connect ${clientType} apps to Azure SQL without a password (its support table has no managed identity or service principal for ${clientType}).`,
    [
      `Add --no-linker: sc-doctor writes the AZURE_SQL_* settings itself and the ${clientType} code reads them.`,
      'Or pick --client-type none for the settings alone, or a client type Service Connector supports (dotnet, java, springBoot, python, nodejs).',
    ],
  );
}
