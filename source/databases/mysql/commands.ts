/** The commands a person pastes to change a MySQL flexible server, built through `commandLine`. */
import { commandLine } from '../../core/command-line.ts';
import { type AdminCaller, OBJECT_ID_PLACEHOLDER } from '../entra.ts';

/** What a command needs of the server. */
type ServerName = { resourceGroup: string; name: string };

/** Creates a user-assigned identity for a MySQL flexible server and attaches it. */
export function mysqlServerIdentityCommands(server: ServerName): string[] {
  const identity = `${server.name}-identity`;
  return [
    commandLine(['az', 'identity', 'create', '-g', server.resourceGroup, '-n', identity]),
    commandLine([
      ...[
        'az',
        'mysql',
        'flexible-server',
        'identity',
        'assign',
        '-g',
        server.resourceGroup,
        '-s',
        server.name,
      ],
      ...['--identity', identity],
    ]),
  ];
}

/** Makes the caller the Entra admin of a MySQL flexible server, through the server identity `identity`. */
export function mysqlEntraAdminCommand(server: ServerName, caller: AdminCaller, identity: string): string {
  return commandLine([
    ...[
      'az',
      'mysql',
      'flexible-server',
      'ad-admin',
      'create',
      '-g',
      server.resourceGroup,
      '-s',
      server.name,
    ],
    ...['-u', caller.name, '-i', caller.objectId ?? OBJECT_ID_PLACEHOLDER, '--identity', identity],
  ]);
}
