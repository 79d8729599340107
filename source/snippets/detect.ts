/**
 * Which `--client-type` the project in a folder is, from its manifest files. The most specific
 * marker wins: a Django project has a requirements.txt too, and many projects of every kind carry a
 * package.json for their front-end tooling, so package.json is looked at last.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientType } from './types.ts';

export interface DetectedClient {
  clientType: ClientType;
  /** The file that decided it, e.g. `manage.py`. */
  file: string;
}

/**
 * `names`: the entries of the folder. `read`: a file's text (only build files are read, to tell
 * Spring Boot from plain Java).
 */
export function detectClientType(
  names: readonly string[],
  read: (name: string) => string | undefined,
): DetectedClient | undefined {
  const has = (name: string) => names.includes(name);
  if (has('manage.py')) return { clientType: 'django', file: 'manage.py' };
  for (const build of ['pom.xml', 'build.gradle', 'build.gradle.kts']) {
    if (!has(build)) continue;
    const text = read(build) ?? '';
    const spring = /spring-boot|org\.springframework\.boot/.test(text);
    return { clientType: spring ? 'springBoot' : 'java', file: build };
  }
  const csproj = names.find((name) => name.endsWith('.csproj'));
  if (csproj) return { clientType: 'dotnet', file: csproj };
  if (has('go.mod')) return { clientType: 'go', file: 'go.mod' };
  if (has('composer.json')) return { clientType: 'php', file: 'composer.json' };
  if (has('Gemfile')) return { clientType: 'ruby', file: 'Gemfile' };
  for (const python of ['requirements.txt', 'pyproject.toml']) {
    if (has(python)) return { clientType: 'python', file: python };
  }
  if (has('package.json')) return { clientType: 'nodejs', file: 'package.json' };
  return undefined;
}

/** Reads `folder` and detects its client type; undefined when it cannot tell or cannot read it. */
export function detectClientTypeIn(folder: string): DetectedClient | undefined {
  return detectClientType(listFolder(folder), (name) => readText(join(folder, name)));
}

function listFolder(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
