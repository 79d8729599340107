/**
 * The Azure SQL setup steps against the twin and its TDS stand-in: the input as the doctor's facts
 * give it (the server described by the product's own adapter), a run through the real
 * engine, and snapshots of the twin's ARM state and SQL catalogue to compare before and after.
 */
import { parseConnectTo } from '../../source/core/connect-to.ts';
import type { Services } from '../../source/core/services.ts';
import type { ServerFacts } from '../../source/databases/facts.ts';
import { adapterOf } from '../../source/databases/index.ts';
import type { Confirm } from '../../source/engine/consent.ts';
import type { Journal } from '../../source/engine/journal.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { runSetup, type SetupResult } from '../../source/engine/run-setup.ts';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import { type SqlSetupInput, sqlSetupSteps, sqlUndoers } from '../../source/setup/sql/index.ts';
import { IDS, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { appFacts, DANA, servicesFor, stateOf, tempJournal } from './postgres-helpers.ts';

export { appFacts, DANA, servicesFor, stateOf, tempJournal };

export function sqlServerFacts(twin: Twin): ServerFacts {
  return {
    ...adapterOf('sql').serverFacts(twin.store.get(RESOURCE_IDS.sql)!),
    database: { name: NAMES.database, exists: true },
  };
}

export function sqlInputFor(twin: Twin, overrides: Partial<SqlSetupInput> = {}): SqlSetupInput {
  const server = sqlServerFacts(twin);
  const { sql } = twin.databaseEndpoints;
  const mapping = parseConnectTo(`${server.fqdn}:1433=${sql!.host}:${sql!.port}`);
  if (!mapping.ok) throw new Error('bad mapping');
  return {
    server,
    database: NAMES.database,
    app: appFacts(twin, 'webapp'),
    auth: { kind: 'system' },
    clientType: 'nodejs',
    connectionName: 'orders_sql',
    linker: true,
    signedIn: { objectId: IDS.dana, user: DANA, type: 'user' },
    connectTo: { entries: mapping.entries, source: '--connect-to' },
    grants: 'least',
    ...overrides,
  };
}

/** Plans and runs the SQL steps; every consent answered by `confirm` (yes by default). */
export async function runSqlSetup(
  twin: Twin,
  input: SqlSetupInput,
  options: { services?: Services; journal?: Journal; confirm?: Confirm; stepTimeoutMs?: number } = {},
): Promise<{ result: SetupResult; journal: Journal; consents: string[] }> {
  const services = options.services ?? servicesFor(twin);
  const journal = options.journal ?? (await tempJournal());
  const consents: string[] = [];
  try {
    const plan = await planSteps(sqlSetupSteps(input, services));
    const result = await runSetup(plan, {
      journal,
      target: input.server.id,
      confirm: async (request) => {
        consents.push(`${request.id}: ${request.reason}`);
        return options.confirm ? options.confirm(request) : true;
      },
      graceMs: 2000,
      ...(options.stepTimeoutMs ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
    });
    return { result, journal, consents };
  } finally {
    services.azure.dispose();
  }
}

/** Undoes a run from its journal alone, as `sc-doctor undo` does in a new process. */
export async function undoSqlRun(twin: Twin, journal: Journal, runId: string) {
  const services = servicesFor(twin);
  try {
    return await undoFromJournal({
      journal,
      runId,
      steps: sqlUndoers(services, sqlInputFor(twin).connectTo),
    });
  } finally {
    services.azure.dispose();
  }
}

/**
 * The SQL catalogue of every database, as the state endpoint shows it. A database's catalogue entry
 * appears empty the first time anyone logs in to it: an empty one is the same as none.
 */
export function catalogueOf(twin: Twin): unknown {
  const servers = twin.state().sql.servers;
  const out: Record<string, unknown> = {};
  for (const [server, { databases }] of Object.entries(servers)) {
    for (const [name, db] of Object.entries(databases)) {
      if (db.users.length === 0 && Object.keys(db.roles).length === 0 && db.permissions.length === 0)
        continue;
      out[`${server}/${name}`] = db;
    }
  }
  return out;
}

/** The database users of sql-orders/orders with their object ids, SIDs and roles. */
export function ordersUsers(twin: Twin) {
  const db = twin.state().sql.servers['sql-orders']?.databases.orders;
  return (db?.users ?? []).map((u) => ({
    name: u.name,
    objectId: u.objectId,
    sid: u.sid,
    roles: Object.entries(db!.roles)
      .filter(([, members]) => members.includes(u.name))
      .map(([role]) => role)
      .sort(),
    permissions: db!.permissions.filter((p) => p.grantee === u.name).map((p) => `${p.state} ${p.permission}`),
  }));
}
