/**
 * The ARM operations every kind of database server has, made by the kind's adapter (`<kind>/arm.ts`):
 * the one seam between sc-doctor and a resource provider. Each kind makes them through its Azure SDK
 * client (@azure/arm-postgresql-flexible, -mysql-flexible, -sql), loaded when that kind is first
 * used, on the session's one ARM pipeline; what a kind's client does not carry at a current
 * api-version stays a REST request at the descriptor's api-version (docs/architecture.md, "ARM
 * through the SDK clients, and what stays REST").
 *
 * Two shapes, as their callers need them: the doctor reads an answer's status (a 403 is a finding),
 * so its reads return the `ArmResponse`; setup's reads return the resource (undefined when it is
 * gone) and throw a refusal naming what was being done, and its writes are followed to their end
 * through the step's context (long-running operations noted in flight, refusals marked as changing
 * nothing).
 */
import { type ArmListResponse, type ArmResponse, armGet, armList } from '../azure/arm.ts';
import { readArm } from '../azure/arm-calls.ts';
import { armIdParts, type SdkClientMaker, sdkClient } from '../azure/arm-sdk.ts';
import type { writeSdk } from '../azure/arm-sdk-write.ts';
import type { writeArm } from '../azure/arm-write.ts';
import { armIds } from '../azure/resource-id.ts';
import type { AzureSession } from '../azure/session.ts';
import type { Services } from '../core/services.ts';
import type { StepContext, UndoContext } from '../engine/step.ts';
import type { DatabaseDescriptor } from './descriptor.ts';

/** What a write is followed with: the step's (or undo's) signal, progress and writes in flight. */
export type WriteContext = StepContext | UndoContext;

/** A resource as ARM returned it. */
export type ArmResource = Record<string, unknown>;

export interface ServerArm {
  /** The server (doctor). */
  getServer(azure: AzureSession, id: string, signal?: AbortSignal): Promise<ArmResponse>;
  /** Every server of this kind under `scope`, a subscription or resource group id (doctor, pickers). */
  listServers(azure: AzureSession, scope: string, signal?: AbortSignal): Promise<ArmListResponse>;
  /** One database of a server (doctor); the name is held to the kind's rule first. */
  getDatabase(
    azure: AzureSession,
    serverId: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<ArmResponse>;
  /** The databases of a server (pickers). */
  listDatabases(azure: AzureSession, serverId: string, signal?: AbortSignal): Promise<ArmListResponse>;
  /** The firewall rules of a server (doctor, plan). */
  listFirewallRules(azure: AzureSession, serverId: string, signal?: AbortSignal): Promise<ArmListResponse>;
  /** The server, or undefined when it is gone (setup). */
  readServer(
    services: Services,
    id: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<ArmResource | undefined>;
  /** A firewall rule, or undefined when there is none (setup). */
  readFirewallRule(
    services: Services,
    serverId: string,
    rule: string,
    signal?: AbortSignal,
  ): Promise<ArmResource | undefined>;
  /** Adds or replaces the rule `rule` for exactly `ip` (setup; followed to its end). */
  putFirewallRule(
    services: Services,
    ctx: WriteContext,
    serverId: string,
    rule: string,
    ip: string,
    what: string,
  ): Promise<void>;
  /** Removes the rule `rule` (setup; followed to its end). */
  deleteFirewallRule(
    services: Services,
    ctx: WriteContext,
    serverId: string,
    rule: string,
    what: string,
  ): Promise<void>;
}

/**
 * An ARM write followed to its end (`writeArm`), with what that takes (arm-write.ts and the
 * long-running-operation poller) loaded on the first write: the doctor only reads through the arms.
 */
export async function writeServerArm(...args: Parameters<typeof writeArm>): Promise<unknown> {
  const write = await import('../azure/arm-write.ts');
  return write.writeArm(...args);
}

/**
 * An SDK write followed to its end (`writeSdk`: in flight noted, refusals marked, polls shown), with
 * what that takes loaded on the first write.
 */
export async function writeServerSdk(...args: Parameters<typeof writeSdk>): Promise<unknown> {
  const write = await import('../azure/arm-sdk-write.ts');
  return write.writeSdk(...args);
}

/** A kind's SDK client, made once per session and subscription, its package imported on first use. */
export function kindClient<C>(name: string, make: SdkClientMaker<C>) {
  return (azure: AzureSession, subscriptionId: string, signal?: AbortSignal): Promise<C> =>
    sdkClient(azure, name, subscriptionId, make, signal);
}

/** The kind's client for the server `serverId`, with the names its operations take. */
export async function onServer<C>(
  client: (azure: AzureSession, subscriptionId: string, signal?: AbortSignal) => Promise<C>,
  azure: AzureSession,
  serverId: string,
  signal?: AbortSignal,
): Promise<{ client: C; group: string; server: string }> {
  const { subscriptionId, resourceGroup, name } = armIdParts(serverId);
  return { client: await client(azure, subscriptionId, signal), group: resourceGroup, server: name };
}

/** The common operations of `kind` as REST requests at its descriptor's api-versions. */
export function restServerArm(kind: DatabaseDescriptor): ServerArm {
  const versions = kind.apiVersions;
  const rulePath = (serverId: string, rule: string) => armIds.firewallRule(serverId, kind, rule);
  return {
    getServer: (azure, id, signal) => armGet(azure, id, versions.server, signal),
    listServers: (azure, scope, signal) =>
      armList(azure, `${scope}/providers/${kind.armType}`, versions.server, signal),
    getDatabase: (azure, serverId, name, signal) =>
      armGet(azure, armIds.database(serverId, kind, name), versions.databases, signal),
    listDatabases: (azure, serverId, signal) =>
      armList(azure, `${serverId}/databases`, versions.databases, signal),
    listFirewallRules: (azure, serverId, signal) =>
      armList(azure, `${serverId}/firewallRules`, versions.firewallRules, signal),
    readServer: (services, id, what, signal) => readArm(services, id, versions.server, what, signal),
    readFirewallRule: (services, serverId, rule, signal) =>
      readArm(services, rulePath(serverId, rule), versions.firewallRules, `reading the rule ${rule}`, signal),
    async putFirewallRule(services, ctx, serverId, rule, ip, what) {
      await writeServerArm(
        services,
        ctx,
        'PUT',
        rulePath(serverId, rule),
        versions.firewallRules,
        { properties: { startIpAddress: ip, endIpAddress: ip } },
        what,
      );
    },
    async deleteFirewallRule(services, ctx, serverId, rule, what) {
      await writeServerArm(
        services,
        ctx,
        'DELETE',
        rulePath(serverId, rule),
        versions.firewallRules,
        undefined,
        what,
      );
    },
  };
}
