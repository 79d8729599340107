/** `azure-cli`: az is on PATH and recent enough for the passwordless extension. */

import { describeAzFailure } from '../azure/az.ts';
import { detectAzInstall, upgradeAdvice } from '../azure/az-installer.ts';
import { AZ_INSTALL_COMMANDS, AZ_INSTALL_DOCS, AZ_INSTALL_LABELS } from '../azure/signin-error.ts';
import type { CheckResult } from '../core/types.ts';
import type { DoctorCheck } from './check.ts';

/** The oldest az the Azure CLI passwordless extension (serviceconnector-passwordless) accepts. */
export const MIN_AZ_VERSION = '2.48.1';

export const azureCliCheck: DoctorCheck = {
  id: 'azure-cli',
  title: 'Azure CLI',
  async run({ services, options, signal }): Promise<CheckResult> {
    const answer = await services.azure.az.version(signal);
    if (!answer.ok) {
      const { failure } = answer;
      // Inside an app (App Service SSH, a Container Apps console) az is rarely there and not needed.
      if (failure.kind === 'not-found' && options.credential === 'managed-identity') {
        return { status: 'skip', message: 'not needed: signing in with --credential managed-identity' };
      }
      if (failure.kind === 'not-found') {
        return {
          status: 'fail',
          message: 'az not found on PATH',
          details: [
            'sc-doctor signs in through the Azure CLI (or azd, or a service principal in the environment).',
          ],
          remediation: {
            summary: 'Install the Azure CLI, then sign in with `az login`.',
            commands: [...AZ_INSTALL_COMMANDS, 'az login'],
            commandLabels: { ...AZ_INSTALL_LABELS, 'az login': 'then, on any platform' },
            docsUrl: AZ_INSTALL_DOCS,
            fixable: false,
          },
        };
      }
      return {
        status: failure.kind === 'timeout' ? 'timeout' : failure.kind === 'cancelled' ? 'skip' : 'fail',
        message: describeAzFailure(failure),
        details: failure.kind === 'failed' ? failure.stderr.split('\n').filter(Boolean).slice(0, 8) : [],
        remediation: {
          summary: 'Check that `az version` works in this shell.',
          commands: ['command -v az', 'az version'],
          docsUrl: AZ_INSTALL_DOCS,
          fixable: false,
        },
      };
    }
    const version = answer.value.azureCli;
    if (compareVersions(version, MIN_AZ_VERSION) < 0) {
      const install = await detectAzInstall(services.env);
      return {
        status: 'warn',
        message: `${version} · older than ${MIN_AZ_VERSION}`,
        details: [
          `The Azure CLI passwordless extension (serviceconnector-passwordless, behind \`az webapp connection create ... --system-identity\`) needs az ${MIN_AZ_VERSION} or later.`,
          'sc-doctor itself only asks az for tokens and works with this version.',
        ],
        remediation: { ...upgradeAdvice(install, MIN_AZ_VERSION), docsUrl: AZ_INSTALL_DOCS, fixable: false },
        data: { version, installer: install.installer ?? null },
      };
    }
    return { status: 'pass', message: version, data: { version } };
  },
};

/** Numeric comparison of dotted versions (`2.48.1` vs `2.100.0`); pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.+-]/).map((p) => Number.parseInt(p, 10));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const x = Number.isFinite(pa[i]) ? pa[i]! : 0;
    const y = Number.isFinite(pb[i]) ? pb[i]! : 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
