/** The commands a person pastes to change an Azure SQL server, built through `commandLine`. */
import { commandLine } from '../../core/command-line.ts';
import { type AdminCaller, OBJECT_ID_PLACEHOLDER } from '../entra.ts';

/** What a command needs of the server. */
type ServerName = { resourceGroup: string; name: string };

/** Makes the caller the Entra admin of an Azure SQL server. */
export function sqlEntraAdminCommand(server: ServerName, caller: AdminCaller): string {
  return commandLine([
    ...[
      'az',
      'sql',
      'server',
      'ad-admin',
      'create',
      '-g',
      server.resourceGroup,
      '--server-name',
      server.name,
    ],
    // An application (service principal, managed identity) is named by its client id.
    ...[
      '--display-name',
      caller.name,
      '--object-id',
      (caller.isApp ? caller.appId : caller.objectId) ?? OBJECT_ID_PLACEHOLDER,
    ],
  ]);
}
