/**
 * The names the twin's databases know an Entra admin by, as Azure does: a B2B guest logs in as its
 * admin entry's `#EXT#` name (not the home account its token names), a member of an admin group as
 * the group's name with its own token (PostgreSQL and MySQL), and MySQL's own rules MariaDB lacks:
 * user names of at most 32 characters, and `aad_auth_validate_oids_in_tenant = ON` taking object ids
 * only (a client id is refused, which is why the Azure CLI turns it OFF).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { GUEST } from '../azure-twin/scenarios-identity.ts';
import { armRest } from '../azure-twin/testing/arm-rest.ts';

const PG_HOST = `${NAMES.postgres}.postgres.twin.test`;
const GROUP = { objectId: '9a0a0000-0000-4000-8000-0000000000c1', displayName: 'Orders Admins' } as const;
const OUTSIDER = '0d1e2f30-4a5b-4c6d-8e7f-da0a000000c2';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'guest-admin', databases: ['postgres', 'mysql'] });
  twin.context.addPrincipal({
    objectId: OUTSIDER,
    tenantId: IDS.tenantId,
    kind: 'user',
    displayName: 'Olli Outsider',
    userPrincipalName: 'olli@contoso.twin.test',
  });
  twin.world.groups = [{ ...GROUP, members: [IDS.dana] }];
});
after(() => twin?.close());

async function pgLogin(user: string, principal: string): Promise<string | undefined> {
  const client = new pg.Client({
    ...twin.databaseEndpoints.postgres!,
    user,
    password: twin.tokens.issue(principal, 'ossrdbms'),
    database: 'postgres',
    ssl: { ca: twin.caPem, servername: PG_HOST },
  });
  try {
    await client.connect();
    const { rows } = await client.query('SELECT session_user AS who');
    return rows[0].who;
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function mysqlConnect(user: string, principal: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    ...twin.databaseEndpoints.mysql!,
    user,
    password: twin.tokens.issue(principal, 'ossrdbms'),
    ssl: { ca: twin.caPem },
    enableCleartextPlugin: true,
  });
}

async function mysqlLogin(user: string, principal: string): Promise<string> {
  try {
    const connection = await mysqlConnect(user, principal);
    const [rows] = (await connection.query('SELECT CURRENT_USER() AS who')) as unknown as [{ who: string }[]];
    await connection.end();
    return rows[0]!.who;
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

describe('a B2B guest admin', () => {
  test("logs in to PostgreSQL and MySQL as its admin entry's #EXT# name, not its token's home account", async () => {
    assert.equal(await pgLogin(GUEST.userPrincipalName, GUEST.objectId), GUEST.userPrincipalName);
    assert.match((await pgLogin(GUEST.signInName, GUEST.objectId)) ?? '', /^refused: /);
    assert.equal(await mysqlLogin(GUEST.userPrincipalName, GUEST.objectId), `${GUEST.userPrincipalName}@%`);
    assert.match(await mysqlLogin(GUEST.signInName, GUEST.objectId), /^refused: Access denied/);
  });
});

describe('a group admin', () => {
  const rest = () => armRest(twin.baseUrl, twin.tokens.credential(GUEST.objectId));

  test("PostgreSQL: a member logs in with the group's name and its own token; an outsider cannot", async () => {
    await rest().lro(
      'PUT',
      `${RESOURCE_IDS.postgres}/administrators/${GROUP.objectId}?api-version=2025-08-01`,
      { properties: { principalName: GROUP.displayName, principalType: 'Group' } },
      'azure-async-operation',
    );
    assert.equal(await pgLogin(GROUP.displayName, IDS.dana), GROUP.displayName);
    assert.match(
      (await pgLogin(GROUP.displayName, OUTSIDER)) ?? '',
      /^refused: password authentication failed/,
    );
    // A group member's own name is no admin.
    assert.match((await pgLogin('dana@contoso.twin.test', IDS.dana)) ?? '', /^refused: /);
  });

  test("MySQL: a member logs in with the group's name and its own token; an outsider cannot", async () => {
    await rest().lro(
      'PUT',
      `${RESOURCE_IDS.mysql}/administrators/ActiveDirectory?api-version=2023-12-30`,
      {
        properties: {
          administratorType: 'ActiveDirectory',
          login: GROUP.displayName,
          sid: GROUP.objectId,
          identityResourceId: RESOURCE_IDS.identity,
        },
      },
      'azure-async-operation',
    );
    assert.equal(await mysqlLogin(GROUP.displayName, IDS.dana), `${GROUP.displayName}@%`);
    assert.match(await mysqlLogin(GROUP.displayName, OUTSIDER), /^refused: Access denied/);
  });
});

describe("MySQL's own rules for CREATE AADUSER", () => {
  const app = () =>
    twin.world.principals.find((p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase())!;

  test('a user name over 32 characters is refused with 1470; 32 fit', async () => {
    const connection = await mysqlConnect(GROUP.displayName, IDS.dana);
    try {
      await connection.query('SET aad_auth_validate_oids_in_tenant = OFF');
      const long = 'a'.repeat(33);
      const refused = await connection.query(`CREATE AADUSER '${long}' IDENTIFIED BY '${app().appId}'`).then(
        () => undefined,
        (error: { errno?: number; message: string }) => error,
      );
      assert.equal(refused?.errno, 1470);
      assert.equal(
        refused?.message,
        `String '${long}' is too long for user name (should be no longer than 32)`,
      );
      await connection.query(`CREATE AADUSER '${'b'.repeat(32)}' IDENTIFIED BY '${app().appId}'`);
      await connection.query(`DROP USER '${'b'.repeat(32)}'@'%'`);
    } finally {
      await connection.end();
    }
  });

  test('with aad_auth_validate_oids_in_tenant ON a client id is refused; an object id is taken; OFF takes the client id', async () => {
    const connection = await mysqlConnect(GROUP.displayName, IDS.dana);
    try {
      const refused = await connection
        .query(`CREATE AADUSER 'aad_by_client_id' IDENTIFIED BY '${app().appId}'`)
        .then(
          () => undefined,
          (error: { errno?: number; message: string }) => error,
        );
      assert.equal(refused?.errno, 1396);
      assert.match(refused!.message, /object id '.+' was not found in the tenant/);
      await connection.query(`CREATE AADUSER 'aad_by_object_id' IDENTIFIED BY '${app().objectId}'`);
      await connection.query('SET aad_auth_validate_oids_in_tenant = OFF');
      await connection.query(`CREATE AADUSER 'aad_by_client_id' IDENTIFIED BY '${app().appId}'`);
      await connection.query("DROP USER 'aad_by_object_id'@'%', 'aad_by_client_id'@'%'");
    } finally {
      await connection.end();
    }
  });
});
