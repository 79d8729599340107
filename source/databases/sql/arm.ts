/**
 * Azure SQL's ARM operations (see ../arm.ts): the common ones, the server's single Entra admin
 * (`administrators/ActiveDirectory`), its Entra-only authentication and its connection policy.
 */
import { type ArmResponse, armGet } from '../../azure/arm.ts';
import { readArm } from '../../azure/arm-calls.ts';
import { canonicalEnum } from '../../azure/enums.ts';
import type { AzureSession } from '../../azure/session.ts';
import type { Services } from '../../core/services.ts';
import {
  type ArmResource,
  restServerArm,
  type ServerArm,
  type WriteContext,
  writeServerArm,
} from '../arm.ts';
import { sqlDescriptor } from './descriptor.ts';

const API = sqlDescriptor.apiVersions;
const adminPath = (serverId: string) => `${serverId}/administrators/ActiveDirectory`;
const entraOnlyPath = (serverId: string) => `${serverId}/azureADOnlyAuthentications/Default`;
const policyPath = (serverId: string) => `${serverId}/connectionPolicies/Default`;

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
  ...restServerArm(sqlDescriptor),
  getAdmin: (azure, serverId, signal) => armGet(azure, adminPath(serverId), API.administrators, signal),
  getEntraOnly: (azure, serverId, signal) => armGet(azure, entraOnlyPath(serverId), API.entraOnly!, signal),
  getConnectionPolicy: (azure, serverId, signal) =>
    armGet(azure, policyPath(serverId), API.connectionPolicies!, signal),
  readAdmin: (services, serverId, what, signal) =>
    readArm(services, adminPath(serverId), API.administrators, what, signal),
  readEntraOnly: (services, serverId, signal) =>
    readArm(services, entraOnlyPath(serverId), API.entraOnly!, 'reading Entra-only authentication', signal),
  readConnectionPolicy: (services, serverId, signal) =>
    readArm(services, policyPath(serverId), API.connectionPolicies!, 'reading the connection policy', signal),
  async putAdmin(services, ctx, serverId, properties, what) {
    await writeServerArm(services, ctx, 'PUT', adminPath(serverId), API.administrators, { properties }, what);
  },
  async deleteAdmin(services, ctx, serverId, what) {
    await writeServerArm(services, ctx, 'DELETE', adminPath(serverId), API.administrators, undefined, what);
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
