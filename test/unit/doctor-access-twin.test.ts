/**
 * The access checks (rbac, entra-config, app-identity, app-settings, database-user) run for real:
 * `runChecks` with a real AzureSession, the twin's stand-in az on PATH and the twin's ARM and Graph
 * over verified TLS. The `server` check is another part's: a stand-in hands over the twin's server
 * as `data.server`, as the real one does. Every ARM and Graph request the run sends is recorded.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createAzureSession } from '../../source/azure/session.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import type { DatabaseKind } from '../../source/databases/kind.ts';
import { accessChecks } from '../../source/doctor/access-checks.ts';
import { signinCheck } from '../../source/doctor/signin.ts';
import { subscriptionCheck } from '../../source/doctor/subscription.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { settingsFor } from '../azure-twin/providers/linker-settings.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { serverStandIn } from '../helpers/server-stand-in.ts';
import { typedTarget } from '../helpers/target.ts';

const twins = new Map<string, Promise<Twin>>();
after(async () => {
  await Promise.all([...twins.values()].map(async (twin) => (await twin).close()));
});

/** One twin per scenario, shared by the rows of the table that use it. */
function twinFor(scenario: string): Promise<Twin> {
  let twin = twins.get(scenario);
  if (!twin) {
    twin = startTwin({ scenario });
    twins.set(scenario, twin);
  }
  return twin;
}

interface RunOptions {
  kind: DatabaseKind;
  target?: Record<string, string>;
  checkUser?: boolean;
  env?: Record<string, string>;
}

interface AccessRun {
  byId: Record<string, CheckOutcome>;
  requests: { method: string; path: string }[];
}

const WEB_APP_TARGET = { app: NAMES.webApp, resourceGroup: NAMES.resourceGroup, target: 'webapp' };
const SPRING_TARGET = {
  app: `${NAMES.springService}/${NAMES.springApp}`,
  resourceGroup: NAMES.resourceGroup,
  target: 'spring',
};
const SPRING_APP = `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.AppPlatform/Spring/${NAMES.springService}/apps/${NAMES.springApp}`;

async function runAccess(twin: Twin, options: RunOptions): Promise<AccessRun> {
  const requests: { method: string; path: string }[] = [];
  const take = twin.faults.take.bind(twin.faults);
  twin.faults.take = (method, path) => {
    requests.push({ method, path });
    return take(method, path);
  };
  const env = { ...twin.env(), ...options.env } as Record<string, string>;
  const base = { exec: nodeExec, env, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: twin.caPem } });
  try {
    const outcomes = await runChecks(
      [signinCheck, subscriptionCheck, serverStandIn(twin, options.kind), ...accessChecks()],
      {
        services: { ...base, azure },
        options: {
          verbose: true,
          target: typedTarget(options.target ?? WEB_APP_TARGET),
          checkUser: options.checkUser,
        },
        bus: new EventBus<RunEvent>(),
      },
    );
    return { byId: Object.fromEntries(outcomes.map((o) => [o.id, o])), requests };
  } finally {
    azure.dispose();
    twin.faults.take = take;
  }
}

const text = (outcome: CheckOutcome) =>
  [
    outcome.message,
    ...outcome.details,
    outcome.remediation?.summary ?? '',
    ...(outcome.remediation?.commands ?? []),
  ].join('\n');

/** The doctor changes nothing: reads only (GET, and the documented read POST of app settings). */
function assertReadOnly(requests: AccessRun['requests']): void {
  assert.ok(requests.length > 0, 'the run sent requests');
  for (const { method, path } of requests) {
    const read = method === 'GET' || (method === 'POST' && /\/config\/appsettings\/list$/i.test(path));
    assert.ok(read, `${method} ${path} is not a read`);
  }
}

interface Expectation {
  status: CheckOutcome['status'];
  /** Sentences the outcome's text must hold (message, details, remedy). */
  says: RegExp | RegExp[];
  fixable?: boolean;
  blocking?: boolean;
}

const ROWS: { scenario: string; kind: DatabaseKind; expect: Record<string, Expectation> }[] = [
  ...(['postgres', 'mysql', 'sql'] as const).map((kind) => ({
    scenario: 'healthy',
    kind,
    expect: {
      rbac: {
        status: 'pass',
        // The system identity is on, so setup does not write the app's identity: id-orders needs nothing.
        says: [/all \d+ actions setup needs are allowed/, /^app orders-api: 6 actions allowed$/m],
      },
      'entra-config': {
        status: 'pass',
        says: kind === 'postgres' ? /dana@contoso\.twin\.test is an admin/ : /Entra admin dana@/,
      },
      'app-identity': { status: 'pass', says: /system-assigned \+ user-assigned id-orders/ },
      'app-settings': {
        status: 'warn',
        says: [/Setup writes the AZURE_\w+_\* settings/, /^The app has no other settings\.$/m],
        fixable: true,
      },
      'database-user': { status: 'skip', says: /runs with --check-user or after setup/ },
    } as Record<string, Expectation>,
  })),
  ...(['postgres', 'mysql', 'sql'] as const).map((kind) => ({
    scenario: 'missing-rbac',
    kind,
    expect: {
      rbac: {
        status: 'fail',
        says: [
          /Ask an Owner or User Access Administrator for Contributor on rg-orders\.$/m,
          /missing on server/,
          // The app's system identity is on: setup does not write its identity, id-orders is not involved.
          /missing on app orders-api:/,
          new RegExp(
            `az role assignment create --assignee ${IDS.dana} --role Contributor --scope /subscriptions/[^/]+/resourceGroups/rg-orders$`,
            'm',
          ),
        ],
        blocking: true,
        fixable: false,
      },
      'entra-config': {
        status: 'fail',
        says: /cannot read (server|the Entra admins? of) \w+-orders \(403 AuthorizationFailed\)/,
        blocking: true,
      },
      'app-identity': { status: 'pass', says: /orders-api/ },
    } as Record<string, Expectation>,
  })),
  ...(['postgres', 'mysql', 'sql'] as const).map((kind) => ({
    scenario: 'reader-only',
    kind,
    expect: {
      rbac: {
        status: 'fail',
        says:
          kind === 'sql'
            ? [/for Contributor on rg-orders\.$/m, /Microsoft\.Sql\/servers\/administrators\/write/]
            : [
                /for Contributor on rg-orders/,
                /flexibleServers\/administrators\/write/,
                // What each action is for, in plain words (no parentheses inside parentheses). The
                // server itself is not written: Entra is on (PostgreSQL), the identity attached (MySQL).
                /flexibleServers\/administrators\/write \(make you an Entra admin\)$/m,
              ],
        blocking: true,
      },
      'entra-config': { status: 'pass', says: /dana@/ },
      'app-settings': {
        status: 'warn',
        says: [
          /cannot read the settings of orders-api \(403/,
          /^Ask for Website Contributor \(or Contributor\) on orders-api/m,
        ],
      },
    } as Record<string, Expectation>,
  })),
  {
    scenario: 'entra-off',
    kind: 'postgres',
    expect: {
      'entra-config': {
        status: 'fail',
        says: /Microsoft Entra authentication is off on pg-orders.*Setup turns on Entra authentication \(the server may restart\)/s,
        fixable: true,
        blocking: false,
      },
      rbac: { status: 'pass', says: /allowed/ },
    },
  },
  {
    scenario: 'entra-off',
    kind: 'mysql',
    expect: {
      'entra-config': {
        status: 'pass',
        says: [/Entra admin/, /Entra-only authentication \(aad_auth_only\): OFF/],
      },
    },
  },
  ...(['postgres', 'mysql', 'sql'] as const).map((kind) => ({
    scenario: 'no-admin',
    kind,
    expect: {
      'entra-config': {
        status: 'warn',
        says:
          kind === 'postgres'
            ? /no Entra admin on pg-orders.*Setup adds you as an Entra admin/s
            : /no Entra admin on .*Setup makes you the Entra admin/s,
        fixable: true,
      },
    } as Record<string, Expectation>,
  })),
  {
    scenario: 'mysql-identity-without-graph-roles',
    kind: 'mysql',
    expect: {
      'entra-config': {
        status: 'fail',
        says: /identity id-orders lacks Graph permissions User\.Read\.All, GroupMember\.Read\.All, Application\.Read\.All.*Global Administrator or Privileged Role Administrator/s,
        fixable: false,
      },
    },
  },
  {
    scenario: 'mysql-identity-without-graph-roles',
    kind: 'postgres',
    expect: { 'entra-config': { status: 'pass', says: /is an admin/ } },
  },
  {
    scenario: 'sql-entra-only',
    kind: 'sql',
    expect: { 'entra-config': { status: 'pass', says: /Entra-only/ } },
  },
  {
    scenario: 'sql-entra-only',
    kind: 'postgres',
    expect: { 'entra-config': { status: 'pass', says: /is an admin/ } },
  },
  // A group admin makes its members admins: they log in as the group (PostgreSQL) or as themselves (SQL).
  {
    scenario: 'pg-group-admin',
    kind: 'postgres',
    expect: {
      'entra-config': {
        status: 'pass',
        says: [/is an admin through group Orders DB Admins/, /setup logs in as Orders DB Admins/],
      },
    },
  },
  {
    scenario: 'sql-group-admin',
    kind: 'sql',
    expect: {
      'entra-config': {
        status: 'pass',
        says: /Entra admin Orders SQL Admins \(dana@contoso\.twin\.test is a member\)/,
      },
    },
  },
  {
    scenario: 'sql-app-admin',
    kind: 'sql',
    expect: {
      'entra-config': {
        status: 'warn',
        says: [
          /is orders-api, not dana@/,
          /SQL has only one, so it would replace orders-api\./,
          /you are in no Entra group/,
        ],
        fixable: true,
      },
    },
  },
  {
    scenario: 'mysql-aad-only',
    kind: 'mysql',
    expect: { 'entra-config': { status: 'pass', says: /Entra-only/ } },
  },
  {
    scenario: 'servicelinker-unregistered',
    kind: 'postgres',
    expect: {
      'app-settings': {
        status: 'warn',
        says: [
          /Microsoft\.ServiceLinker is not registered/,
          /Microsoft\.ServiceLinker is NotRegistered in subscription/,
          /you may register it \(Microsoft\.ServiceLinker\/register\/action\)/,
          /Setup registers Microsoft\.ServiceLinker .* or run setup with --no-linker/,
        ],
        fixable: true,
      },
    },
  },
  // Only what setup will do is asked for: the server is Entra-on, the web app's identity is on.
  {
    scenario: 'custom-role',
    kind: 'postgres',
    expect: {
      rbac: {
        status: 'fail',
        says: [/^4 actions missing on app orders-api$/m, /Microsoft\.Web\/sites\/config\/write/],
        blocking: true,
      },
    },
  },
  {
    scenario: 'website-contributor-no-mio',
    kind: 'sql',
    expect: {
      rbac: {
        status: 'warn',
        says: [/^3 Service Connector actions missing on app orders-api$/m, /Run setup with --no-linker/],
        blocking: false,
      },
    },
  },
];

for (const row of ROWS) {
  test(`${row.scenario} × ${row.kind}: ${Object.entries(row.expect)
    .map(([id, e]) => `${id} ${e.status}`)
    .join(', ')}`, async () => {
    const twin = await twinFor(row.scenario);
    const { byId, requests } = await runAccess(twin, { kind: row.kind });
    for (const [id, expected] of Object.entries(row.expect)) {
      const outcome = byId[id]!;
      assert.equal(outcome.status, expected.status, `${id}: ${JSON.stringify(outcome)}`);
      for (const says of [expected.says].flat()) assert.match(text(outcome), says, `${id}: ${text(outcome)}`);
      if (expected.fixable !== undefined) assert.equal(outcome.remediation?.fixable, expected.fixable, id);
      if (expected.blocking !== undefined) assert.equal(outcome.blocking, expected.blocking, id);
      if (outcome.status !== 'pass' && outcome.status !== 'skip')
        assert.ok(outcome.remediation, `${id} says what to do`);
    }
    assertReadOnly(requests);
  });
}

test('no app chosen: app-identity skips naming the flags, rbac evaluates the server alone', async () => {
  const twin = await twinFor('reader-only');
  const { byId, requests } = await runAccess(twin, { kind: 'postgres', target: {} });
  assert.equal(byId['app-identity']!.status, 'skip');
  assert.match(byId['app-identity']!.message, /--source-id, or --app with --resource-group and --target/);
  const rbac = byId.rbac!;
  assert.equal(rbac.status, 'fail');
  assert.match(text(rbac), /missing on server pg-orders/);
  assert.doesNotMatch(text(rbac), /orders-api/);
  assert.match(text(rbac), /only the server part was evaluated/);
  assert.equal(byId['app-settings']!.status, 'skip');
  assertReadOnly(requests);
});

test('an app that does not exist is a clear blocking failure, not a crash', async () => {
  const twin = await twinFor('healthy');
  const { byId } = await runAccess(twin, {
    kind: 'postgres',
    target: { app: 'no-such-app', resourceGroup: NAMES.resourceGroup, target: 'webapp' },
  });
  const app = byId['app-identity']!;
  assert.equal(app.status, 'fail');
  assert.equal(app.message, 'web app no-such-app not found in rg-orders');
  assert.equal(app.blocking, true);
  assert.match(text(app), /az webapp list -g rg-orders/);
  // RBAC still evaluates the server part.
  assert.equal(byId.rbac!.status, 'pass');
  assert.match(text(byId.rbac!), /The app could not be read: only the server part was evaluated/);
});

test('a permissions list the caller may not read means "cannot evaluate", never "missing"', async () => {
  const twin = await twinFor('healthy');
  const fault = twin.faults.add({
    method: 'GET',
    path: /\/providers\/Microsoft\.Authorization\/permissions$/i,
    times: 100,
    status: 403,
    code: 'AuthorizationFailed',
    message:
      "The client does not have authorization to perform action 'Microsoft.Authorization/permissions/read'.",
  });
  try {
    const rbac = (await runAccess(twin, { kind: 'postgres' })).byId.rbac!;
    assert.equal(rbac.status, 'warn');
    assert.equal(rbac.blocking, false);
    assert.match(rbac.message, /cannot evaluate permissions on server pg-orders, app orders-api/);
    assert.doesNotMatch(text(rbac), /missing on/);
    // Fixes that need someone else are phrased alike: what to ask for.
    assert.match(rbac.remediation!.summary, /^Ask for Reader /);
  } finally {
    twin.faults.remove(fault);
  }
});

test('Graph refusing the app-role list: MySQL identity "cannot verify", a warning', async () => {
  const twin = await twinFor('healthy');
  const fault = twin.faults.add({
    method: 'GET',
    path: /appRoleAssignments$/i,
    times: 100,
    status: 403,
    code: 'Authorization_RequestDenied',
    message: 'Insufficient privileges to complete the operation.',
  });
  try {
    const entra = (await runAccess(twin, { kind: 'mysql' })).byId['entra-config']!;
    assert.equal(entra.status, 'warn');
    assert.match(entra.message, /cannot verify the Graph permissions of id-orders/);
    assert.match(text(entra), /Microsoft Graph answered 403 Authorization_RequestDenied/);
  } finally {
    twin.faults.remove(fault);
  }
});

test('a container app: identity read, its environment not served is "unknown", env settings compared', async () => {
  const twin = await twinFor('healthy');
  const app = structuredClone(twin.store.get(RESOURCE_IDS.containerApp)!);
  const template = (app.properties as { template: { containers: { env: unknown[] }[] } }).template;
  template.containers[0]!.env = [
    { name: 'AZURE_POSTGRESQL_HOST', value: 'pg-old.postgres.twin.test' },
    { name: 'AZURE_POSTGRESQL_DATABASE', value: 'orders' },
    { name: 'AZURE_POSTGRESQL_PASSWORD', secretRef: 'pg-password' },
  ];
  twin.store.put(app);
  // The twin serves environments; take this one away to see how a 404 on it is reported.
  twin.store.delete((app.properties as { managedEnvironmentId: string }).managedEnvironmentId);
  const { byId, requests } = await runAccess(twin, {
    kind: 'postgres',
    target: { app: NAMES.containerApp, resourceGroup: NAMES.resourceGroup, target: 'containerapp' },
  });
  const identity = byId['app-identity']!;
  assert.equal(identity.status, 'pass', text(identity));
  assert.deepEqual((identity.data.app as { containers?: string[] }).containers, ['orders-worker']);
  assert.match(text(identity), /outbound network unknown: environment orders-worker-env answered 4\d\d/);
  const settings = byId['app-settings']!;
  assert.equal(settings.status, 'fail', text(settings));
  assert.match(settings.message, /AZURE_POSTGRESQL_HOST should be pg-orders\.postgres\.twin\.test/);
  assert.match(text(settings), /AZURE_POSTGRESQL_PASSWORD \(value hidden\)/);
  assert.match(text(settings), /in a passwordless setup that is a smell/);
  assert.equal(settings.remediation?.fixable, true);
  assertReadOnly(requests);
});

test('web app settings: consistent keys pass; a password in a connection string is never shown', async () => {
  const twin = await twinFor('sql-entra-only');
  const settingsId = `${RESOURCE_IDS.webApp}/config/appsettings`;
  const secret = 'S3cr3t-Pa55word-value';
  twin.store.put({
    id: settingsId,
    name: 'appsettings',
    type: 'Microsoft.Web/sites/config',
    properties: {
      AZURE_MYSQL_HOST: 'mysql-orders.mysql.twin.test',
      AZURE_MYSQL_DATABASE: 'orders',
      AZURE_MYSQL_PORT: '3306',
      AZURE_MYSQL_USER: 'aad_orders',
      AZURE_MYSQL_CONNECTIONSTRING: `Server=mysql-orders.mysql.twin.test;Database=orders;Port=3306;User Id=aad_orders;Password=${secret};SSL Mode=Required;`,
    },
  });
  const { byId } = await runAccess(twin, { kind: 'mysql' });
  const settings = byId['app-settings']!;
  assert.equal(settings.status, 'warn', text(settings));
  assert.match(
    settings.message,
    /5 AZURE_MYSQL_\* settings agree with mysql-orders, but one holds a password/,
  );
  assert.match(text(settings), /AZURE_MYSQL_CONNECTIONSTRING \(value hidden\)/);
  assert.ok(!JSON.stringify(settings).includes(secret), 'the password never reaches the outcome');
  assert.equal(settings.data.user, 'aad_orders');

  twin.store.put({
    id: settingsId,
    name: 'appsettings',
    type: 'Microsoft.Web/sites/config',
    properties: { AZURE_MYSQL_HOST: 'mysql-orders.mysql.twin.test', AZURE_MYSQL_DATABASE: 'orders' },
  });
  const clean = (await runAccess(twin, { kind: 'mysql' })).byId['app-settings']!;
  assert.equal(clean.status, 'pass', text(clean));
  assert.match(clean.message, /2 AZURE_MYSQL_\* settings agree with mysql-orders/);
});

test('app identities: user-assigned only passes and says so; none fails, fixable; a VNet subnet is reported', async () => {
  const twin = await startTwin({ scenario: 'healthy' });
  try {
    const site = structuredClone(twin.store.get(RESOURCE_IDS.webApp)!);
    const identity = site.identity as { userAssignedIdentities: Record<string, unknown> };
    const subnet = `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet-orders/subnets/apps`;
    twin.store.put({
      ...site,
      identity: { type: 'UserAssigned', userAssignedIdentities: identity.userAssignedIdentities },
      properties: { ...site.properties, virtualNetworkSubnetId: subnet },
    });
    const userOnly = (await runAccess(twin, { kind: 'postgres' })).byId['app-identity']!;
    assert.equal(userOnly.status, 'pass', text(userOnly));
    assert.equal(userOnly.message, 'web app orders-api · user-assigned id-orders only');
    assert.match(text(userOnly), /system-assigned identity: off/);
    assert.match(text(userOnly), /user-assigned id-orders: principal [0-9a-f-]{36}, client [0-9a-f-]{36}/);
    assert.match(text(userOnly), new RegExp(`outbound subnet ${subnet}`));
    const facts = userOnly.data.app as {
      systemIdentity: unknown;
      userIdentities: unknown[];
      outboundSubnetId: string;
    };
    assert.equal(facts.systemIdentity, null);
    assert.equal(facts.userIdentities.length, 1);
    assert.equal(facts.outboundSubnetId, subnet);

    const { identity: _dropped, ...bare } = site;
    twin.store.put(bare);
    const none = (await runAccess(twin, { kind: 'postgres' })).byId['app-identity']!;
    assert.equal(none.status, 'fail');
    assert.equal(none.message, 'web app orders-api has no managed identity');
    assert.equal(none.remediation?.fixable, true);
    assert.equal(none.blocking, false);
    assert.match(text(none), /Setup turns on the system-assigned identity/);
    assert.match(text(none), /az webapp identity assign -g rg-orders -n orders-api/);
  } finally {
    await twin.close();
  }
});

test("a Spring app is read by <service>/<app>; its settings are its active deployment's environment variables", async () => {
  const twin = await startTwin({ scenario: 'healthy' });
  try {
    // Blue-green: `default` is the staging deployment now (still pointing at the old server), `green`
    // serves production. The app resource does not say which is active (Apps_Get.json at 2023-12-01):
    // the deployments list does, per deployment (Deployments_List.json).
    const staging = twin.store.get(`${SPRING_APP}/deployments/default`)!;
    const stagingProperties = staging.properties as Record<string, any>;
    stagingProperties.active = false;
    stagingProperties.deploymentSettings.environmentVariables = {
      AZURE_SQL_SERVER: 'sql-old.database.twin.test',
    };
    twin.store.put(staging);
    assert.equal(
      (twin.store.get(SPRING_APP)!.properties as Record<string, unknown>).activeDeploymentName,
      undefined,
    );
    const deploymentId = `${SPRING_APP}/deployments/green`;
    const deployment = structuredClone(staging);
    deployment.id = deploymentId;
    deployment.name = 'green';
    const properties = deployment.properties as {
      active: boolean;
      deploymentSettings: Record<string, unknown>;
    };
    properties.active = true;
    properties.deploymentSettings.environmentVariables = {
      AZURE_SQL_SERVER: 'sql-orders.database.twin.test',
      AZURE_SQL_DATABASE: 'orders',
      AZURE_SQL_PORT: '1433',
    };
    twin.store.put(deployment);
    const { byId, requests } = await runAccess(twin, { kind: 'sql', target: SPRING_TARGET });
    const identity = byId['app-identity']!;
    assert.equal(identity.status, 'pass', text(identity));
    assert.match(identity.message, /^Spring app spring-orders\/orders-spring · system-assigned$/);
    const settings = byId['app-settings']!;
    assert.equal(settings.status, 'pass', text(settings));
    assert.equal(settings.message, '3 AZURE_SQL_* settings agree with sql-orders');
    assert.deepEqual(settings.data.keys, ['AZURE_SQL_SERVER', 'AZURE_SQL_DATABASE', 'AZURE_SQL_PORT']);
    assert.ok(
      requests.some(
        (r) => r.method === 'GET' && r.path.toLowerCase() === `${SPRING_APP}/deployments`.toLowerCase(),
      ),
    );

    // A value that points elsewhere is found there as in any app's settings.
    properties.deploymentSettings.environmentVariables = { AZURE_SQL_SERVER: 'sql-old.database.twin.test' };
    twin.store.put(deployment);
    const wrong = (await runAccess(twin, { kind: 'sql', target: SPRING_TARGET })).byId['app-settings']!;
    assert.equal(wrong.status, 'fail', text(wrong));
    assert.match(wrong.message, /AZURE_SQL_SERVER should be sql-orders\.database\.twin\.test/);

    // No deployment serves production: nothing holds the app's settings, and the doctor says so.
    properties.active = false;
    twin.store.put(deployment);
    const none = (await runAccess(twin, { kind: 'sql', target: SPRING_TARGET })).byId['app-settings']!;
    assert.equal(none.status, 'warn', text(none));
    assert.equal(none.message, 'cannot read the settings of orders-spring (404 NoActiveDeployment)');
    assertReadOnly(requests);
  } finally {
    await twin.close();
  }
});

test("a Spring Boot app with Service Connector's passwordless settings passes app-settings: passwordless-enabled is no password", async () => {
  const twin = await startTwin({ scenario: 'healthy' });
  try {
    const deployment = twin.store.get(`${SPRING_APP}/deployments/default`)!;
    const properties = deployment.properties as { deploymentSettings: Record<string, unknown> };
    // What Service Connector writes for a springBoot client with a system-assigned identity.
    properties.deploymentSettings.environmentVariables = Object.fromEntries(
      settingsFor('postgresql', 'springBoot', 'systemAssignedIdentity', {
        host: 'pg-orders.postgres.twin.test',
        db: 'orders',
        user: NAMES.springApp,
        clientId: '',
        tenantId: twin.world.tenantId,
        secret: '',
      })!.map((setting) => [setting.key, setting.value]),
    );
    twin.store.put(deployment);
    const settings = (await runAccess(twin, { kind: 'postgres', target: SPRING_TARGET })).byId[
      'app-settings'
    ]!;
    assert.ok(
      (settings.data.keys as string[]).includes('spring.datasource.azure.passwordless-enabled'),
      text(settings),
    );
    assert.equal(settings.status, 'pass', text(settings));
  } finally {
    await twin.close();
  }
});

test('the rbac check covers a Spring app by <service>/<app>', async () => {
  const twin = await twinFor('healthy');
  const { byId, requests } = await runAccess(twin, { kind: 'sql', target: SPRING_TARGET });
  assert.equal(byId.rbac!.status, 'pass', text(byId.rbac!));
  assert.ok(
    requests.some((r) =>
      /Microsoft\.AppPlatform\/Spring\/spring-orders\/apps\/orders-spring\/providers\/Microsoft\.Authorization\/permissions$/i.test(
        r.path,
      ),
    ),
  );
  assertReadOnly(requests);
});

test('rbac asks for assign/action on a user-assigned identity only when setup writes the app identity', async () => {
  // With its system identity on, the web app's identity is not written: id-orders is not involved.
  const website = (await runAccess(await twinFor('website-contributor-no-mio'), { kind: 'sql' })).byId.rbac!;
  assert.doesNotMatch(text(website), /userAssignedIdentities\/assign\/action|id-orders/);

  // Off, setup switches it on, and that request re-sends id-orders: Managed Identity Operator is needed.
  const twin = await startTwin({ scenario: 'website-contributor-no-mio' });
  try {
    const site = twin.store.get(RESOURCE_IDS.webApp)!;
    site.identity = {
      type: 'UserAssigned',
      userAssignedIdentities: (site.identity as { userAssignedIdentities: unknown }).userAssignedIdentities,
    };
    twin.store.put(site);
    const rbac = (await runAccess(twin, { kind: 'sql' })).byId.rbac!;
    assert.equal(rbac.status, 'fail', text(rbac));
    assert.equal(rbac.message, '4 actions missing on app orders-api, identity id-orders');
    assert.match(
      text(rbac),
      /Microsoft\.ManagedIdentity\/userAssignedIdentities\/assign\/action \(attach the user-assigned identity\)/,
    );
    // Contributor on the group grants assign/action too, so it is the one role asked for.
    assert.match(rbac.remediation?.summary ?? '', /for Contributor on rg-orders\.$/);
  } finally {
    await twin.close();
  }
});

test('MySQL: a group admin Dana belongs to makes her the admin; she logs in as the group', async () => {
  const twin = await startTwin({ scenario: 'healthy' });
  try {
    const groupId = '9a0a0000-0000-4000-8000-00000000a0f1';
    twin.world.groups = [{ objectId: groupId, displayName: 'Orders MySQL Admins', members: [IDS.dana] }];
    const admin = twin.store.get(`${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`)!;
    twin.store.put({
      ...admin,
      properties: { ...admin.properties, login: 'Orders MySQL Admins', sid: groupId },
    });
    const member = (await runAccess(twin, { kind: 'mysql' })).byId['entra-config']!;
    assert.equal(member.status, 'pass', text(member));
    assert.match(member.message, /^Entra admin Orders MySQL Admins \(dana@contoso\.twin\.test is a member\)/);
    assert.equal(member.data.login, 'Orders MySQL Admins');

    // Out of the group, she is not the admin, and setup would replace the group.
    twin.world.groups = [{ objectId: groupId, displayName: 'Orders MySQL Admins', members: [] }];
    const outsider = (await runAccess(twin, { kind: 'mysql' })).byId['entra-config']!;
    assert.equal(outsider.status, 'warn', text(outsider));
    assert.match(text(outsider), /so it replaces Orders MySQL Admins\./);
    assert.match(text(outsider), /you are in no Entra group/);
  } finally {
    await twin.close();
  }
});

test('Microsoft.ServiceLinker not registered and Dana may not register it: --no-linker, or ask', async () => {
  const twin = await startTwin({ scenario: 'servicelinker-unregistered' });
  try {
    // Website Contributor reads the settings; Reader on the subscription cannot register providers.
    twin.world.roleAssignments = [
      { principalId: IDS.dana, roleName: 'Reader', scope: RESOURCE_IDS.subscription },
      { principalId: IDS.dana, roleName: 'Website Contributor', scope: RESOURCE_IDS.resourceGroup },
    ];
    const { byId, requests } = await runAccess(twin, { kind: 'postgres' });
    const settings = byId['app-settings']!;
    assert.equal(settings.status, 'warn', text(settings));
    assert.match(text(settings), /you may not register it \(Microsoft\.ServiceLinker\/register\/action\)/);
    assert.match(
      settings.remediation?.summary ?? '',
      /^You may not register Microsoft\.ServiceLinker .*: run setup with --no-linker to write the AZURE_POSTGRESQL_\* settings directly/,
    );
    assert.deepEqual(settings.remediation?.commands, [
      'az provider register --namespace Microsoft.ServiceLinker',
    ]);
    assertReadOnly(requests);
  } finally {
    await twin.close();
  }
});

test('PostgreSQL and SQL: a member of the admin group is an admin through it (PostgreSQL logs in by the group name)', async () => {
  const pg = (await runAccess(await twinFor('pg-group-admin'), { kind: 'postgres' })).byId;
  const pgEntra = pg['entra-config']!;
  assert.equal(pgEntra.status, 'pass', text(pgEntra));
  assert.equal(
    pgEntra.message,
    'Entra on · dana@contoso.twin.test is an admin through group Orders DB Admins',
  );
  // The database knows the caller by the group's name (a login as the user is refused): the
  // database-user check logs in with this.
  assert.equal(pgEntra.data.login, 'Orders DB Admins');

  const sql = (await runAccess(await twinFor('sql-group-admin'), { kind: 'sql' })).byId['entra-config']!;
  assert.equal(sql.status, 'pass', text(sql));
  assert.match(sql.message, /^Entra admin Orders SQL Admins \(dana@contoso\.twin\.test is a member\)/);
  // Azure SQL reads who logs in from the token, so a group's member logs in as herself.
  assert.equal(sql.data.login, 'dana@contoso.twin.test');
});

test("suffixed keys of a second connection are read: this server's settings under AZURE_<TYPE>_<CONNECTION>_* warn that the code reads the plain ones", async () => {
  const twin = await twinFor('healthy');
  const settingsId = `${RESOURCE_IDS.webApp}/config/appsettings`;
  const put = (properties: Record<string, string>) =>
    twin.store.put({ id: settingsId, name: 'appsettings', type: 'Microsoft.Web/sites/config', properties });
  const ours = {
    AZURE_POSTGRESQL_ORDERS_PG_HOST: 'pg-orders.postgres.twin.test',
    AZURE_POSTGRESQL_ORDERS_PG_DATABASE: 'orders',
    AZURE_POSTGRESQL_ORDERS_PG_PORT: '5432',
    AZURE_POSTGRESQL_ORDERS_PG_USER: 'aad_orders_pg',
  };
  // Beside another connection's plain keys, pointing at another server.
  put({
    AZURE_POSTGRESQL_HOST: 'pg-reports.postgres.twin.test',
    AZURE_POSTGRESQL_DATABASE: 'reports',
    ...ours,
  });
  let settings = (await runAccess(twin, { kind: 'postgres' })).byId['app-settings']!;
  assert.equal(settings.status, 'warn', text(settings));
  assert.match(
    settings.message,
    /the settings for pg-orders are AZURE_POSTGRESQL_ORDERS_PG_\*, not AZURE_POSTGRESQL_\*: code that reads AZURE_POSTGRESQL_\* connects elsewhere/,
  );
  assert.match(
    text(settings),
    /AZURE_POSTGRESQL_HOST is pg-reports\.postgres\.twin\.test; for pg-orders it would be pg-orders/,
  );
  assert.match(settings.remediation?.summary ?? '', /customizedKeys/);
  assert.equal(settings.data.connection, 'ORDERS_PG');

  // Alone: nothing under the plain names.
  put(ours);
  settings = (await runAccess(twin, { kind: 'postgres' })).byId['app-settings']!;
  assert.equal(settings.status, 'warn', text(settings));
  assert.match(settings.message, /code that reads AZURE_POSTGRESQL_\* finds none/);

  // A suffixed connection pointing elsewhere does not hide a wrong plain one, nor spoil a right one.
  put({
    ...ours,
    AZURE_POSTGRESQL_ORDERS_PG_HOST: 'pg-reports.postgres.twin.test',
    AZURE_POSTGRESQL_HOST: 'pg-old.postgres.twin.test',
  });
  settings = (await runAccess(twin, { kind: 'postgres' })).byId['app-settings']!;
  assert.equal(settings.status, 'fail', text(settings));
  assert.match(settings.message, /AZURE_POSTGRESQL_HOST should be pg-orders\.postgres\.twin\.test/);
  put({
    AZURE_POSTGRESQL_HOST: 'pg-orders.postgres.twin.test',
    AZURE_POSTGRESQL_DATABASE: 'orders',
    AZURE_POSTGRESQL_REPORTS_HOST: 'pg-reports.postgres.twin.test',
  });
  settings = (await runAccess(twin, { kind: 'postgres' })).byId['app-settings']!;
  assert.equal(settings.status, 'pass', text(settings));
});

/** A service principal the app connects as (`--service-principal`), registered in the twin's tenant. */
const APP_SP = {
  objectId: 'a1b2c3d4-0000-4000-8000-00000000a5b1',
  appId: 'c0ffee00-0000-4000-8000-00000000a5b1',
  name: 'orders-app-sp',
};

test("a service principal's client id in the settings is recognised through Graph; an unknown one still fails", async () => {
  const twin = await startTwin({ scenario: 'healthy' });
  try {
    twin.context.addPrincipal({
      objectId: APP_SP.objectId,
      appId: APP_SP.appId,
      tenantId: IDS.tenantId,
      kind: 'servicePrincipal',
      displayName: APP_SP.name,
    });
    const put = (properties: Record<string, string>) =>
      twin.store.put({
        id: `${RESOURCE_IDS.webApp}/config/appsettings`,
        name: 'appsettings',
        type: 'Microsoft.Web/sites/config',
        properties,
      });
    const settingsFor = (clientId: string) => ({
      AZURE_POSTGRESQL_HOST: 'pg-orders.postgres.twin.test',
      AZURE_POSTGRESQL_DATABASE: 'orders',
      AZURE_POSTGRESQL_USER: 'aad_orders',
      AZURE_POSTGRESQL_CLIENTID: clientId,
      AZURE_POSTGRESQL_CLIENTSECRET: 'twin-app-secret-Value~unit',
      AZURE_POSTGRESQL_TENANTID: IDS.tenantId,
    });
    put(settingsFor(APP_SP.appId));
    const { byId, requests } = await runAccess(twin, { kind: 'postgres' });
    const settings = byId['app-settings']!;
    assert.equal(settings.status, 'pass', text(settings));
    assert.deepEqual(settings.data.servicePrincipals, [
      { clientId: APP_SP.appId, objectId: APP_SP.objectId, displayName: APP_SP.name },
    ]);
    assert.match(
      text(settings),
      new RegExp(`connects as the service principal ${APP_SP.name} \\(client ${APP_SP.appId}`),
    );
    assert.doesNotMatch(text(settings), /twin-app-secret/);
    assert.ok(
      requests.some((r) => r.path.endsWith('/servicePrincipals')),
      'the client id was looked up in Graph',
    );
    assertReadOnly(requests);

    // A client id Entra does not know, and a managed identity the app does not have, are still wrong.
    const app = twin.store.get(RESOURCE_IDS.webApp)!;
    const { principalId, tenantId } = app.identity as { principalId: string; tenantId: string };
    twin.store.put({ ...app, identity: { type: 'SystemAssigned', principalId, tenantId } });
    for (const stranger of ['0badc0de-0000-4000-8000-000000000000', identityClientId(twin)]) {
      put(settingsFor(stranger));
      const wrong = (await runAccess(twin, { kind: 'postgres' })).byId['app-settings']!;
      assert.equal(wrong.status, 'fail', text(wrong));
      assert.match(
        wrong.message,
        /AZURE_POSTGRESQL_CLIENTID should be the client id of a user-assigned identity/,
      );
      assert.deepEqual(wrong.data.servicePrincipals, []);
    }
  } finally {
    await twin.close();
  }
});

test('an app without a managed identity that connects as a service principal (Service Connector) passes app-identity', async () => {
  const twin = await startTwin({ scenario: 'healthy' });
  try {
    const app = twin.store.get(SPRING_APP)!;
    const { identity: _identity, ...bare } = app;
    twin.store.put(bare);
    const none = (await runAccess(twin, { kind: 'postgres', target: SPRING_TARGET })).byId['app-identity']!;
    assert.equal(none.status, 'fail', text(none));
    assert.equal(none.message, 'Spring app spring-orders/orders-spring has no managed identity');

    twin.store.put({
      id: `${SPRING_APP}/providers/Microsoft.ServiceLinker/linkers/postgresflexible_orders`,
      name: 'postgresflexible_orders',
      type: 'microsoft.servicelinker/linkers',
      properties: {
        targetService: { type: 'AzureResource', id: `${RESOURCE_IDS.postgres}/databases/orders` },
        authInfo: {
          authType: 'servicePrincipalSecret',
          clientId: APP_SP.appId,
          principalId: APP_SP.objectId,
        },
        clientType: 'nodejs',
      },
    });
    const { byId, requests } = await runAccess(twin, { kind: 'postgres', target: SPRING_TARGET });
    const identity = byId['app-identity']!;
    assert.equal(identity.status, 'pass', text(identity));
    assert.equal(
      identity.message,
      `Spring app spring-orders/orders-spring · no managed identity · connects as service principal ${APP_SP.appId}`,
    );
    assert.match(
      text(identity),
      /Service Connector connection postgresflexible_orders signs in as the service principal/,
    );
    // The checks that need the app run: app-settings reads the deployment.
    assert.notEqual(byId['app-settings']!.status, 'skip', text(byId['app-settings']!));
    assertReadOnly(requests);
  } finally {
    await twin.close();
  }
});

/** The client id of the scenario's user-assigned identity id-orders. */
function identityClientId(twin: Twin): string {
  return (twin.store.get(RESOURCE_IDS.identity)!.properties as { clientId: string }).clientId;
}
