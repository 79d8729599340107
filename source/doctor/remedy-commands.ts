/**
 * The commands the doctor's remedies print for a person to paste, built here from argv through
 * `commandLine` so that a name with quotes, `$()`, parentheses or spaces (a resource group, a database,
 * a display name) reaches the program as exactly one word. Placeholders such as `<your-public-ip>` are
 * words too: quoted, a pasted line passes them as text instead of redirecting from a file.
 */
import { commandLine } from '../core/command-line.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { AppRef } from './target.ts';

/** What the server commands need of a server. */
export interface ServerName {
  kind: DatabaseKind;
  resourceGroup: string;
  name: string;
}

/** The az command group of a server kind: `postgres flexible-server`, `mysql flexible-server`, `sql server`. */
export function azServerGroup(kind: DatabaseKind): string[] {
  return [...descriptorOf(kind).az];
}

/** A firewall rule admitting `ip` (a placeholder when this machine's address is unknown). */
export function firewallRuleCreateCommand(server: ServerName, ip: string | null): string {
  const rule = ip ? `sc-doctor-${ip.replaceAll('.', '-')}` : 'sc-doctor-this-machine';
  const address = ip ?? '<your-public-ip>';
  const range = ['--start-ip-address', address, '--end-ip-address', address];
  const group = ['--resource-group', server.resourceGroup];
  const names = descriptorOf(server.kind).azFirewallRuleNames(server.name, rule);
  return commandLine([
    ...azServerGroup(server.kind),
    'firewall-rule',
    'create',
    ...group,
    ...names,
    ...range,
  ]);
}

/** Starts a stopped server. */
export function serverStartCommand(server: ServerName): string {
  return commandLine([
    ...azServerGroup(server.kind),
    'start',
    '--resource-group',
    server.resourceGroup,
    '--name',
    server.name,
  ]);
}

/** Shows a server's state. */
export function serverStateCommand(server: ServerName): string {
  return commandLine([
    ...azServerGroup(server.kind),
    'show',
    '--resource-group',
    server.resourceGroup,
    '--name',
    server.name,
    '--query',
    'state',
  ]);
}

/** Lists a server's databases. */
export function databaseListCommand(server: ServerName): string {
  const { list, serverFlag } = descriptorOf(server.kind).azDatabases;
  return commandLine([
    ...list,
    '--resource-group',
    server.resourceGroup,
    serverFlag,
    server.name,
    '-o',
    'table',
  ]);
}

/** `az <platform> <verb...> -g <group> [-s <service>] <tail...>` for an app's platform. */
function appCommand(target: AppRef, verb: string[], tail: string[]): string {
  const group = ['-g', target.resourceGroup];
  const head =
    target.kind === 'spring'
      ? ['az', 'spring', 'app', ...verb, ...group, '-s', target.service ?? '']
      : ['az', target.kind, ...verb, ...group];
  return commandLine([...head, ...tail]);
}

/** Lists the apps of the app's kind in its group (or Spring service). */
export function appListCommand(target: AppRef): string {
  return appCommand(target, ['list'], ['--query', '[].name', '-o', 'tsv']);
}

/** Turns on the app's system-assigned identity. */
export function appIdentityAssignCommand(target: AppRef): string {
  const system = target.kind === 'webapp' ? [] : ['--system-assigned'];
  return appCommand(target, ['identity', 'assign'], ['-n', target.name, ...system]);
}

/** Grants `role` on `scope` to `assignee` (an object id, or a placeholder). */
export function roleAssignmentCommand(assignee: string, role: string, scope: string): string {
  return commandLine([
    'az',
    'role',
    'assignment',
    'create',
    '--assignee',
    assignee,
    '--role',
    role,
    '--scope',
    scope,
  ]);
}

/** Approves a Pending private endpoint connection. */
export function privateEndpointApproveCommand(connectionId: string): string {
  return commandLine([
    ...['az', 'network', 'private-endpoint-connection', 'approve'],
    ...['--id', connectionId, '--description', 'Approved'],
  ]);
}

/** Deletes a private endpoint (a Rejected connection cannot be approved again). */
export function privateEndpointDeleteCommand(endpointId: string): string {
  return commandLine(['az', 'network', 'private-endpoint', 'delete', '--ids', endpointId]);
}

/** Where a server is reached through a tunnel: its address and the local port. */
export interface Tunnel {
  fqdn: string;
  port: number;
  localPort: number;
}

/** An SSH tunnel to the server through a jump box the person names. */
export function sshTunnelCommand(tunnel: Tunnel): string {
  return commandLine([
    'ssh',
    '-N',
    '-L',
    `${tunnel.localPort}:${tunnel.fqdn}:${tunnel.port}`,
    '<user>@<jump-box>',
  ]);
}

/** The doctor again for the server `serverId`, through the tunnel when one is given. */
export function doctorServerCommand(serverId: string, tunnel?: Tunnel): string {
  const via = tunnel ? ['--connect-to', `${tunnel.fqdn}:${tunnel.port}=127.0.0.1:${tunnel.localPort}`] : [];
  return commandLine(['sc-doctor', 'doctor', '--server-id', serverId, ...via]);
}

/** Looks a host name up in DNS. */
export function nslookupCommand(host: string): string {
  return commandLine(['nslookup', host]);
}

/** Registers a resource provider in the subscription. */
export function providerRegisterCommand(namespace: string): string {
  return commandLine(['az', 'provider', 'register', '--namespace', namespace]);
}

/** Signs in to `tenant` again. */
export function loginTenantCommand(tenant: string): string {
  return commandLine(['az', 'login', '--tenant', tenant]);
}
