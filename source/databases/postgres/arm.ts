/**
 * PostgreSQL flexible server's ARM operations (see ../arm.ts): the common ones, its Entra admins
 * (several per server, each at `administrators/<object id>`) and its authentication settings.
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
import { postgresDescriptor } from './descriptor.ts';

const API = postgresDescriptor.apiVersions;
const adminPath = (serverId: string, objectId: string) => `${serverId}/administrators/${objectId}`;

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
  ...restServerArm(postgresDescriptor),
  getAdmins: (azure, serverId, signal) =>
    armGet(azure, `${serverId}/administrators`, API.administrators, signal),
  readAdmin: (services, serverId, objectId, what, signal) =>
    readArm(services, adminPath(serverId, objectId), API.administrators, what, signal),
  async putAdmin(services, ctx, serverId, objectId, properties, what) {
    await writeServerArm(
      services,
      ctx,
      'PUT',
      adminPath(serverId, objectId),
      API.administrators,
      { properties },
      what,
    );
  },
  async deleteAdmin(services, ctx, serverId, objectId, what) {
    await writeServerArm(
      services,
      ctx,
      'DELETE',
      adminPath(serverId, objectId),
      API.administrators,
      undefined,
      what,
    );
  },
  async patchAuthConfig(services, ctx, serverId, authConfig, what) {
    await writeServerArm(services, ctx, 'PATCH', serverId, API.server, { properties: { authConfig } }, what);
  },
};
