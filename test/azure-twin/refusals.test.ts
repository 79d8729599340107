/**
 * Where the twin says no the way Azure does: linked authorization on user-assigned identities and
 * linker targets, custom roles that really grant (and only grant) what they list, input validation
 * (identity types, app-setting values, enum casing, unknown admins, missing linker targets), Azure SQL's
 * documented admin error codes and an unregistered resource provider. Official SDK clients where one
 * exists (RestError `statusCode` and `code`), raw REST through core-rest-pipeline otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import { SqlManagementClient } from '@azure/arm-sql';
import type { CustomRole } from './api.ts';
import { IDS, startTwin, type Twin } from './index.ts';
import { NAMES, RESOURCE_IDS } from './scenarios.ts';
import { ARM_SCOPE, type ArmRest, armRest } from './testing/arm-rest.ts';
import { exampleBody, sdkError } from './testing/sdk-capture.ts';
import { assertSameShape } from './testing/shape.ts';
import { sdkOptions } from './testing/twin-fixture.ts';

const RG = NAMES.resourceGroup;
const SUB = IDS.subscriptionId;
const WENDY = '3e3e0000-0000-4000-8000-00000000e1d1';
const CARL = '3e3e0000-0000-4000-8000-00000000ca41';
const ASSIGN = 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action';
const LRO = { updateIntervalInMs: 5 };

/** A custom role that may write container apps and MySQL servers and create linkers, nothing more. */
const APP_WRITER: CustomRole = {
  id: 'c0570000-0000-4000-8000-0000000000c1',
  roleName: 'Orders App Writer',
  description: 'Writes container apps, MySQL servers and linkers; cannot assign identities.',
  assignableScopes: [RESOURCE_IDS.resourceGroup],
  permissions: [
    {
      actions: [
        'Microsoft.App/containerApps/*',
        'Microsoft.DBforMySQL/flexibleServers/*',
        'Microsoft.ServiceLinker/linkers/*',
        'Microsoft.Web/sites/read',
      ],
      notActions: [],
      dataActions: [],
      notDataActions: [],
    },
  ],
};

let twin: Twin;
let dana: ArmRest;
let carl: ArmRest;

/** The App Service SDK takes its scopes under `credentials` rather than `credentialScopes`. */
function webClient(principal: string): WebSiteManagementClient {
  return new WebSiteManagementClient(twin.tokens.credential(principal), SUB, {
    endpoint: twin.baseUrl,
    credentials: { scopes: [ARM_SCOPE] },
  });
}

function addUser(objectId: string, name: string): void {
  twin.context.addPrincipal({
    objectId,
    tenantId: IDS.tenantId,
    kind: 'user',
    displayName: name,
    userPrincipalName: `${name.toLowerCase()}@${twin.world.tenantDomain}`,
    userType: 'Member',
  });
}

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
  addUser(WENDY, 'Wendy');
  addUser(CARL, 'Carl');
  twin.world.customRoles = [APP_WRITER];
  twin.world.roleAssignments.push(
    { principalId: WENDY, roleName: 'Website Contributor', scope: RESOURCE_IDS.resourceGroup },
    { principalId: CARL, roleName: APP_WRITER.id, scope: RESOURCE_IDS.resourceGroup },
  );
  dana = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  carl = armRest(twin.baseUrl, twin.tokens.credential(CARL));
});
after(() => twin.close());

describe('linked authorization', () => {
  test('attaching a user-assigned identity to a web app needs assign/action on it: 403 LinkedAuthorizationFailed', async () => {
    const web = webClient(WENDY);
    const attach = {
      identity: {
        type: 'SystemAssigned, UserAssigned',
        userAssignedIdentities: { [RESOURCE_IDS.identity]: {} },
      },
    } as never;
    const error = await sdkError(web.webApps.update(RG, NAMES.webApp, attach));
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, 'LinkedAuthorizationFailed');
    assert.equal(
      error.message,
      `The client 'wendy@contoso.twin.test' with object id '${WENDY}' has permission to perform action 'Microsoft.Web/sites/write' on scope '${RESOURCE_IDS.webApp}'; however, it does not have permission to perform action(s) '${ASSIGN}' on the linked scope(s) '${RESOURCE_IDS.identity}' (respectively) or the linked scope(s) are invalid.`,
    );
    // A write that attaches no identity needs nothing more than Website Contributor.
    await web.webApps.update(RG, NAMES.webApp, { tags: { team: 'orders' } } as never);

    // Managed Identity Operator on the identity grants `userAssignedIdentities/*/assign/action`.
    twin.world.roleAssignments.push({
      principalId: WENDY,
      roleName: 'Managed Identity Operator',
      scope: RESOURCE_IDS.identity,
    });
    const site = await web.webApps.update(RG, NAMES.webApp, attach);
    assert.ok(Object.keys(site.identity?.userAssignedIdentities ?? {}).length === 1);
  });

  test('container apps and MySQL servers refuse the same way (custom role without assign/action)', async () => {
    const app = await carl.send('PATCH', `${RESOURCE_IDS.containerApp}?api-version=2025-01-01`, {
      identity: { type: 'UserAssigned', userAssignedIdentities: { [RESOURCE_IDS.identity]: {} } },
    });
    assert.equal(app.status, 403);
    assert.equal(app.body.error.code, 'LinkedAuthorizationFailed');
    const server = await carl.send('PATCH', `${RESOURCE_IDS.mysql}?api-version=2023-12-30`, {
      identity: { type: 'UserAssigned', userAssignedIdentities: { [RESOURCE_IDS.identity]: {} } },
    });
    assert.equal(server.status, 403);
    assert.equal(server.body.error.code, 'LinkedAuthorizationFailed');
    assert.match(server.body.error.message, /'Microsoft\.DBforMySQL\/flexibleServers\/write'/);
  });

  test('a linker PUT needs rights on its target database: 403 LinkedAuthorizationFailed', async () => {
    const linker = `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers/carl_pg?api-version=2024-07-01-preview`;
    const target = `${RESOURCE_IDS.postgres}/databases/${NAMES.database}`;
    const answer = await carl.send('PUT', linker, {
      properties: {
        targetService: { type: 'AzureResource', id: target },
        authInfo: { authType: 'systemAssignedIdentity' },
        clientType: 'python',
      },
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.code, 'LinkedAuthorizationFailed');
    assert.match(
      answer.body.error.message,
      /perform action\(s\) 'Microsoft\.DBforPostgreSQL\/flexibleServers\/databases\/read' on the linked scope\(s\) '.*\/databases\/orders'/,
    );
  });
});

describe('custom roles', () => {
  test('are served as role definitions (CustomRole) and their actions are evaluated', async () => {
    const auth = new AuthorizationManagementClient(twin.tokens.credential(IDS.dana), SUB, sdkOptions(twin));
    const custom = [];
    for await (const role of auth.roleDefinitions.list(RESOURCE_IDS.resourceGroup, {
      filter: "type eq 'CustomRole'",
    }))
      custom.push(role);
    assert.deepEqual(
      custom.map((role) => [role.roleName, role.roleType, role.assignableScopes]),
      [['Orders App Writer', 'CustomRole', [RESOURCE_IDS.resourceGroup]]],
    );
    const raw = await dana.send(
      'GET',
      `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.Authorization/roleDefinitions/${APP_WRITER.id}?api-version=2022-04-01`,
    );
    assertSameShape(raw.body, exampleBody('authorization/2022-04-01/GetRoleDefinitionById.json'));
    const byId = await auth.roleDefinitions.get(RESOURCE_IDS.resourceGroup, APP_WRITER.id);
    assert.deepEqual(byId.permissions?.[0]?.actions, APP_WRITER.permissions[0]!.actions);
    // What it lists it grants (a container app write), what it does not list it refuses.
    const allowed = await carl.send('PATCH', `${RESOURCE_IDS.containerApp}?api-version=2025-01-01`, {
      tags: { team: 'orders' },
    });
    assert.equal(allowed.status, 202);
    const refused = await carl.send(
      'PUT',
      `${RESOURCE_IDS.webApp}/config/appsettings?api-version=2025-05-01`,
      {
        properties: {},
      },
    );
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'AuthorizationFailed');
  });
});

describe('input validation', () => {
  test('an unknown identity type is refused with FailedIdentityOperation (400)', async () => {
    const web = webClient(IDS.dana);
    const error = await sdkError(
      web.webApps.update(RG, NAMES.webApp, { identity: { type: 'SystemAssignedd' } } as never),
    );
    assert.deepEqual([error.statusCode, error.code], [400, 'FailedIdentityOperation']);
    assert.match(error.message, /identity type 'SystemAssignedd' is not supported/);
    const mixed = await dana.send('PATCH', `${RESOURCE_IDS.containerApp}?api-version=2025-01-01`, {
      identity: { type: 'SystemAssigned', userAssignedIdentities: { [RESOURCE_IDS.identity]: {} } },
    });
    assert.equal(mixed.status, 400);
    assert.match(
      mixed.body.error.message,
      /a non-UserAssigned identity type should not contain: userAssignedIdentities/,
    );
  });

  test('app settings values must be strings (Web refuses: 400 InvalidRequestContent naming the setting)', async () => {
    const answer = await dana.send(
      'PUT',
      `${RESOURCE_IDS.webApp}/config/appsettings?api-version=2025-05-01`,
      {
        properties: { PORT: 8080, OK: 'yes' },
      },
    );
    assert.equal(answer.status, 400);
    // Microsoft.Web's PascalCase envelope (azure-refusals.md §0), not ARM's {"error": ...}.
    assert.equal(answer.body.error, undefined);
    assert.equal(answer.body.Code, 'InvalidRequestContent');
    assert.match(answer.body.Message, /Path 'properties\.PORT'/);
    assert.deepEqual(Object.keys(answer.body), ['Code', 'Message', 'Target', 'Details', 'Innererror']);
    assert.equal(answer.body.Details[2].ErrorEntity.Code, 'InvalidRequestContent');
  });

  test('PostgreSQL authConfig values are case-checked as the spec enum (Enabled/Disabled)', async () => {
    const pg = new PostgreSQLManagementFlexibleServerClient(
      twin.tokens.credential(IDS.dana) as never,
      SUB,
      sdkOptions(twin),
    );
    const error = await sdkError(
      pg.servers.beginUpdateAndWait(RG, NAMES.postgres, { authConfig: { passwordAuth: 'disabled' } }, LRO),
    );
    assert.deepEqual([error.statusCode, error.code], [400, 'InvalidParameterValue']);
    assert.match(error.message, /authConfig\.passwordAuth/);
  });

  test('a PostgreSQL admin Graph does not know: accepted, then the operation fails validating the principal', async () => {
    const pg = new PostgreSQLManagementFlexibleServerClient(
      twin.tokens.credential(IDS.dana) as never,
      SUB,
      sdkOptions(twin),
    );
    const ghost = '0badc0de-0000-4000-8000-000000000000';
    const error = await sdkError(
      pg.administratorsMicrosoftEntra.beginCreateOrUpdateAndWait(
        RG,
        NAMES.postgres,
        ghost,
        { principalName: 'ghost', principalType: 'User', tenantId: IDS.tenantId },
        LRO,
      ),
    );
    assert.match(error.message, /InternalServerError\. Failed to create Azure AD Principal\. Reason - 0LP01/);
    const missing = await sdkError(pg.administratorsMicrosoftEntra.get(RG, NAMES.postgres, ghost));
    assert.equal(missing.code, 'ResourceNotFound');
  });

  test('removing the identity the MySQL Entra admin signs in with is refused (400 InvalidParameterValue)', async () => {
    const answer = await dana.send('PATCH', `${RESOURCE_IDS.mysql}?api-version=2023-12-30`, {
      identity: { type: 'UserAssigned', userAssignedIdentities: { [RESOURCE_IDS.identity]: null } },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'InvalidParameterValue');
    assert.match(answer.body.error.message, /identity\.userAssignedIdentities/);
  });

  test('a linker to a missing database: the operation fails with GeneralUserError', async () => {
    const linker = `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers/missing_db?api-version=2024-07-01-preview`;
    await assert.rejects(
      dana.lro(
        'PUT',
        linker,
        {
          properties: {
            targetService: { type: 'AzureResource', id: `${RESOURCE_IDS.postgres}/databases/nope` },
            authInfo: { authType: 'systemAssignedIdentity' },
            clientType: 'python',
          },
        },
        'azure-async-operation',
      ),
      /GeneralUserError.*Execution failed\. The target resource '.*\/databases\/nope' was not found\./,
    );
  });
});

describe('Azure SQL administrator codes (2023-08-01 ServerAzureADAdministrators.json)', () => {
  test('a wrong administratorType and an empty body get the spec codes', async () => {
    const sql = new SqlManagementClient(twin.tokens.credential(IDS.dana), SUB, sdkOptions(twin));
    const wrongType = await sdkError(
      sql.serverAzureADAdministrators.beginCreateOrUpdateAndWait(
        RG,
        NAMES.sql,
        'ActiveDirectory',
        { administratorType: 'Other' as never, login: 'x', sid: IDS.dana },
        LRO,
      ),
    );
    assert.deepEqual(
      [wrongType.statusCode, wrongType.code],
      [400, 'InvalidServerAdministratorTypePropertyName'],
    );
    const empty = await dana.send(
      'PUT',
      `${RESOURCE_IDS.sql}/administrators/ActiveDirectory?api-version=2020-11-01-preview`,
      { properties: { administratorType: 'ActiveDirectory' } },
    );
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, 'InvalidResourceRequestBody');
  });

  test("an app made admin by its client id is reported with principalType 'Application'", async () => {
    const app = twin.world.principals.find(
      (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
    )!;
    const sql = new SqlManagementClient(twin.tokens.credential(IDS.dana), SUB, sdkOptions(twin));
    await sql.serverAzureADAdministrators.beginCreateOrUpdateAndWait(
      RG,
      NAMES.sql,
      'ActiveDirectory',
      { administratorType: 'ActiveDirectory', login: NAMES.webApp, sid: app.appId!, tenantId: IDS.tenantId },
      LRO,
    );
    const server = await sql.servers.get(RG, NAMES.sql);
    assert.equal(server.administrators?.principalType, 'Application');
  });
});

describe('resource provider registration', () => {
  test('calls into an unregistered namespace get 409 MissingSubscriptionRegistration', async () => {
    twin.world.unregisteredProviders = ['Microsoft.ServiceLinker'];
    try {
      const answer = await dana.send(
        'GET',
        `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers?api-version=2024-07-01-preview`,
      );
      assert.equal(answer.status, 409);
      assert.equal(answer.body.error.code, 'MissingSubscriptionRegistration');
      assert.equal(
        answer.body.error.message,
        "The subscription is not registered to use namespace 'Microsoft.ServiceLinker'. See https://aka.ms/rps-not-found for how to register subscriptions.",
      );
      assert.equal(answer.body.error.details[0].target, 'Microsoft.ServiceLinker');
      // The web app itself (Microsoft.Web) is unaffected.
      assert.equal((await dana.send('GET', `${RESOURCE_IDS.webApp}?api-version=2025-05-01`)).status, 200);
    } finally {
      twin.world.unregisteredProviders = [];
    }
  });

  test('the provider shows NotRegistered; registering needs <namespace>/register/action and then linkers answer', async () => {
    twin.world.unregisteredProviders = ['Microsoft.ServiceLinker'];
    try {
      const provider = `/subscriptions/${SUB}/providers/Microsoft.ServiceLinker`;
      const before = await dana.send('GET', `${provider}?api-version=2021-04-01`);
      assert.equal(before.body.registrationState, 'NotRegistered');
      assertSameShape(before.body, exampleBody('resources/2021-04-01/GetProvider.json'));
      const wendy = armRest(twin.baseUrl, twin.tokens.credential(WENDY));
      const refused = await wendy.send('POST', `${provider}/register?api-version=2021-04-01`);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'AuthorizationFailed');
      assert.match(refused.body.error.message, /'Microsoft\.ServiceLinker\/register\/action'/);
      const registering = await dana.send('POST', `${provider}/register?api-version=2021-04-01`);
      assert.equal(registering.status, 200);
      assert.equal(registering.body.registrationState, 'Registering');
      assert.equal(
        (await dana.send('GET', `${provider}?api-version=2021-04-01`)).body.registrationState,
        'Registered',
      );
      const linkers = await dana.send(
        'GET',
        `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers?api-version=2024-07-01-preview`,
      );
      assert.equal(linkers.status, 200);
    } finally {
      twin.world.unregisteredProviders = [];
    }
  });
});
