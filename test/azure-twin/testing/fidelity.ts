/**
 * The fidelity table of the twin: every operation the doctor, setup and audit call (the az passwordless
 * extension's steps, the linker, the doctor's reads), each with the spec example its shape is tested
 * against and the test that shows it refuses as Azure does, or the reason there is none. `fidelity.test.ts`
 * checks every named fixture and test exists and renders the table into FIDELITY.md.
 */

/** One column cell: the evidence (a fixture under fixtures/, or a test title) or why there is none. */
export type Evidence = { fixture: string } | { test: string } | { none: string };

export interface FidelityRow {
  area: string;
  operation: string;
  shape: Evidence;
  refusal: Evidence;
}

const PG = 'postgresql/2025-08-01';
const MY = 'mysql/2023-12-30';
const SQL = 'sql/2020-11-01-preview';
const SL = 'servicelinker/2024-07-01-preview';
const NO_EXAMPLE_401 = 'no spec example kept; fields checked in framework.test.ts';

export const FIDELITY: FidelityRow[] = [
  {
    area: 'Resource Graph',
    operation: 'POST /providers/Microsoft.ResourceGraph/resources (subscriptions, paging)',
    shape: { fixture: 'resourcegraph/2024-04-01/ResourcesNextPageQuery.json' },
    refusal: {
      test: 'query forms sc-doctor never sends are refused with Resource Graph’s InvalidQuery shape',
    },
  },
  {
    area: 'Resource Graph',
    operation: 'POST .../resources (managementGroups, tenant scope, visibility)',
    shape: { fixture: 'resourcegraph/2024-04-01/ResourcesMgBasicQuery.json' },
    refusal: {
      test: 'scope: unreadable subscriptions are left out silently, none readable is 403, more than 1,000 are refused',
    },
  },
  {
    area: 'Resource Graph',
    operation: 'POST .../resources: the per-user quota',
    shape: { none: 'headers only (x-ms-user-quota-*); checked in resource-graph.test.ts' },
    refusal: {
      test: 'the quota: remaining and reset on every answer, 429 RateLimiting once spent, back after the reset',
    },
  },
  {
    area: 'ARM',
    operation: 'any subscription request: the read and write budgets',
    shape: { none: 'headers only (x-ms-ratelimit-remaining-subscription-*)' },
    refusal: {
      test: 'ARM’s budgets: remaining reads count down, an empty bucket is 429 SubscriptionRequestsThrottled with Retry-After',
    },
  },
  {
    area: 'ARM',
    operation: 'GET /subscriptions',
    shape: { none: NO_EXAMPLE_401 },
    refusal: {
      test: 'a missing bearer token is 401 AuthenticationFailed (as ARM answers) with a WWW-Authenticate challenge',
    },
  },
  {
    area: 'ARM',
    operation: 'GET /subscriptions/{s}',
    shape: { none: NO_EXAMPLE_401 },
    refusal: { test: 'an unknown subscription is SubscriptionNotFound' },
  },
  {
    area: 'ARM',
    operation: 'GET .../resourcegroups/{rg}',
    shape: { none: NO_EXAMPLE_401 },
    refusal: {
      test: 'a missing resource group is ResourceGroupNotFound, a missing parent ParentResourceNotFound',
    },
  },
  {
    area: 'ARM',
    operation: 'GET {scope}/providers/Microsoft.Authorization/permissions',
    shape: { fixture: 'authorization/GetResourcePermissions.2022-05-01-preview.json' },
    refusal: { test: 'a caller with no role at the scope cannot read permissions: 403 AuthorizationFailed' },
  },
  {
    area: 'ARM',
    operation: 'GET {scope}/providers/Microsoft.Authorization/roleAssignments',
    shape: { none: 'no example kept; fields as RoleAssignments_ListForScope.json, checked in rbac.test.ts' },
    refusal: {
      test: 'a caller without the action gets 403 AuthorizationFailed naming client, object id, action and scope',
    },
  },
  {
    area: 'ARM',
    operation: 'GET {scope}/providers/Microsoft.Authorization/roleDefinitions[/{id}]',
    shape: { fixture: 'authorization/2022-04-01/GetRoleDefinitionById.json' },
    refusal: { test: 'are served as role definitions (CustomRole) and their actions are evaluated' },
  },
  {
    area: 'ARM',
    operation: 'GET operation status (Azure-AsyncOperation) and result (Location)',
    shape: { fixture: `${PG}/ServersUpdateWithMicrosoftEntraEnabled.json` },
    refusal: {
      test: 'an injected failure ends the operation Failed with its error; the server leaves Updating',
    },
  },
  {
    area: 'ARM',
    operation: 'GET /subscriptions/{s}/providers/{ns}, POST .../register',
    shape: { fixture: 'resources/2021-04-01/GetProvider.json' },
    refusal: {
      test: 'the provider shows NotRegistered; registering needs <namespace>/register/action and then linkers answer',
    },
  },
  {
    area: 'ARM',
    operation: 'any call into an unregistered namespace',
    shape: { none: 'an error answer only' },
    refusal: { test: 'calls into an unregistered namespace get 409 MissingSubscriptionRegistration' },
  },
  {
    area: 'PostgreSQL',
    operation: 'GET flexibleServers/{s} (and lists)',
    shape: { fixture: `${PG}/ServersGet.json` },
    refusal: { test: 'a missing server is ARM ResourceNotFound naming type, server and group' },
  },
  {
    area: 'PostgreSQL',
    operation: 'GET firewallRules (list)',
    shape: { fixture: `${PG}/FirewallRulesListByServer.json` },
    refusal: { test: 'a Reader can read rules but a write is 403 AuthorizationFailed naming the action' },
  },
  {
    area: 'PostgreSQL',
    operation: 'PATCH flexibleServers/{s} (authConfig)',
    shape: { fixture: `${PG}/ServersUpdateWithMicrosoftEntraEnabled.json` },
    refusal: { test: 'while an update runs the server is Updating and a second write gets 409 ServerIsBusy' },
  },
  {
    area: 'PostgreSQL',
    operation: 'POST flexibleServers/{s}/stop, /start',
    shape: { fixture: `${PG}/ServersStop.json` },
    refusal: { test: 'stopping a stopped server: accepted, then the operation fails with ServerIsNotReady' },
  },
  {
    area: 'PostgreSQL',
    operation: 'GET administrators',
    shape: { fixture: `${PG}/AdministratorsListByServer.json` },
    refusal: { test: 'an api-version the RP does not serve is NoRegisteredProviderFound' },
  },
  {
    area: 'PostgreSQL',
    operation: 'PUT administrators/{objectId}',
    shape: { fixture: `${PG}/AdministratorsMicrosoftEntraGet.json` },
    refusal: {
      test: 'a PostgreSQL admin Graph does not know: accepted, then the operation fails validating the principal',
    },
  },
  {
    area: 'PostgreSQL',
    operation: 'DELETE administrators/{objectId}',
    shape: { none: 'AdministratorDelete.json has headers only; LRO headers checked with the PATCH example' },
    refusal: { test: 'a stopped server refuses writes and parameter reads with 400 ServerStoppedError' },
  },
  {
    area: 'PostgreSQL',
    operation: 'PUT firewallRules/{name}',
    shape: { fixture: `${PG}/FirewallRulesGet.json` },
    refusal: { test: 'rejects non-IPv4 addresses, reversed ranges and bad names' },
  },
  {
    area: 'PostgreSQL',
    operation: 'DELETE firewallRules/{name}',
    shape: { none: 'FirewallRulesDelete.json has headers only; LRO headers checked with the PATCH example' },
    refusal: { test: 'a Reader can read rules but a write is 403 AuthorizationFailed naming the action' },
  },
  {
    area: 'PostgreSQL',
    operation: 'GET databases[/{db}]',
    shape: { fixture: `${PG}/DatabasesListByServer.json` },
    refusal: {
      test: 'databases: a missing one is 404 ResourceNotFound naming it, server and group; a missing server 404 too',
    },
  },
  {
    area: 'PostgreSQL',
    operation: 'GET configurations/{name}',
    shape: { fixture: `${PG}/ConfigurationsGet.json` },
    refusal: { test: 'a stopped server refuses writes and parameter reads with 400 ServerStoppedError' },
  },
  {
    area: 'PostgreSQL',
    operation: 'GET privateEndpointConnections',
    shape: { fixture: `${PG}/PrivateEndpointConnectionsGet.json` },
    refusal: { none: 'read of the server object; its refusals are those of GET server' },
  },
  {
    area: 'MySQL',
    operation: 'GET flexibleServers/{s}',
    shape: { fixture: `${MY}/ServerGet.json` },
    refusal: { test: 'a missing server is ResourceNotFound' },
  },
  {
    area: 'MySQL',
    operation: 'GET /subscriptions/{s}/providers/Microsoft.DBforMySQL/flexibleServers',
    shape: {
      none: 'items as GET flexibleServers/{s}; listed in mysql.test.ts “lists by resource group and subscription”',
    },
    refusal: { none: 'a list of the subscription: its refusals are those of GET /subscriptions/{s}' },
  },
  {
    area: 'MySQL',
    operation: 'PATCH flexibleServers/{s} (identity)',
    shape: { none: 'no PATCH example with identity in the spec; answer is the LRO headers' },
    refusal: {
      test: 'container apps and MySQL servers refuse the same way (custom role without assign/action)',
    },
  },
  {
    area: 'MySQL',
    operation: 'POST flexibleServers/{s}/stop, /start',
    shape: { none: 'example not kept; headers as the PostgreSQL stop example' },
    refusal: {
      test: 'stop, then writes and parameter reads get 409 ServerUnavailableForOperation; start again',
    },
  },
  {
    area: 'MySQL',
    operation: 'GET/PUT administrators/ActiveDirectory',
    shape: { fixture: `${MY}/AzureADAdministratorGet.json` },
    refusal: { test: 'setting an admin on a server without a user-assigned identity is refused' },
  },
  {
    area: 'MySQL',
    operation: 'PUT administrators/ActiveDirectory (a sid that names no one)',
    shape: { none: 'an error answer only (the RP validation template)' },
    refusal: { test: 'an admin whose sid names no principal or group of the tenant is refused at the PUT' },
  },
  {
    area: 'MySQL',
    operation: 'DELETE administrators/ActiveDirectory',
    shape: { fixture: `${MY}/AzureADAdministratorDelete.json` },
    refusal: {
      test: 'deleting the admin is refused as Azure refuses it: a Reader 403, an unknown admin name 400; none set is 204',
    },
  },
  {
    area: 'MySQL',
    operation: 'GET/PUT configurations/aad_auth_only',
    shape: { fixture: `${MY}/ConfigurationGet.json` },
    refusal: {
      test: 'stop, then writes and parameter reads get 409 ServerUnavailableForOperation; start again',
    },
  },
  {
    area: 'MySQL',
    operation: 'PUT firewallRules/{name}',
    shape: { fixture: 'mysql/2021-05-01/FirewallRuleGet.json' },
    refusal: { test: 'rule names follow the MySQL pattern (no dots) and addresses must be IPv4' },
  },
  {
    area: 'MySQL',
    operation: 'GET databases/{db}',
    shape: { fixture: 'mysql/2021-05-01/DatabaseGet.json' },
    refusal: { test: 'databases: get in the spec shape, create (long-running), missing one is 404' },
  },
  {
    area: 'MySQL',
    operation: 'GET firewallRules (list)',
    shape: {
      none: 'items as FirewallRuleGet.json; listed in mysql.test.ts “create (long-running), get, list and delete a rule”',
    },
    refusal: { test: 'a Reader gets 403 AuthorizationFailed on a rule write' },
  },
  {
    area: 'Azure SQL',
    operation: 'GET servers/{s}',
    shape: { fixture: 'sql/2022-08-01-preview/ServerGet.json' },
    refusal: { test: 'missing server and missing group are ARM 404s' },
  },
  {
    area: 'Azure SQL',
    operation: 'GET /subscriptions/{s}/providers/Microsoft.Sql/servers',
    shape: { fixture: 'sql/2022-08-01-preview/ServerList.json' },
    refusal: { none: 'a list of the subscription: its refusals are those of GET /subscriptions/{s}' },
  },
  {
    area: 'Azure SQL',
    operation: 'PUT administrators/ActiveDirectory',
    shape: { fixture: `${SQL}/AdministratorGet.json` },
    refusal: { test: 'a wrong administratorType and an empty body get the spec codes' },
  },
  {
    area: 'Azure SQL',
    operation: 'DELETE administrators/ActiveDirectory',
    shape: { none: 'no body; LRO headers' },
    refusal: { test: 'deleting the admin while Entra-only is on fails; after switching it off it succeeds' },
  },
  {
    area: 'Azure SQL',
    operation: 'GET/PUT azureADOnlyAuthentications/Default',
    shape: { fixture: `${SQL}/AzureADOnlyAuthList.json` },
    refusal: { test: 'Entra-only needs an admin first' },
  },
  {
    area: 'Azure SQL',
    operation: 'PUT/DELETE firewallRules/{name}',
    shape: { fixture: `${SQL}/FirewallRuleGet.json` },
    refusal: { test: 'firewall edits on a server with public access disabled fail as Azure does (42101)' },
  },
  {
    area: 'Azure SQL',
    operation: 'GET firewallRules (list)',
    shape: { fixture: `${SQL}/FirewallRuleList.json` },
    refusal: { test: 'a Reader reads rules but gets 403 AuthorizationFailed writing one' },
  },
  {
    area: 'Azure SQL',
    operation: 'GET databases/{db}',
    shape: { fixture: 'sql/2022-08-01-preview/GetVCoreDatabase.json' },
    refusal: { none: 'read only; missing database is the ARM 404 of the framework' },
  },
  {
    area: 'Azure SQL',
    operation: 'GET connectionPolicies/Default',
    shape: { fixture: 'sql/2021-05-01-preview/ServerConnectionPoliciesGet.json' },
    refusal: { none: 'read only; Azure documents no refusal' },
  },
  {
    area: 'Azure SQL',
    operation: 'TDS: CREATE USER ... FROM EXTERNAL PROVIDER run by an app',
    shape: { none: 'a T-SQL statement; error number and text from sql-docs (see SOURCES.md)' },
    refusal: {
      test: 'a service principal caller needs the server identity with Graph read rights, else 33134',
    },
  },
  {
    area: 'Azure SQL',
    operation: 'TDS: login right after PUT firewallRules/{name}',
    shape: { none: 'a login; the rule itself is the PUT firewallRules row' },
    refusal: { test: 'a new firewall rule applies only after sqlFirewallRuleDelayMs: 40615 until then' },
  },
  {
    area: 'App Service',
    operation: 'GET sites/{app}',
    shape: { fixture: 'web/2025-05-01/GetWebApp.json' },
    refusal: { test: 'missing sites and resource groups answer 404 with ARM codes' },
  },
  {
    area: 'App Service',
    operation: 'PATCH/PUT sites/{app} (identity)',
    shape: { fixture: 'web/2025-05-01/GetWebApp.json' },
    refusal: {
      test: 'attaching a user-assigned identity to a web app needs assign/action on it: 403 LinkedAuthorizationFailed',
    },
  },
  {
    area: 'App Service',
    operation: 'POST config/appsettings/list, PUT config/appsettings',
    shape: { fixture: 'web/2025-05-01/UpdateAppSettings.json' },
    refusal: {
      test: 'app settings values must be strings (Web refuses: 400 InvalidRequestContent naming the setting)',
    },
  },
  {
    area: 'Container Apps',
    operation: 'GET/PATCH containerApps/{app}',
    shape: { fixture: 'app/2026-07-01/ContainerApps_Get.json' },
    refusal: { test: 'missing apps answer 404 and a Reader cannot PATCH (403)' },
  },
  {
    area: 'Spring Apps',
    operation: 'GET/PATCH Spring/{s}/apps/{app}',
    shape: { fixture: 'appplatform/2023-12-01/Apps_Get.json' },
    refusal: { test: '404 for a missing app or service; 403 for a Reader writing' },
  },
  {
    area: 'Spring Apps',
    operation: 'GET Spring/{s}/apps (list)',
    shape: { fixture: 'appplatform/2023-12-01/Apps_List.json' },
    refusal: {
      test: 'Services_ListBySubscription and Apps_List: every service, then each app in the shape of Apps_List.json; a missing service is a 404',
    },
  },
  {
    area: 'Spring Apps',
    operation: 'GET Spring/{s}/apps/{app}/deployments (list)',
    shape: { fixture: 'appplatform/2023-12-01/Deployments_List.json' },
    refusal: {
      test: 'Deployments_List: every deployment of the app in the shape of Deployments_List.json, the active one marked; a missing app is a 404',
    },
  },
  {
    area: 'Spring Apps',
    operation: 'GET/PATCH Spring/{s}/apps/{app}/deployments/{d}',
    shape: { fixture: 'appplatform/2023-12-01/Deployments_Update.json' },
    refusal: { test: 'a Reader cannot update a deployment: 403 naming deployments/write' },
  },
  {
    area: 'App identity',
    operation: 'PATCH an app or a MySQL server: identity.type',
    shape: { none: "each RP's spec enum (see SOURCES.md); an error answer only" },
    refusal: {
      test: "identity type strings are each RP's own: 'SystemAssigned, UserAssigned' for Web, no space elsewhere",
    },
  },
  {
    area: 'App identity',
    operation: 'any write: identity.userAssignedIdentities keys',
    shape: { none: "ARM's own check; an error answer only" },
    refusal: { test: 'a user-assigned identity key that is not an ARM id is 400 LinkedInvalidPropertyId' },
  },
  {
    area: 'Managed identity',
    operation: 'GET userAssignedIdentities/{id}',
    shape: { fixture: 'msi/2024-11-30/IdentityGet.json' },
    refusal: { test: '404 for a missing identity or group; 403 for a Reader creating one' },
  },
  {
    area: 'Managed identity',
    operation: 'GET /subscriptions/{s}/providers/.../userAssignedIdentities (list)',
    shape: { fixture: 'msi/2024-11-30/IdentityListBySubscription.json' },
    refusal: { none: 'a list of the subscription: its refusals are those of GET /subscriptions/{s}' },
  },
  {
    area: 'Service Connector',
    operation: 'PUT linkers/{name}',
    shape: { fixture: `${SL}/PutLinker.json` },
    refusal: { test: 'a linker PUT needs rights on its target database: 403 LinkedAuthorizationFailed' },
  },
  {
    area: 'Service Connector',
    operation: 'GET linkers, linkers/{name}',
    shape: { fixture: `${SL}/LinkerList.json` },
    refusal: { test: 'a Reader may read linkers but not write, validate or list configurations (403)' },
  },
  {
    area: 'Service Connector',
    operation: 'POST linkers/{name}/listConfigurations',
    shape: { fixture: `${SL}/GetConfigurations.json` },
    refusal: { test: 'a Reader may read linkers but not write, validate or list configurations (403)' },
  },
  {
    area: 'Service Connector',
    operation: 'POST linkers/{name}/validateLinker',
    shape: { fixture: 'servicelinker/2022-11-01-preview/ValidateLinkerSuccess.json' },
    refusal: {
      test: 'validation reports a firewall that does not admit the app and a public-access-disabled target',
    },
  },
  {
    area: 'Service Connector',
    operation: 'DELETE linkers/{name}',
    shape: { none: 'DeleteLinker.json has no body; status and headers checked in servicelinker.test.ts' },
    refusal: {
      test: 'a Reader cannot delete a linker: 403 AuthorizationFailed naming linkers/delete, and it stays',
    },
  },
  {
    area: 'Entra ID',
    operation: 'POST /{tenant}/oauth2/v2.0/token (client credentials, client secret)',
    shape: {
      none: 'Entra has no azure-rest-api-specs examples; request and answer from the identity platform reference',
    },
    refusal: {
      test: "a wrong secret is refused with AADSTS7000215 in Entra's body, and the secret is not echoed",
    },
  },
  {
    area: 'Entra ID',
    operation: 'GET /{tenant}/v2.0/.well-known/openid-configuration',
    shape: {
      none: 'Entra has no azure-rest-api-specs examples; fields from the OpenID Connect reference',
    },
    refusal: {
      test: 'an unknown app, an unknown tenant, a scope without /.default and another grant are refused as Entra refuses them',
    },
  },
  {
    area: 'Graph',
    operation: 'GET /me, /users/{id}',
    shape: {
      none: 'Graph has no spec examples in azure-rest-api-specs; shape from the Graph v1.0 reference',
    },
    refusal: { test: 'an ARM token is refused by Graph (401 InvalidAuthenticationToken)' },
  },
  {
    area: 'Graph',
    operation: 'GET/POST servicePrincipals/{id}/appRoleAssignments',
    shape: {
      none: 'Graph has no spec examples in azure-rest-api-specs; shape from the Graph v1.0 reference',
    },
    refusal: { test: "an unknown id is Graph's 404 Request_ResourceNotFound with innerError" },
  },
  {
    area: 'Graph',
    operation: 'GET /me/memberOf, /users/{id}/memberOf, /groups/{id}/members',
    shape: {
      none: 'Graph has no spec examples in azure-rest-api-specs; shape from the Graph v1.0 reference',
    },
    refusal: { none: 'reads of the caller; an unknown id is the same 404 as servicePrincipals' },
  },
  {
    area: 'Graph',
    operation: 'GET transitiveMemberOf of an app caller (not /me, not /users)',
    shape: {
      none: 'Graph has no spec examples in azure-rest-api-specs; shape from the Graph v1.0 reference',
    },
    refusal: {
      test: "an app token has no /me (Graph's 400); its groups are at servicePrincipals/{id}/transitiveMemberOf",
    },
  },
  {
    area: 'Graph',
    operation: 'GET /servicePrincipals/{id} of an identity still replicating',
    shape: {
      none: 'Graph has no spec examples in azure-rest-api-specs; shape from the Graph v1.0 reference',
    },
    refusal: {
      test: 'a system identity switched on while replication lags is unknown to Graph until it has replicated',
    },
  },
];

function cell(evidence: Evidence, ok: boolean): string {
  if ('fixture' in evidence) return `${ok ? 'yes' : 'NO'}: \`${evidence.fixture}\``;
  if ('test' in evidence) return `${ok ? 'yes' : 'NO'}: “${evidence.test.replace(/\|/g, '\\|')}”`;
  return `n/a: ${evidence.none}`;
}

/** The markdown FIDELITY.md holds; `found` says for each row whether its named evidence exists. */
export function renderFidelity(found: (evidence: Evidence) => boolean): string {
  const lines = [
    '# Fidelity of the local Azure twin',
    '',
    'Generated by `test/azure-twin/fidelity.test.ts` from `testing/fidelity.ts` (the test fails when this',
    'file is stale; `UPDATE_FIDELITY=1` rewrites it). One row per operation the doctor, setup and audit call.',
    '"Shape" names the azure-rest-api-specs example (under `fixtures/`, sources in `fixtures/SOURCES.md`) a',
    'test compares the answer with; "Refuses" names the test that shows the refusal Azure sends. `n/a` says',
    'why a column has no evidence. Behaviour Azure does not document, and the neighbour the twin picked, is',
    'listed in `fixtures/SOURCES.md`.',
    '',
  ];
  const rows = [
    ['Area', 'Operation', 'Shape matches the spec example', 'Refuses as Azure does'],
    ...FIDELITY.map((row) => [
      row.area,
      row.operation,
      cell(row.shape, found(row.shape)),
      cell(row.refusal, found(row.refusal)),
    ]),
  ];
  // Padded columns, as the repository's formatter (Biome) writes markdown tables.
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((text, i) => text.padEnd(widths[i]!)).join(' | ')} |`;
  lines.push(line(rows[0]!), line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows.slice(1)) lines.push(line(row));
  const withShape = FIDELITY.filter((row) => !('none' in row.shape)).length;
  const withRefusal = FIDELITY.filter((row) => !('none' in row.refusal)).length;
  lines.push(
    '',
    `${FIDELITY.length} operations; ${withShape} with a spec-example shape test, ${withRefusal} with a refusal test; every other cell says why.`,
    '',
  );
  return lines.join('\n');
}
