/**
 * What the target pickers list: the database servers of all three types in a subscription, the
 * user databases on one server, and the apps of all three platforms. ARM list calls followed page
 * by page (`armList`; web apps and container apps through their SDK clients, `listWebApps`,
 * `listContainerApps`); no prompting, so each list is testable against the twin on its own.
 */
import { listWebApps } from '../azure/app-service.ts';
import { armError, armList } from '../azure/arm.ts';
import { listContainerApps } from '../azure/container-apps.ts';
import type { AppKind } from '../azure/resource-id.ts';
import type { AzureSession } from '../azure/session.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import { adapterOf } from '../databases/index.ts';
import { DATABASE_KINDS, type DatabaseKind } from '../databases/kind.ts';

/** A database server as a picker row shows it. */
export interface ListedServer {
  kind: DatabaseKind;
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
}

/** An app as a picker row shows it. */
export interface ListedApp {
  kind: AppKind;
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  /** What the platform calls it: `App Service`, `Function App`, `Container App`, `Spring App`. */
  platform: string;
  /** A site's `kind` (`app,linux`, `functionapp`...), shown because one type holds several. */
  siteKind: string | null;
}

/**
 * Api-versions of the app platforms' REST list calls: the newest stable Spring Apps version (web apps
 * and container apps are listed by their SDK clients, `listWebApps` and `listContainerApps`).
 */
export const APP_LIST_API_VERSIONS = {
  spring: '2023-12-01',
} as const;

const SPRING_SERVICE_TYPE = 'Microsoft.AppPlatform/Spring';

/** What a list across several types found, and what it could not list (`MySQL servers: 403 ...`). */
export interface Listing<T> {
  items: T[];
  problems: string[];
}

/** Raised when nothing could be listed; its message is what the picker shows. */
export class ListingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListingError';
  }
}

interface ArmItem {
  id?: unknown;
  name?: unknown;
  location?: unknown;
  kind?: unknown;
}

/**
 * Every PostgreSQL flexible, MySQL flexible and SQL server in the subscription, listed concurrently,
 * sorted by name. A type that cannot be listed (no permission, provider not registered) is named in
 * `problems` while the others are still offered; when none answers the listing fails with every reason.
 */
export async function listServers(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<Listing<ListedServer>> {
  const kinds = DATABASE_KINDS;
  const answers = await Promise.all(
    kinds.map(async (kind) => ({
      kind,
      answer: await adapterOf(kind).arm.listServers(azure, `/subscriptions/${subscriptionId}`, signal),
    })),
  );
  const servers: ListedServer[] = [];
  const problems: string[] = [];
  for (const { kind, answer } of answers) {
    if (!answer.ok) {
      problems.push(`${descriptorOf(kind).engine} servers: ${describe(answer.response)}`);
      continue;
    }
    for (const item of answer.items) {
      const row = rowOf(item as ArmItem);
      if (row) servers.push({ kind, ...row });
    }
  }
  if (problems.length === kinds.length) throw new ListingError(`could not list ${problems.join('; ')}`);
  return { items: servers.sort(byName), problems };
}

/** The user databases of a server (system databases left out), sorted by name. */
export async function listDatabases(
  azure: AzureSession,
  server: Pick<ListedServer, 'kind' | 'id' | 'name'>,
  signal?: AbortSignal,
): Promise<string[]> {
  const answer = await adapterOf(server.kind).arm.listDatabases(azure, server.id, signal);
  if (!answer.ok)
    throw new ListingError(`could not list the databases of ${server.name}: ${describe(answer.response)}`);
  const system = descriptorOf(server.kind).systemDatabases;
  return answer.items
    .map((item) => (item as ArmItem).name)
    .filter((name): name is string => typeof name === 'string' && !system.has(name.toLowerCase()))
    .sort((a, b) => a.localeCompare(b));
}

/**
 * Every web app, container app and Spring app in the subscription, sorted by name. Spring apps live
 * under their service, so the services are listed first and then each one's apps, concurrently.
 * As with servers, a platform that cannot be listed is named in `problems` while another answers.
 */
export async function listApps(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<Listing<ListedApp>> {
  const [sites, containerApps, spring] = await Promise.all([
    listWebApps(azure, subscriptionId, signal),
    listContainerApps(azure, subscriptionId, signal),
    listSpringApps(azure, subscriptionId, signal),
  ]);
  const apps: ListedApp[] = [];
  const problems: string[] = [];
  if (sites.ok) {
    for (const item of sites.items) {
      const row = rowOf(item as ArmItem);
      const siteKind = typeof (item as ArmItem).kind === 'string' ? ((item as ArmItem).kind as string) : null;
      const platform = siteKind?.toLowerCase().includes('functionapp') ? 'Function App' : 'App Service';
      if (row) apps.push({ kind: 'webapp', ...row, platform, siteKind });
    }
  } else problems.push(`web apps: ${describe(sites.response)}`);
  if (containerApps.ok) {
    for (const item of containerApps.items) {
      const row = rowOf(item as ArmItem);
      if (row) apps.push({ kind: 'containerapp', ...row, platform: 'Container App', siteKind: null });
    }
  } else problems.push(`container apps: ${describe(containerApps.response)}`);
  if (spring.ok) apps.push(...spring.apps);
  else problems.push(`Spring apps: ${spring.problem}`);
  if (problems.length === 3) throw new ListingError(`could not list ${problems.join('; ')}`);
  return { items: apps.sort(byName), problems };
}

async function listSpringApps(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<{ ok: true; apps: ListedApp[] } | { ok: false; problem: string }> {
  const services = await armList(
    azure,
    `/subscriptions/${subscriptionId}/providers/${SPRING_SERVICE_TYPE}`,
    APP_LIST_API_VERSIONS.spring,
    signal,
  );
  if (!services.ok) return { ok: false, problem: describe(services.response) };
  const perService = await Promise.all(
    services.items.map(async (service) => {
      const id = (service as ArmItem).id;
      if (typeof id !== 'string') return [];
      const answer = await armList(azure, `${id}/apps`, APP_LIST_API_VERSIONS.spring, signal);
      // One service that cannot be read does not hide the others' apps.
      if (!answer.ok) return [];
      return answer.items.flatMap((item): ListedApp[] => {
        const row = rowOf(item as ArmItem);
        return row ? [{ kind: 'spring', ...row, platform: 'Spring App', siteKind: null }] : [];
      });
    }),
  );
  return { ok: true, apps: perService.flat() };
}

function rowOf(item: ArmItem): Omit<ListedServer, 'kind'> | undefined {
  if (typeof item.id !== 'string' || typeof item.name !== 'string') return undefined;
  const group = /\/resourceGroups\/([^/]+)\//i.exec(item.id)?.[1] ?? '';
  return {
    id: item.id,
    name: item.name,
    resourceGroup: group,
    location: typeof item.location === 'string' ? item.location : '',
  };
}

function describe(response: { status: number; body: unknown }): string {
  const error = armError(response.body);
  return `${response.status}${error ? ` ${error.code}${error.message ? `: ${error.message}` : ''}` : ''}`;
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name.localeCompare(b.name);
}
