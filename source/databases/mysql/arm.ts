/**
 * MySQL flexible server's ARM operations (see ../arm.ts): the common ones, its single Entra admin
 * (`administrators/ActiveDirectory`), its server parameters and the user-assigned identities it reads
 * Microsoft Graph as.
 *
 * @azure/arm-mysql-flexible 3.1.0 (its latest stable release) is at api-version 2021-05-01: it
 * carries the databases, firewall rules and server parameters, which sc-doctor reads and writes
 * through it. It has no Entra administrator operations, and its server has no `identity` (both came
 * with 2021-12-01-preview), so the server and its admin stay REST requests at 2023-12-30
 * (docs/architecture.md, "ARM through the SDK clients, and what stays REST").
 */
import type { MySQLManagementFlexibleServerClient } from '@azure/arm-mysql-flexible';
import { type ArmResponse, armGet } from '../../azure/arm.ts';
import { readArm } from '../../azure/arm-calls.ts';
import { sdkGet, sdkList, sdkRead } from '../../azure/arm-sdk.ts';
import { checkedName } from '../../azure/resource-id.ts';
import type { AzureSession } from '../../azure/session.ts';
import { commonJs } from '../../core/commonjs.ts';
import type { Services } from '../../core/services.ts';
import {
  type ArmResource,
  kindClient,
  onServer,
  restServerArm,
  type ServerArm,
  type WriteContext,
  writeServerArm,
  writeServerSdk,
} from '../arm.ts';
import { mysqlDescriptor } from './descriptor.ts';

/** The package is CommonJS (`main` only): loaded through `commonJs` (docs/architecture.md, "Heavy modules and the bundle"). */
const client = kindClient<MySQLManagementFlexibleServerClient>('mysql', async (credential, id, options) => {
  const { MySQLManagementFlexibleServerClient } = commonJs(await import('@azure/arm-mysql-flexible'));
  return new MySQLManagementFlexibleServerClient(credential, id, options);
});
const on = (azure: AzureSession, serverId: string, signal?: AbortSignal) =>
  onServer(client, azure, serverId, signal);
const names = mysqlDescriptor.names;
const rest = restServerArm(mysqlDescriptor);

const API = mysqlDescriptor.apiVersions;
const adminPath = (serverId: string) => `${serverId}/administrators/ActiveDirectory`;

/** The admin's properties as ARM holds them. */
export interface MysqlAdminProperties {
  administratorType: string;
  login: string;
  sid: string;
  tenantId: string;
  identityResourceId: string;
}

/** The server's `identity` block: its user-assigned identities by ARM id (null detaches one), or none. */
export type MysqlServerIdentityBlock =
  | { type: 'None' }
  | { type: 'UserAssigned'; userAssignedIdentities: Record<string, Record<string, never> | null> };

export interface MysqlArm extends ServerArm {
  /** The Entra admin, as a list of one or none (doctor). */
  getAdmins(azure: AzureSession, serverId: string, signal?: AbortSignal): Promise<ArmResponse>;
  /** A server parameter such as `aad_auth_only` (doctor). */
  getConfiguration(
    azure: AzureSession,
    serverId: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<ArmResponse>;
  /** The Entra admin, or undefined when there is none. */
  readAdmin(
    services: Services,
    serverId: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<ArmResource | undefined>;
  putAdmin(
    services: Services,
    ctx: WriteContext,
    serverId: string,
    properties: MysqlAdminProperties,
    what: string,
  ): Promise<void>;
  deleteAdmin(services: Services, ctx: WriteContext, serverId: string, what: string): Promise<void>;
  /** Replaces the server's identity block. */
  patchIdentity(
    services: Services,
    ctx: WriteContext,
    serverId: string,
    identity: MysqlServerIdentityBlock,
    what: string,
  ): Promise<void>;
}

export const mysqlArm: MysqlArm = {
  getServer: rest.getServer,
  listServers: rest.listServers,
  readServer: rest.readServer,
  getDatabase: (azure, serverId, name, signal) =>
    sdkGet(
      azure,
      async (o) => {
        const { client, group, server } = await on(azure, serverId, signal);
        return client.databases.get(group, server, checkedName(names.database, name), o);
      },
      signal,
    ),
  listDatabases: (azure, serverId, signal) =>
    sdkList(
      azure,
      async (o) => {
        const { client, group, server } = await on(azure, serverId, signal);
        return client.databases.listByServer(group, server, o);
      },
      signal,
    ),
  listFirewallRules: (azure, serverId, signal) =>
    sdkList(
      azure,
      async (o) => {
        const { client, group, server } = await on(azure, serverId, signal);
        return client.firewallRules.listByServer(group, server, o);
      },
      signal,
    ),
  readFirewallRule: (services, serverId, rule, signal) =>
    sdkRead(
      services.azure,
      async (o) => {
        const { client, group, server } = await on(services.azure, serverId, signal);
        return client.firewallRules.get(group, server, checkedName(names.firewallRule, rule), o);
      },
      `reading the rule ${rule}`,
      signal,
    ),
  async putFirewallRule(services, ctx, serverId, rule, ip, what) {
    await writeServerSdk(ctx, 'PUT', what, async (o) => {
      const { client, group, server } = await on(services.azure, serverId, ctx.signal);
      const name = checkedName(names.firewallRule, rule);
      return client.firewallRules.beginCreateOrUpdate(
        group,
        server,
        name,
        { startIpAddress: ip, endIpAddress: ip },
        o,
      );
    });
  },
  async deleteFirewallRule(services, ctx, serverId, rule, what) {
    await writeServerSdk(ctx, 'DELETE', what, async (o) => {
      const { client, group, server } = await on(services.azure, serverId, ctx.signal);
      return client.firewallRules.beginDelete(group, server, checkedName(names.firewallRule, rule), o);
    });
  },
  getAdmins: (azure, serverId, signal) =>
    armGet(azure, `${serverId}/administrators`, API.administrators, signal),
  getConfiguration: (azure, serverId, name, signal) =>
    sdkGet(
      azure,
      async (o) => {
        const { client, group, server } = await on(azure, serverId, signal);
        return client.configurations.get(group, server, name, o);
      },
      signal,
    ),
  readAdmin: (services, serverId, what, signal) =>
    readArm(services, adminPath(serverId), API.administrators, what, signal),
  async putAdmin(services, ctx, serverId, properties, what) {
    await writeServerArm(services, ctx, 'PUT', adminPath(serverId), API.administrators, { properties }, what);
  },
  async deleteAdmin(services, ctx, serverId, what) {
    await writeServerArm(services, ctx, 'DELETE', adminPath(serverId), API.administrators, undefined, what);
  },
  async patchIdentity(services, ctx, serverId, identity, what) {
    await writeServerArm(services, ctx, 'PATCH', serverId, API.server, { identity }, what);
  },
};

/** Where `manualUndo` points `az rest`: the admin resource at its api-version. */
export function mysqlAdminUri(serverId: string): string {
  return `${adminPath(serverId)}?api-version=${API.administrators}`;
}
