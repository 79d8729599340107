/**
 * The databases as the twin wires them (startTwin({ databases: true })): tokens the twin itself
 * issues for the ossrdbms audience open the real PostgreSQL and the MySQL proxy, over the twin's CA.
 * The databases follow ARM, so the twin runs the `healthy` scenario (servers Ready, Entra on, the
 * firewall open for 127.0.0.1, the MySQL identity and admin in place).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ArmResource, Principal } from '../azure-twin/api.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';

let twin: Twin;
let user: Principal;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  const signedIn = twin.world.principals.find((p) => p.objectId === twin.world.signedInAs);
  assert.ok(signedIn?.userPrincipalName, 'the default scenario signs in a user');
  user = signedIn;
});

after(async () => {
  await twin?.close();
});

function server(type: string, name: string): ArmResource {
  return { id: `/subscriptions/s/resourceGroups/rg/providers/${type}/${name}`, name, type };
}

test('the twin-issued ossrdbms token of the Entra admin opens PostgreSQL', async () => {
  const pgServer = server('Microsoft.DBforPostgreSQL/flexibleServers', 'orders-pg');
  await twin.context.databases.postgresAdminAdded!(pgServer, {
    objectId: user.objectId,
    principalName: user.userPrincipalName!,
    principalType: 'User',
  });
  const client = new pg.Client({
    ...twin.databaseEndpoints.postgres!,
    user: user.userPrincipalName!,
    password: twin.tokens.issue(user.objectId, 'ossrdbms'),
    database: 'postgres',
    ssl: { ca: twin.caPem },
  });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT current_user AS who');
    assert.deepEqual(rows, [{ who: user.userPrincipalName }]);
  } finally {
    await client.end();
  }
});

test('the twin-issued ossrdbms token of the Entra admin opens MySQL through the proxy', async () => {
  const mysqlServer = server('Microsoft.DBforMySQL/flexibleServers', 'orders-mysql');
  await twin.context.databases.mysqlAdminSet!(mysqlServer, {
    login: user.userPrincipalName!,
    sid: user.objectId,
  });
  const connection = await mysql.createConnection({
    ...twin.databaseEndpoints.mysql!,
    user: user.userPrincipalName!,
    password: twin.tokens.issue(user.objectId, 'ossrdbms'),
    ssl: { ca: twin.caPem },
    enableCleartextPlugin: true,
  });
  try {
    const [rows] = await connection.query('SELECT 1 AS one');
    assert.deepEqual(rows, [{ one: 1 }]);
  } finally {
    await connection.end();
  }
});
