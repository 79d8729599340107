/**
 * The interactive target question (`ChooseTarget`): which database server, which database on it, and
 * which app connects to it, asked through the session's `Prompter` in three steps. Esc goes back one
 * step; esc on the first step goes on without a target, so the target checks skip as they do without
 * flags. The answer is the same target options the flags set (`serverId`, `database`, `sourceId`,
 * `target`), so the checks resolve a chosen target exactly as a typed one.
 */
import type { AzureSession } from '../azure/session.ts';
import type { Choice, LoadedChoices, Prompter } from '../core/prompter.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import type { TargetFlags } from './target.ts';
import {
  type ListedApp,
  type ListedServer,
  type Listing,
  listApps,
  listDatabases,
  listServers,
} from './target-listing.ts';
import type { ChooseTarget } from './target-question.ts';

const TOTAL_STEPS = 3;

/** What the database and app steps offer besides the listed ones: go on without choosing one. */
const NONE = null;

/** Asks for server, database and app; resolves undefined when the user backs out of the first step. */
export const chooseTarget: ChooseTarget = async (prompter, services, signal) => {
  const azure = services.azure;
  // Nothing can be listed without a signed-in account and a subscription: the base checks already
  // say why, and the target checks will name the flags.
  const subscriptionId = await signedInSubscription(azure, signal);
  if (subscriptionId === undefined) return undefined;
  return askTarget(prompter, azure, subscriptionId, signal);
};

async function signedInSubscription(azure: AzureSession, signal: AbortSignal): Promise<string | undefined> {
  try {
    const signIn = await azure.signIn(signal);
    if (!signIn.ok) return undefined;
    return (await azure.subscription(signal))?.id;
  } catch {
    // Cancelled (Ctrl-C) while asking: the run is ending, and a question now would only be withdrawn.
    return undefined;
  }
}

/** The three steps as a small state machine, so esc can step back. */
export async function askTarget(
  prompter: Prompter,
  azure: AzureSession,
  subscriptionId: string,
  signal: AbortSignal,
): Promise<TargetFlags | undefined> {
  let server: ListedServer | undefined;
  let database: string | null | undefined;
  for (;;) {
    if (signal.aborted) return undefined;
    if (!server) {
      server = await prompter.pick(serverQuestion(azure, subscriptionId), signal);
      if (!server) return undefined;
      continue;
    }
    if (database === undefined) {
      database = await prompter.pick(databaseQuestion(azure, server), signal);
      if (database === undefined) server = undefined;
      continue;
    }
    const app = await prompter.pick(appQuestion(azure, subscriptionId, server, database), signal);
    if (app === undefined) {
      database = undefined;
      continue;
    }
    return targetOptions(server, database, app);
  }
}

/** The flags' keys for what was chosen (see `FlagSpec.targetKey`). */
export function targetOptions(
  server: Pick<ListedServer, 'id'>,
  database: string | null,
  app: Pick<ListedApp, 'id' | 'kind'> | null,
): TargetFlags {
  return {
    serverId: server.id,
    ...(database !== null ? { database } : {}),
    ...(app !== null ? { sourceId: app.id, target: app.kind } : {}),
  };
}

function serverQuestion(azure: AzureSession, subscriptionId: string) {
  return {
    message: 'Which database server?',
    flag: '--server',
    step: { index: 1, total: TOTAL_STEPS },
    choices: async (signal: AbortSignal) =>
      withNotes(await listServers(azure, subscriptionId, signal), serverChoices, [], {
        empty: `no PostgreSQL flexible, MySQL flexible or Azure SQL server in subscription ${subscriptionId}`,
      }),
  };
}

function databaseQuestion(azure: AzureSession, server: ListedServer) {
  return {
    message: `Which database on ${server.name}?`,
    flag: '--database',
    step: { index: 2, total: TOTAL_STEPS },
    choices: async (signal: AbortSignal): Promise<Choice<string | null>[]> => [
      ...(await listDatabases(azure, server, signal)).map((name) => ({ label: name, value: name })),
      { label: '(none)', hint: `check the server only`, value: NONE },
    ],
  };
}

function appQuestion(
  azure: AzureSession,
  subscriptionId: string,
  server: ListedServer,
  database: string | null,
) {
  const where = database === null ? server.name : `${server.name}/${database}`;
  return {
    message: `What should connect to ${where}?`,
    flag: '--app',
    step: { index: 3, total: TOTAL_STEPS },
    choices: async (signal: AbortSignal) =>
      withNotes<ListedApp, ListedApp | null>(await listApps(azure, subscriptionId, signal), appChoices, [
        { label: '(none)', hint: 'check the database side only', value: NONE },
      ]),
  };
}

/**
 * The rows of a listing, then `extra`, with what could not be listed as notes under them (and
 * `empty` when there was nothing to list, so an empty list says where it looked).
 */
function withNotes<I, V>(
  listing: Listing<I>,
  rows: (items: readonly I[]) => Choice<V>[],
  extra: Choice<V>[],
  { empty }: { empty?: string } = {},
): LoadedChoices<V> {
  const notes = listing.problems.map((problem) => `could not list ${problem}`);
  if (listing.items.length === 0 && notes.length === 0 && empty) notes.push(empty);
  return { choices: [...rows(listing.items), ...extra], notes };
}

/** Rows `PostgreSQL  pg-orders   rg-orders  westeurope`, columns aligned over the whole list. */
function serverChoices(servers: readonly ListedServer[]): Choice<ListedServer>[] {
  const types = servers.map((server) => descriptorOf(server.kind).engine);
  return columns(servers, types).map(({ item, label, hint }) => ({ label, hint, value: item }));
}

/** Rows `App Service  orders-api  rg-orders  westeurope  app,linux`, aligned like the servers. */
function appChoices(apps: readonly ListedApp[]): Choice<ListedApp>[] {
  return columns(
    apps,
    apps.map((app) => app.platform),
    apps.map((app) => app.siteKind ?? ''),
  ).map(({ item, label, hint }) => ({ label, hint, value: item }));
}

/**
 * Label `type  name` and hint `group  location  extra`, each column padded to its widest entry. The
 * type leads so the list reads like the screen sketch; typing filters on every column.
 */
function columns<T extends { name: string; resourceGroup: string; location: string }>(
  items: readonly T[],
  types: readonly string[],
  extras: readonly string[] = [],
): { item: T; label: string; hint: string }[] {
  const width = (values: readonly string[]) => Math.max(0, ...values.map((value) => [...value].length));
  const typeWidth = width(types);
  const groupWidth = width(items.map((item) => item.resourceGroup));
  const locationWidth = width(items.map((item) => item.location));
  return items.map((item, index) => ({
    item,
    label: `${(types[index] ?? '').padEnd(typeWidth)}  ${item.name}`,
    hint: [item.resourceGroup.padEnd(groupWidth), item.location.padEnd(locationWidth), extras[index] ?? '']
      .join('  ')
      .trimEnd(),
  }));
}
