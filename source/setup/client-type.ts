/**
 * The client types of the Azure CLI's passwordless extension (`--client-type`): which language and
 * framework the app connects from. The connection code and app settings depend on it.
 */
import { readdir } from 'node:fs/promises';

export const CLIENT_TYPES = [
  'java',
  'springBoot',
  'dotnet',
  'python',
  'django',
  'nodejs',
  'go',
  'php',
  'ruby',
  'none',
] as const;

export type ClientType = (typeof CLIENT_TYPES)[number];

/** The exact client type for `value`, matched case-insensitively (`springboot` → `springBoot`). */
export function clientTypeOf(value: string): ClientType | undefined {
  return CLIENT_TYPES.find((type) => type.toLowerCase() === value.toLowerCase());
}

/**
 * Project files that name a client type, most specific first: a Django project also has Python
 * files, a Spring Boot project also has a pom.xml.
 */
const MARKERS: readonly { type: ClientType; matches: (names: ReadonlySet<string>) => boolean }[] = [
  { type: 'django', matches: (names) => names.has('manage.py') },
  {
    type: 'springBoot',
    matches: (names) => names.has('mvnw') || names.has('gradlew') || names.has('build.gradle.kts'),
  },
  { type: 'java', matches: (names) => names.has('pom.xml') || names.has('build.gradle') },
  {
    type: 'dotnet',
    matches: (names) => [...names].some((name) => /\.(csproj|fsproj|sln)$/i.test(name)),
  },
  {
    type: 'python',
    matches: (names) => names.has('requirements.txt') || names.has('pyproject.toml') || names.has('Pipfile'),
  },
  { type: 'nodejs', matches: (names) => names.has('package.json') },
  { type: 'go', matches: (names) => names.has('go.mod') },
  { type: 'php', matches: (names) => names.has('composer.json') },
  { type: 'ruby', matches: (names) => names.has('Gemfile') },
];

/** The client type the file names of a project folder suggest, or undefined when none does. */
export function clientTypeFromFiles(names: readonly string[]): ClientType | undefined {
  const set = new Set(names);
  return MARKERS.find((marker) => marker.matches(set))?.type;
}

/** Reads `dir` (the current folder) and guesses its client type; undefined when it cannot tell. */
export async function detectClientType(dir: string): Promise<ClientType | undefined> {
  try {
    return clientTypeFromFiles(await readdir(dir));
  } catch {
    return undefined;
  }
}
