/**
 * MySQL flexible server's ARM operations (see ../arm.ts): the common ones, its single Entra admin
 * (`administrators/ActiveDirectory`), its server parameters and the user-assigned identities it reads
 * Microsoft Graph as.
 */
import { type ArmResponse, armGet } from '../../azure/arm.ts';
import { readArm } from '../../azure/arm-calls.ts';
import type { AzureSession } from '../../azure/session.ts';
import type { Services } from '../../core/services.ts';
import {
  type ArmResource,
  restServerArm,
  type ServerArm,
  type WriteContext,
  writeServerArm,
} from '../arm.ts';
import { mysqlDescriptor } from './descriptor.ts';

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
  ...restServerArm(mysqlDescriptor),
  getAdmins: (azure, serverId, signal) =>
    armGet(azure, `${serverId}/administrators`, API.administrators, signal),
  getConfiguration: (azure, serverId, name, signal) =>
    armGet(azure, `${serverId}/configurations/${name}`, API.configurations!, signal),
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
