/** The commands a person pastes to change a PostgreSQL flexible server, built through `commandLine`. */
import { commandLine } from '../../core/command-line.ts';
import { type AdminCaller, OBJECT_ID_PLACEHOLDER } from '../entra.ts';

/** What a command needs of the server. */
type ServerName = { resourceGroup: string; name: string };

/** Turns on Entra authentication on a PostgreSQL flexible server. */
export function postgresEntraAuthCommand(server: ServerName): string {
  return commandLine([
    ...['az', 'postgres', 'flexible-server', 'update', '-g', server.resourceGroup, '-n', server.name],
    ...['--active-directory-auth', 'Enabled'],
  ]);
}

/** Adds the caller as an Entra admin of a PostgreSQL flexible server. */
export function postgresEntraAdminCommand(server: ServerName, caller: AdminCaller): string {
  return commandLine([
    ...[
      'az',
      'postgres',
      'flexible-server',
      'ad-admin',
      'create',
      '-g',
      server.resourceGroup,
      '-s',
      server.name,
    ],
    ...['-u', caller.name, '-i', caller.objectId ?? OBJECT_ID_PLACEHOLDER],
    // An app or managed identity is a service principal to PostgreSQL, never a user.
    ...(caller.isApp ? ['-t', 'ServicePrincipal'] : []),
  ]);
}
