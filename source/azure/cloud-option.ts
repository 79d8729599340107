/**
 * `--cloud` with a name that is not one of the three Azure clouds: az decides whether it is a
 * registered custom cloud. A name az does not know is a usage error that lists the ones it does.
 */

import { UsageError } from '../core/usage-error.ts';
import { describeAzFailure } from './az.ts';
import { knownCloud } from './cloud.ts';
import type { AzureSession } from './session.ts';

/** Throws `UsageError` when `--cloud` names a cloud az has not registered; else returns. */
export async function assertCloudRegistered(azure: AzureSession, name: string | undefined): Promise<void> {
  if (name === undefined || knownCloud(name)) return;
  const show = await azure.az.cloudShow(name);
  if (show.ok) return;
  const fix = [
    'Use AzureCloud, AzureChinaCloud or AzureUSGovernment, or register yours with az first:',
    `  az cloud register --name ${name} --endpoint-resource-manager https://<your ARM host>/`,
  ];
  if (show.failure.kind === 'failed' && /not registered|unable to find/i.test(show.failure.stderr)) {
    const list = await azure.az.cloudNames();
    const names = list.ok && list.value.length > 0 ? `; az knows ${list.value.join(', ')}` : '';
    throw new UsageError(`--cloud ${name} is not a cloud registered with az${names}.`, fix);
  }
  // Only az can describe a custom cloud: without its answer there is nothing to sign in to.
  const why =
    show.failure.kind === 'not-found'
      ? 'az is not installed'
      : `az cloud show failed (${describeAzFailure(show.failure)})`;
  throw new UsageError(
    `--cloud ${name} is not one of AzureCloud, AzureChinaCloud, AzureUSGovernment, and ${why} to describe it.`,
    fix,
  );
}
