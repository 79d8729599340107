/**
 * The setup every provider test file shares: one twin per file, started before its tests and closed
 * after them, with a reader (a user who holds only Reader on the subscription) next to Dana, the
 * Owner, so each file can show what a read-only caller may and may not do.
 */
import { after, before } from 'node:test';
import { IDS, startTwin, type Twin, type TwinOptions } from '../index.ts';
import { ARM_SCOPE, type ArmRest, armRest } from './arm-rest.ts';

export interface TwinFixture {
  twin: Twin;
  /** ARM REST calls as Dana, the subscription's Owner. */
  dana: ArmRest;
}

/** Adds the user `objectId` (Rita Reader) with the Reader role on the twin's subscription, nothing more. */
export function addReader(twin: Twin, objectId: string): void {
  twin.context.addPrincipal({
    objectId,
    tenantId: IDS.tenantId,
    kind: 'user',
    displayName: 'Rita Reader',
    userPrincipalName: `rita@${twin.world.tenantDomain}`,
    userType: 'Member',
  });
  twin.world.roleAssignments.push({
    principalId: objectId,
    roleName: 'Reader',
    scope: `/subscriptions/${IDS.subscriptionId}`,
  });
}

/** Adds the signed-in user `objectId` (Nora Norole) with no role anywhere, to show what ARM refuses. */
export function addRoleless(twin: Twin, objectId: string): void {
  twin.context.addPrincipal({
    objectId,
    tenantId: IDS.tenantId,
    kind: 'user',
    displayName: 'Nora Norole',
    userPrincipalName: `nora@${twin.world.tenantDomain}`,
    userType: 'Member',
  });
}

/** Client options that point an Azure SDK management client at the twin's ARM, with the twin's ARM scope. */
export function sdkOptions(twin: Twin): { endpoint: string; credentialScopes: string[] } {
  return { endpoint: twin.baseUrl, credentialScopes: [ARM_SCOPE] };
}

/**
 * Registers this file's hooks: `before` starts a twin, adds the reader `readerId` and hands the twin
 * to `setup` (which seeds and builds clients); `after` closes the twin. Call it at the top level.
 */
export function twinPerFile(
  readerId: string,
  setup: (fixture: TwinFixture) => void | Promise<void>,
  options?: TwinOptions,
): void {
  let twin: Twin | undefined;
  before(async () => {
    twin = await startTwin(options);
    addReader(twin, readerId);
    await setup({ twin, dana: armRest(twin.baseUrl, twin.tokens.credential(IDS.dana)) });
  });
  after(async () => {
    await twin?.close();
  });
}
