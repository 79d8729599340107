/**
 * Who signs in and how Azure knows them, in the twin (issue 13): Graph for an app caller
 * (`servicePrincipals/{id}/transitiveMemberOf`, no `/me`), Entra replication of a new identity,
 * the identity `type` strings each RP takes and ARM's check of user-assigned identity keys, a MySQL
 * admin PUT naming nobody, Azure SQL's rule for an app creating Entra users (the server identity and
 * its Graph rights) and a new SQL firewall rule that applies only after a while.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Principal } from './api.ts';
import { IDS, startTwin, type Twin } from './index.ts';
import { GRAPH_APP_ROLES } from './providers/graph.ts';
import { NAMES, RESOURCE_IDS } from './scenarios.ts';
import { DEPLOYER, grantGraphRead } from './scenarios-identity.ts';
import { type ArmRest, armRest } from './testing/arm-rest.ts';
import { type SqlLogin, sqlLogin } from './testing/tedious-client.ts';

let twin: Twin;
let rest: ArmRest;

before(async () => {
  twin = await startTwin({ scenario: 'sp-operator', databases: ['sql'] });
  rest = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
});
after(() => twin.close());

/** A Graph GET as `principal`. */
async function graph(principal: string, path: string): Promise<{ status: number; body: any }> {
  const answer = await fetch(`${twin.graphUrl}/v1.0/${path}`, {
    headers: { authorization: `Bearer ${twin.tokens.issue(principal, 'graph')}` },
  });
  return { status: answer.status, body: await answer.json() };
}

describe('Graph for a service principal or managed identity', () => {
  test("an app token has no /me (Graph's 400); its groups are at servicePrincipals/{id}/transitiveMemberOf", async () => {
    twin.world.groups = [
      {
        objectId: '9a0a0000-0000-4000-8000-0000000000b1',
        displayName: 'deployers',
        members: [DEPLOYER.objectId],
      },
    ];
    const me = await graph(DEPLOYER.objectId, 'me/transitiveMemberOf');
    assert.equal(me.status, 400);
    assert.equal(me.body.error.code, 'BadRequest');
    assert.match(me.body.error.message, /only valid with delegated authentication flow/);
    // A service principal is not a user: users/{id} is Graph's 404.
    const asUser = await graph(DEPLOYER.objectId, `users/${DEPLOYER.objectId}/transitiveMemberOf`);
    assert.equal(asUser.status, 404);
    assert.equal(asUser.body.error.code, 'Request_ResourceNotFound');
    const groups = await graph(
      DEPLOYER.objectId,
      `servicePrincipals/${DEPLOYER.objectId}/transitiveMemberOf`,
    );
    assert.equal(groups.status, 200);
    assert.deepEqual(
      groups.body.value.map((g: { displayName: string }) => g.displayName),
      ['deployers'],
    );
  });

  test('a system identity switched on while replication lags is unknown to Graph until it has replicated', async () => {
    twin.world.entraReplicationLagMs = 60_000;
    try {
      const app = await rest.send('GET', `${RESOURCE_IDS.containerApp}?api-version=2025-01-01`);
      assert.equal(app.status, 200);
      await rest.lro(
        'PATCH',
        `${RESOURCE_IDS.containerApp}?api-version=2025-01-01`,
        { identity: { type: 'None' } },
        'azure-async-operation',
      );
      await rest.lro(
        'PATCH',
        `${RESOURCE_IDS.containerApp}?api-version=2025-01-01`,
        { identity: { type: 'SystemAssigned' } },
        'azure-async-operation',
      );
      const after = await rest.send('GET', `${RESOURCE_IDS.containerApp}?api-version=2025-01-01`);
      const principalId = after.body.identity.principalId as string;
      // ARM knows it at once; Entra's directory does not yet.
      const early = await graph(IDS.dana, `servicePrincipals/${principalId}`);
      assert.equal(early.status, 404);
      assert.equal(early.body.error.code, 'Request_ResourceNotFound');
      const filtered = await graph(
        IDS.dana,
        `servicePrincipals?$filter=displayName eq '${NAMES.containerApp}'`,
      );
      assert.ok(!filtered.body.value.some((p: { id: string }) => p.id === principalId));
      twin.clock.advance(61);
      const late = await graph(IDS.dana, `servicePrincipals/${principalId}`);
      assert.equal(late.status, 200);
      assert.equal(late.body.id, principalId);
    } finally {
      twin.world.entraReplicationLagMs = 0;
    }
  });
});

describe('identity blocks as each RP takes them', () => {
  const uami = RESOURCE_IDS.identity;
  const patch = (path: string, version: string, identity: unknown) =>
    rest.send('PATCH', `${path}?api-version=${version}`, { identity });

  test("identity type strings are each RP's own: 'SystemAssigned, UserAssigned' for Web, no space elsewhere", async () => {
    const users = { [uami]: {} };
    const web = await patch(RESOURCE_IDS.webApp, '2025-05-01', {
      type: 'SystemAssigned,UserAssigned',
      userAssignedIdentities: users,
    });
    assert.equal(web.status, 400, JSON.stringify(web.body));
    assert.equal(web.body.error.code, 'FailedIdentityOperation');
    assert.match(
      web.body.error.message,
      /identity type 'SystemAssigned,UserAssigned' is not supported\. Supported types are 'None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned'/,
    );
    const containerApp = await patch(RESOURCE_IDS.containerApp, '2025-01-01', {
      type: 'SystemAssigned, UserAssigned',
      userAssignedIdentities: users,
    });
    assert.equal(containerApp.status, 400, JSON.stringify(containerApp.body));
    assert.match(
      containerApp.body.error.message,
      /Supported types are 'None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned,UserAssigned'/,
    );
    // Each RP's own spelling is taken, in any case.
    const webOk = await patch(RESOURCE_IDS.webApp, '2025-05-01', {
      type: 'systemassigned, userassigned',
      userAssignedIdentities: users,
    });
    assert.equal(webOk.status, 200, JSON.stringify(webOk.body));
    const mysql = await rest.send('PATCH', `${RESOURCE_IDS.mysql}?api-version=2023-12-30`, {
      identity: { type: 'SystemAssigned', userAssignedIdentities: users },
    });
    assert.equal(mysql.status, 400);
    assert.equal(
      mysql.body.error.message,
      'Invalid value given for parameter identity.type. Specify a valid parameter value.',
    );
  });

  test('a user-assigned identity key that is not an ARM id is 400 LinkedInvalidPropertyId', async () => {
    for (const key of ['id-orders', '70792f8c-c632-4cb3-9ac8-c280cabd35f1']) {
      for (const [path, version, type] of [
        [RESOURCE_IDS.webApp, '2025-05-01', 'UserAssigned'],
        [RESOURCE_IDS.containerApp, '2025-01-01', 'UserAssigned'],
        [RESOURCE_IDS.mysql, '2023-12-30', 'UserAssigned'],
      ] as const) {
        const answer = await patch(path, version, { type, userAssignedIdentities: { [key]: {} } });
        assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
        assert.deepEqual(answer.body.error, {
          code: 'LinkedInvalidPropertyId',
          message: `Property id '${key}' at path '' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`,
        });
      }
    }
  });
});

describe("Azure SQL: an app's CREATE USER ... FROM EXTERNAL PROVIDER goes through the server identity", () => {
  type Session = Extract<SqlLogin, { ok: true }>;
  const server = () => twin.store.get(RESOURCE_IDS.sql)!;
  const serverIdentity = (): Principal =>
    twin.world.principals.find(
      (p) =>
        p.kind === 'managedIdentity' && p.alternativeId?.toLowerCase() === RESOURCE_IDS.sql.toLowerCase(),
    )!;

  async function asDeployer(): Promise<Session> {
    const login = await sqlLogin(twin, twin.tokens.issue(DEPLOYER.objectId, 'sql'), {
      database: NAMES.database,
    });
    if (!login.ok) assert.fail(`login refused: ${login.message}`);
    return login;
  }

  async function createUser(
    db: Session,
    name: string,
  ): Promise<{ number?: number; message: string } | undefined> {
    return db.query(`CREATE USER [${name}] FROM EXTERNAL PROVIDER`).then(
      () => undefined,
      (error: { number?: number; message: string }) => error,
    );
  }

  test('a service principal caller needs the server identity with Graph read rights, else 33134', async () => {
    const db = await asDeployer();
    const stored = server();
    const withIdentity = structuredClone(stored);
    try {
      // No identity at all: "Server identity is not configured".
      const { identity: _identity, ...bare } = stored;
      twin.store.put(bare);
      const none = await createUser(db, NAMES.webApp);
      assert.equal(none?.number, 33134);
      assert.match(
        none!.message,
        /^Principal 'orders-api' could not be resolved\. Error message: 'Server identity is not configured\./,
      );

      // An identity without the Graph permissions: the same error, an empty message.
      twin.store.put(withIdentity);
      const assignments = twin.world.appRoleAssignments;
      twin.world.appRoleAssignments = assignments.filter((a) => a.principalId !== serverIdentity().objectId);
      const noRights = await createUser(db, NAMES.webApp);
      assert.equal(noRights?.number, 33134);
      assert.equal(noRights?.message, "Principal 'orders-api' could not be resolved. Error message: ''");

      // With User.Read.All, GroupMember.Read.All and Application.Read.All it works.
      grantGraphRead(twin, serverIdentity().objectId);
      assert.equal(GRAPH_APP_ROLES.length, 3);
      assert.equal(await createUser(db, NAMES.webApp), undefined);
    } finally {
      db.close();
      twin.store.put(withIdentity);
    }
  });

  test('a person (delegated token) creates Entra users without the server identity', async () => {
    const { identity: _identity, ...bare } = server();
    const stored = server();
    twin.store.put(bare);
    // Dana, a person, is the admin for this check.
    const admin = twin.store.get(`${RESOURCE_IDS.sql}/administrators/ActiveDirectory`)!;
    twin.store.put({ ...admin, properties: { ...admin.properties, login: 'dana', sid: IDS.dana } });
    const login = await sqlLogin(twin, twin.tokens.issue(IDS.dana, 'sql'), { database: NAMES.database });
    try {
      if (!login.ok) assert.fail(login.message);
      assert.equal(await createUser(login, NAMES.identity), undefined);
    } finally {
      if (login.ok) login.close();
      twin.store.put(admin);
      twin.store.put(stored);
    }
  });

  test('a new firewall rule applies only after sqlFirewallRuleDelayMs: 40615 until then', async () => {
    twin.world.clientIp = '203.0.113.9';
    twin.world.sqlFirewallRuleDelayMs = 120_000;
    try {
      const token = twin.tokens.issue(DEPLOYER.objectId, 'sql');
      const refused = await sqlLogin(twin, token, { database: NAMES.database });
      assert.ok(!refused.ok);
      const rule = await rest.send(
        'PUT',
        `${RESOURCE_IDS.sql}/firewallRules/laptop?api-version=2020-11-01-preview`,
        {
          properties: { startIpAddress: '203.0.113.9', endIpAddress: '203.0.113.9' },
        },
      );
      assert.equal(rule.status, 201);
      assert.deepEqual(Object.keys(rule.body.properties).sort(), ['endIpAddress', 'startIpAddress']);
      const early = await sqlLogin(twin, token, { database: NAMES.database });
      assert.ok(!early.ok, 'the rule does not apply yet');
      assert.deepEqual(
        early.diagnostics.map((d) => d.number),
        [40615],
      );
      twin.clock.advance(121);
      const late = await sqlLogin(twin, token, { database: NAMES.database });
      assert.ok(late.ok, late.ok ? '' : late.message);
      late.close();
    } finally {
      twin.world.clientIp = undefined;
      twin.world.sqlFirewallRuleDelayMs = 0;
    }
  });
});

describe('MySQL admins', () => {
  test('an admin whose sid names no one is refused, a service principal by object id is taken', async () => {
    const path = `${RESOURCE_IDS.mysql}/administrators/ActiveDirectory?api-version=2023-12-30`;
    const properties = { administratorType: 'ActiveDirectory', identityResourceId: RESOURCE_IDS.identity };
    const unknown = await rest.send('PUT', path, {
      properties: { ...properties, login: 'ghost', sid: '0bad0000-0000-4000-8000-00000000dead' },
    });
    assert.equal(unknown.status, 400);
    assert.equal(
      unknown.body.error.message,
      'Invalid value given for parameter sid. Specify a valid parameter value.',
    );
    const deployer = await rest.send('PUT', path, {
      properties: { ...properties, login: DEPLOYER.appId, sid: DEPLOYER.objectId },
    });
    assert.equal(deployer.status, 202, JSON.stringify(deployer.body));
  });
});
