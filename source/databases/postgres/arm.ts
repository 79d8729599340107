/**
 * PostgreSQL flexible server's ARM operations (see ../arm.ts): the common ones, its Entra admins
 * (several per server, each at `administrators/<object id>`) and its authentication settings.
 */
import type { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import type { ArmResponse } from '../../azure/arm.ts';
import { sdkFirstPage, sdkGet, sdkList, sdkRead } from '../../azure/arm-sdk.ts';
import { checkedName } from '../../azure/resource-id.ts';
import type { AzureSession } from '../../azure/session.ts';
import type { Services } from '../../core/services.ts';
import {
  type ArmResource,
  kindClient,
  onServer,
  restServerArm,
  type ServerArm,
  type WriteContext,
  writeServerSdk,
} from '../arm.ts';
import { postgresDescriptor } from './descriptor.ts';

/** @azure/arm-postgresql-flexible 9 (api-version 2025-08-01 for every operation used here). */
const client = kindClient<PostgreSQLManagementFlexibleServerClient>(
  'postgres',
  async (credential, id, options) => {
    const { PostgreSQLManagementFlexibleServerClient } = await import('@azure/arm-postgresql-flexible');
    return new PostgreSQLManagementFlexibleServerClient(credential, id, options);
  },
);
const on = (azure: AzureSession, serverId: string, signal?: AbortSignal) =>
  onServer(client, azure, serverId, signal);
const names = postgresDescriptor.names;

/** An Entra admin entry as PostgreSQL's ARM names it. */
export interface PostgresAdminProperties {
  principalName: string;
  principalType: 'User' | 'Group' | 'ServicePrincipal';
}

export interface PostgresArm extends ServerArm {
  /** The server's Entra admins, one page of them as the doctor reads them. */
  getAdmins(azure: AzureSession, serverId: string, signal?: AbortSignal): Promise<ArmResponse>;
  /** The admin entry of `objectId`, or undefined when there is none. */
  readAdmin(
    services: Services,
    serverId: string,
    objectId: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<ArmResource | undefined>;
  putAdmin(
    services: Services,
    ctx: WriteContext,
    serverId: string,
    objectId: string,
    properties: PostgresAdminProperties,
    what: string,
  ): Promise<void>;
  deleteAdmin(
    services: Services,
    ctx: WriteContext,
    serverId: string,
    objectId: string,
    what: string,
  ): Promise<void>;
  /** Sets `authConfig` (Entra and password authentication); Azure may restart the server for it. */
  patchAuthConfig(
    services: Services,
    ctx: WriteContext,
    serverId: string,
    authConfig: { activeDirectoryAuth: string; passwordAuth: string },
    what: string,
  ): Promise<void>;
}

export const postgresArm: PostgresArm = {
  getServer: (azure, id, signal) =>
    sdkGet(
      azure,
      async (o) => {
        const { client, group, server } = await on(azure, id, signal);
        return client.servers.get(group, server, o);
      },
      signal,
    ),
  // The name lookup asks every kind: REST, so finding one server loads no SDK (see restServerArm).
  listServers: restServerArm(postgresDescriptor).listServers,
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
  readServer: (services, id, what, signal) =>
    sdkRead(
      services.azure,
      async (o) => {
        const { client, group, server } = await on(services.azure, id, signal);
        return client.servers.get(group, server, o);
      },
      what,
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
    sdkFirstPage(
      azure,
      async (o) => {
        const { client, group, server } = await on(azure, serverId, signal);
        return client.administratorsMicrosoftEntra.listByServer(group, server, o);
      },
      signal,
    ),
  readAdmin: (services, serverId, objectId, what, signal) =>
    sdkRead(
      services.azure,
      async (o) => {
        const { client, group, server } = await on(services.azure, serverId, signal);
        return client.administratorsMicrosoftEntra.get(group, server, objectId, o);
      },
      what,
      signal,
    ),
  async putAdmin(services, ctx, serverId, objectId, properties, what) {
    await writeServerSdk(ctx, 'PUT', what, async (o) => {
      const { client, group, server } = await on(services.azure, serverId, ctx.signal);
      return client.administratorsMicrosoftEntra.beginCreateOrUpdate(group, server, objectId, properties, o);
    });
  },
  async deleteAdmin(services, ctx, serverId, objectId, what) {
    await writeServerSdk(ctx, 'DELETE', what, async (o) => {
      const { client, group, server } = await on(services.azure, serverId, ctx.signal);
      return client.administratorsMicrosoftEntra.beginDelete(group, server, objectId, o);
    });
  },
  async patchAuthConfig(services, ctx, serverId, authConfig, what) {
    // Servers_Update: its spec's final-state-via is the status resource, which the SDK's poller knows.
    await writeServerSdk(ctx, 'PATCH', what, async (o) => {
      const { client, group, server } = await on(services.azure, serverId, ctx.signal);
      return client.servers.beginUpdate(group, server, { authConfig }, o);
    });
  },
};
