/**
 * The doctor's `database-user` check for Azure SQL against the TDS stand-in: it logs in with the
 * signed-in account's SQL token over TLS verified against the server's Azure name and finds the
 * app's user by the client id in its `sid`. It fails before setup and passes after it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAzureSession } from '../../source/azure/session.ts';
import { parseConnectTo } from '../../source/core/connect-to.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import { accessChecks } from '../../source/doctor/access-checks.ts';
import { signinCheck } from '../../source/doctor/signin.ts';
import { subscriptionCheck } from '../../source/doctor/subscription.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { serverStandIn } from '../helpers/server-stand-in.ts';
import { typedTarget } from '../helpers/target.ts';
import { runSqlSetup, sqlInputFor, undoSqlRun } from './sql-helpers.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['sql'] });
});
after(async () => {
  await twin?.close();
});

const text = (o: CheckOutcome) => [o.message, ...o.details, o.remediation?.summary ?? ''].join('\n');

async function databaseUser(serverName = sqlInputFor(twin).server.fqdn): Promise<CheckOutcome> {
  const { sql } = twin.databaseEndpoints;
  const mapping = parseConnectTo(
    [
      `${sqlInputFor(twin).server.fqdn}:1433=${sql!.host}:${sql!.port}`,
      // A name the twin's certificate does not carry, mapped to the same server.
      `sql-orders.database.windows.net:1433=${sql!.host}:${sql!.port}`,
    ].join(','),
  );
  assert.ok(mapping.ok);
  const base = { exec: nodeExec, env: twin.env() as Record<string, string>, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: twin.caPem } });
  try {
    const outcomes = await runChecks(
      [signinCheck, subscriptionCheck, serverStandIn(twin, 'sql', { fqdn: serverName }), ...accessChecks()],
      {
        services: { ...base, azure },
        options: {
          verbose: true,
          checkUser: true,
          connectTo: { entries: mapping.entries, source: 'SC_DOCTOR_CONNECT_TO' },
          target: typedTarget({ app: NAMES.webApp, resourceGroup: NAMES.resourceGroup, target: 'webapp' }),
        },
        bus: new EventBus<RunEvent>(),
      },
    );
    const outcome = outcomes.find((o) => o.id === 'database-user')!;
    assert.ok(!JSON.stringify(outcome).includes(twin.tokens.issue(IDS.dana, 'sql').split('.')[2]!));
    return outcome;
  } finally {
    azure.dispose();
  }
}

test('fails before setup, passes after it (mapped by client id, with the default roles), fails after undo', async () => {
  const before = await databaseUser();
  assert.equal(before.status, 'fail', text(before));
  assert.equal(before.message, "no database user in orders is mapped to orders-api's identity");
  assert.equal(before.remediation?.fixable, true);
  assert.match(text(before), /connected through 127\.0\.0\.1:\d+ \(SC_DOCTOR_CONNECT_TO\)/);

  const { result, journal } = await runSqlSetup(twin, sqlInputFor(twin));
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const appPrincipal = twin.world.principals.find(
    (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
  )!;
  const afterSetup = await databaseUser();
  assert.equal(afterSetup.status, 'pass', text(afterSetup));
  assert.equal(
    afterSetup.message,
    "user orders-api · mapped to the app's identity · db_datareader, db_datawriter, db_ddladmin",
  );
  assert.match(text(afterSetup), new RegExp(`mapped to client id ${appPrincipal.appId}`));

  const undone = await undoSqlRun(twin, journal, result.runId);
  assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
  assert.equal((await databaseUser()).status, 'fail');
});

test("TLS is verified against the server's Azure name, even through a mapped address", async () => {
  const outcome = await databaseUser('sql-orders.database.windows.net');
  assert.equal(outcome.status, 'fail', text(outcome));
  assert.equal(outcome.message, "sql-orders's TLS certificate was not accepted");
  assert.match(text(outcome), /altnames|certificate/i);
});

test('a user without read and write roles fails, naming what it holds', async () => {
  const { result, journal } = await runSqlSetup(twin, sqlInputFor(twin));
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const db = twin.sqlCatalog.servers['sql-orders']!.databases.orders!;
  const saved = structuredClone(db.roles);
  db.roles = Object.fromEntries(
    Object.entries(db.roles).map(([role, members]) => [role, role === 'db_datawriter' ? [] : members]),
  );
  try {
    const outcome = await databaseUser();
    assert.equal(outcome.status, 'fail', text(outcome));
    assert.equal(outcome.message, 'user orders-api may not read and write orders');
    assert.match(text(outcome), /roles and permissions: db_datareader, db_ddladmin/);
  } finally {
    db.roles = saved;
  }
  const undone = await undoSqlRun(twin, journal, result.runId);
  assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
});
