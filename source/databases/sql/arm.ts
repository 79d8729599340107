/**
 * Azure SQL's ARM operations (see ../arm.ts): the common ones, the server's single Entra admin
 * (`administrators/ActiveDirectory`), its Entra-only authentication and its connection policy.
 */
import type { SqlManagementClient } from '@azure/arm-sql';
import type { ArmResponse } from '../../azure/arm.ts';
import { sdkGet, sdkList, sdkRead } from '../../azure/arm-sdk.ts';
import { canonicalEnum } from '../../azure/enums.ts';
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
  writeServerSdk,
} from '../arm.ts';
import { sqlDescriptor } from './descriptor.ts';

/**
 * @azure/arm-sql 10 (CommonJS: loaded through `commonJs`). Each operation has its own api-version,
 * the ones in the descriptor: servers and databases 2022-08-01-preview, firewall rules, Entra admin
 * and Entra-only authentication 2020-11-01-preview, connection policy 2021-05-01-preview.
 */
const client = kindClient<SqlManagementClient>('sql', async (credential, id, options) => {
  const { SqlManagementClient } = commonJs(await import('@azure/arm-sql'));
  return new SqlManagementClient(credential, id, options);
});
const on = (azure: AzureSession, serverId: string, signal?: AbortSignal) =>
  onServer(client, azure, serverId, signal);
const names = sqlDescriptor.names;
/** The one Entra admin, Entra-only setting and connection policy a server has, by the names ARM gives them. */
const ADMIN = 'ActiveDirectory';
const ENTRA_ONLY = 'Default';
const POLICY = 'default';

/** What an admin write sets (`sid`: an object id, or an application's client id). */
export interface SqlAdminProperties {
  administratorType: 'ActiveDirectory';
  login: string;
  sid: string;
  tenantId?: string;
}

export interface SqlArm extends ServerArm {
  /** The Entra admin (doctor; 404 when there is none). */
  getAdmin(azure: AzureSession, serverId: string, signal?: AbortSignal): Promise<ArmResponse>;
  /** Entra-only authentication (doctor). */
  getEntraOnly(azure: AzureSession, serverId: string, signal?: AbortSignal): Promise<ArmResponse>;
  /** The connection policy: Default, Redirect or Proxy (doctor). */
  getConnectionPolicy(azure: AzureSession, serverId: string, signal?: AbortSignal): Promise<ArmResponse>;
  /** The Entra admin, or undefined when there is none. */
  readAdmin(
    services: Services,
    serverId: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<ArmResource | undefined>;
  readEntraOnly(services: Services, serverId: string, signal?: AbortSignal): Promise<ArmResource | undefined>;
  readConnectionPolicy(
    services: Services,
    serverId: string,
    signal?: AbortSignal,
  ): Promise<ArmResource | undefined>;
  putAdmin(
    services: Services,
    ctx: WriteContext,
    serverId: string,
    properties: SqlAdminProperties,
    what: string,
  ): Promise<void>;
  deleteAdmin(services: Services, ctx: WriteContext, serverId: string, what: string): Promise<void>;
}

export const sqlArm: SqlArm = {
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
  listServers: restServerArm(sqlDescriptor).listServers,
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
    // Not long-running in Microsoft.Sql: the answer is the rule.
    await writeServerSdk(ctx, 'PUT', what, async (o) => {
      const { client, group, server } = await on(services.azure, serverId, ctx.signal);
      const name = checkedName(names.firewallRule, rule);
      return client.firewallRules.createOrUpdate(
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
      return client.firewallRules.delete(group, server, checkedName(names.firewallRule, rule), o);
    });
  },
  getAdmin: (azure, serverId, signal) =>
    sdkGet(
      azure,
      async (o) => {
        const { client, group, server } = await on(azure, serverId, signal);
        return client.serverAzureADAdministrators.get(group, server, ADMIN, o);
      },
      signal,
    ),
  getEntraOnly: (azure, serverId, signal) =>
    sdkGet(
      azure,
      async (o) => {
        const { client, group, server } = await on(azure, serverId, signal);
        return client.serverAzureADOnlyAuthentications.get(group, server, ENTRA_ONLY, o);
      },
      signal,
    ),
  getConnectionPolicy: (azure, serverId, signal) =>
    sdkGet(
      azure,
      async (o) => {
        const { client, group, server } = await on(azure, serverId, signal);
        return client.serverConnectionPolicies.get(group, server, POLICY, o);
      },
      signal,
    ),
  readAdmin: (services, serverId, what, signal) =>
    sdkRead(
      services.azure,
      async (o) => {
        const { client, group, server } = await on(services.azure, serverId, signal);
        return client.serverAzureADAdministrators.get(group, server, ADMIN, o);
      },
      what,
      signal,
    ),
  readEntraOnly: (services, serverId, signal) =>
    sdkRead(
      services.azure,
      async (o) => {
        const { client, group, server } = await on(services.azure, serverId, signal);
        return client.serverAzureADOnlyAuthentications.get(group, server, ENTRA_ONLY, o);
      },
      'reading Entra-only authentication',
      signal,
    ),
  readConnectionPolicy: (services, serverId, signal) =>
    sdkRead(
      services.azure,
      async (o) => {
        const { client, group, server } = await on(services.azure, serverId, signal);
        return client.serverConnectionPolicies.get(group, server, POLICY, o);
      },
      'reading the connection policy',
      signal,
    ),
  async putAdmin(services, ctx, serverId, properties, what) {
    await writeServerSdk(ctx, 'PUT', what, async (o) => {
      const { client, group, server } = await on(services.azure, serverId, ctx.signal);
      return client.serverAzureADAdministrators.beginCreateOrUpdate(group, server, ADMIN, properties, o);
    });
  },
  async deleteAdmin(services, ctx, serverId, what) {
    await writeServerSdk(ctx, 'DELETE', what, async (o) => {
      const { client, group, server } = await on(services.azure, serverId, ctx.signal);
      return client.serverAzureADAdministrators.beginDelete(group, server, ADMIN, o);
    });
  },
};

/** Azure SQL's connection policies, as the spec spells them (Azure answers them in any case). */
const CONNECTION_TYPES = ['Default', 'Proxy', 'Redirect'] as const;

/** The server's connection policy in the spec's spelling, or null when it cannot be read. */
export async function sqlConnectionPolicy(
  azure: AzureSession,
  serverId: string,
  signal?: AbortSignal,
): Promise<string | null> {
  const response = await sqlArm.getConnectionPolicy(azure, serverId, signal);
  const type = (response.body as { properties?: { connectionType?: unknown } } | undefined)?.properties
    ?.connectionType;
  return response.status === 200 && typeof type === 'string' ? canonicalEnum(type, CONNECTION_TYPES) : null;
}
