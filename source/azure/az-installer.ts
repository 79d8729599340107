/**
 * How the Azure CLI on PATH was installed, and the upgrade command that works for that installer.
 * Every official launcher names its installer in AZ_INSTALLER (Microsoft's deb and rpm `az` scripts,
 * the Homebrew formula, the MSI's and pip's az.cmd/az.bat, the Docker image's environment): `az
 * upgrade` reads the same variable and refuses where it has none. Read from the launcher file, so
 * no az process is started.
 */
import { open, realpath } from 'node:fs/promises';
import { findOnPath } from './path-lookup.ts';
import { AZ_INSTALL_COMMANDS, AZ_INSTALL_LABELS } from './signin-error.ts';

/** The installers `az upgrade` knows (AZ_INSTALLER values), or `undefined` when none is named. */
export type AzInstaller = 'DEB' | 'RPM' | 'HOMEBREW' | 'MSI' | 'ZIP' | 'PIP' | 'DOCKER' | (string & {});

export interface AzInstall {
  installer: AzInstaller | undefined;
  /** The launcher found on PATH (symlinks resolved), when there is one. */
  launcher: string | undefined;
}

const LAUNCHER_BYTES = 8192;
const MARKER = /AZ_INSTALLER=["']?([A-Za-z]+)/;

/** Reads the installer from the environment (Docker) or from the az launcher on PATH. */
export async function detectAzInstall(env: Readonly<Record<string, string | undefined>>): Promise<AzInstall> {
  const fromEnv = env.AZ_INSTALLER?.trim().toUpperCase();
  let launcher: string | undefined;
  for (const name of ['az', 'az.cmd', 'az.bat']) {
    const found = await findOnPath(name, env);
    if (!found) continue;
    launcher = await realpath(found).catch(() => found);
    break;
  }
  if (fromEnv) return { installer: fromEnv, launcher };
  if (!launcher) return { installer: undefined, launcher };
  const head = await readHead(launcher);
  return { installer: MARKER.exec(head)?.[1]?.toUpperCase(), launcher };
}

async function readHead(file: string): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(LAUNCHER_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, LAUNCHER_BYTES, 0);
      return buffer.subarray(0, bytesRead).toString('latin1');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

export interface UpgradeAdvice {
  summary: string;
  commands: string[];
  commandLabels: Record<string, string>;
}

const DEB = 'sudo apt-get update && sudo apt-get install --only-upgrade azure-cli';
const RPM = 'sudo dnf upgrade azure-cli';
const BREW = 'brew update && brew upgrade azure-cli';
const PIP = 'python3 -m pip install --upgrade azure-cli';
const DOCKER = 'docker pull mcr.microsoft.com/azure-cli';
const REMOVE_DISTRO_PACKAGE = 'sudo apt-get remove azure-cli';

/** The upgrade that works for this installer first; for an unnamed one, Microsoft's packages. */
export function upgradeAdvice(install: AzInstall, minimum: string): UpgradeAdvice {
  const goal = `Upgrade the Azure CLI to ${minimum} or later`;
  switch (install.installer) {
    case 'DEB':
      return {
        summary: `${goal} from Microsoft's apt repository, where this az came from.`,
        commands: [DEB, 'az upgrade'],
        commandLabels: { 'az upgrade': 'or let az do the same' },
      };
    case 'RPM':
      return {
        summary: `${goal} from Microsoft's rpm repository, where this az came from.`,
        commands: [RPM, 'az upgrade'],
        commandLabels: { 'az upgrade': 'or let az do the same' },
      };
    case 'HOMEBREW':
      return {
        summary: `${goal} with Homebrew, which installed this az.`,
        commands: [BREW],
        commandLabels: {},
      };
    case 'MSI':
    case 'ZIP':
      return {
        summary: `${goal}: az upgrade downloads and runs the new Windows installer.`,
        commands: ['az upgrade', 'winget upgrade Microsoft.AzureCLI'],
        commandLabels: { 'winget upgrade Microsoft.AzureCLI': 'or with winget' },
      };
    case 'PIP':
      return {
        summary: `${goal} with pip, in the Python environment this az was installed into (az upgrade cannot).`,
        commands: [PIP],
        commandLabels: {},
      };
    case 'DOCKER':
      return {
        summary: `${goal} by pulling a newer image of the Azure CLI container (az upgrade cannot change an image).`,
        commands: [DOCKER],
        commandLabels: {},
      };
    default:
      return {
        summary: `${goal}. This az (${install.launcher ?? 'az'}) names no installer: a distribution's own package (Debian's azure-cli, which az upgrade cannot upgrade) or a hand-made install. Replace it with Microsoft's.`,
        commands: [REMOVE_DISTRO_PACKAGE, ...AZ_INSTALL_COMMANDS],
        commandLabels: {
          ...AZ_INSTALL_LABELS,
          [REMOVE_DISTRO_PACKAGE]: "Debian / Ubuntu, first remove the distribution's package",
        },
      };
  }
}
