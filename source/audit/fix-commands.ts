/**
 * The commands the audit's findings print, built from argv with `commandLine` (the one quoting
 * function), so pasting a line runs exactly that argv whatever a name holds.
 */

import type { AppKind } from '../azure/resource-id.ts';
import { commandLine } from '../core/command-line.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import { azServerGroup, type ServerName } from '../doctor/remedy-commands.ts';
import type { AppIdentityRow } from './inventory.ts';

/** `sc-doctor setup` for this pair: the passwordless connection, made (or made again) properly. */
export function setupCommand(
  kind: DatabaseKind,
  app: { id: string; subscriptionId: string; identity: AppIdentityRow },
  serverId: string,
  database: string | null,
): string {
  const onlyUser = app.identity.system === null && app.identity.users.length > 0;
  const user = app.identity.users[0];
  const auth =
    onlyUser && user?.clientId
      ? ['--user-identity', `client-id=${user.clientId}`, `subs-id=${app.subscriptionId}`]
      : ['--system-identity'];
  return commandLine([
    'sc-doctor',
    'setup',
    kind,
    '--source-id',
    app.id,
    '--server-id',
    serverId,
    ...(database ? ['--database', database] : []),
    ...auth,
  ]);
}

/** Removes settings (by name) from an app; Spring deployments have no remove command (undefined). */
export function removeSettingsCommand(
  kind: AppKind,
  appId: string,
  names: readonly string[],
): string | undefined {
  if (names.length === 0) return undefined;
  if (kind === 'webapp')
    return commandLine([
      'az',
      'webapp',
      'config',
      'appsettings',
      'delete',
      '--ids',
      appId,
      '--setting-names',
      ...names,
    ]);
  if (kind === 'containerapp')
    return commandLine(['az', 'containerapp', 'update', '--ids', appId, '--remove-env-vars', ...names]);
  return undefined;
}

/** Deletes a Service Connector connection by its id (`az <platform> connection delete --id`). */
export function linkerDeleteCommand(kind: AppKind, linkerId: string): string {
  const platform = kind === 'webapp' ? 'webapp' : kind === 'containerapp' ? 'containerapp' : 'spring';
  return commandLine(['az', platform, 'connection', 'delete', '--id', linkerId, '--yes']);
}

/** Deletes one firewall rule of a server. */
export function firewallRuleDeleteCommand(server: ServerName, rule: string): string {
  const names =
    server.kind === 'sql'
      ? ['--server', server.name, '--name', rule]
      : ['--name', server.name, '--rule-name', rule, '--yes'];
  return commandLine([
    ...azServerGroup(server.kind),
    'firewall-rule',
    'delete',
    '--resource-group',
    server.resourceGroup,
    ...names,
  ]);
}
