/**
 * Built-in Azure role definitions the twin knows, with their real ids and permission blocks.
 * Sources are listed above `BUILT_IN_ROLES`.
 */

export interface RolePermission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinition {
  /** The role definition GUID (same in every subscription). */
  id: string;
  roleName: string;
  description: string;
  permissions: RolePermission[];
}

function block(
  actions: string[],
  notActions: string[] = [],
  dataActions: string[] = [],
  notDataActions: string[] = [],
): RolePermission {
  return { actions, notActions, dataActions, notDataActions };
}

/**
 * Sources (MicrosoftDocs/azure-docs, generated role reference, 2026 revisions):
 * - Owner, Contributor, User Access Administrator, Role Based Access Control Administrator:
 *   articles/role-based-access-control/built-in-roles/privileged.md
 * - Reader: articles/role-based-access-control/built-in-roles/general.md
 * - Website Contributor: articles/role-based-access-control/built-in-roles/web-and-mobile.md
 * - SQL Server Contributor: articles/role-based-access-control/built-in-roles/databases.md
 * - Managed Identity Operator: articles/role-based-access-control/built-in-roles/identity.md
 */
export const BUILT_IN_ROLES: RoleDefinition[] = [
  {
    id: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    roleName: 'Owner',
    description:
      'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
    permissions: [block(['*'])],
  },
  {
    id: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    roleName: 'Contributor',
    description:
      'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.',
    permissions: [
      block(
        ['*'],
        [
          'Microsoft.Authorization/*/Delete',
          'Microsoft.Authorization/*/Write',
          'Microsoft.Authorization/elevateAccess/Action',
          'Microsoft.Blueprint/blueprintAssignments/write',
          'Microsoft.Blueprint/blueprintAssignments/delete',
          'Microsoft.Compute/galleries/share/action',
          'Microsoft.Purview/consents/write',
          'Microsoft.Purview/consents/delete',
          'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
          'Microsoft.Subscription/cancel/action',
          'Microsoft.Subscription/enable/action',
        ],
      ),
    ],
  },
  {
    id: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    roleName: 'Reader',
    description: 'View all resources, but does not allow you to make any changes.',
    permissions: [block(['*/read'])],
  },
  {
    id: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    roleName: 'User Access Administrator',
    description: 'Lets you manage user access to Azure resources.',
    permissions: [block(['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'])],
  },
  {
    id: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
    roleName: 'Role Based Access Control Administrator',
    description:
      'Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.',
    permissions: [
      block([
        'Microsoft.Authorization/roleAssignments/write',
        'Microsoft.Authorization/roleAssignments/delete',
        '*/read',
        'Microsoft.Support/*',
      ]),
    ],
  },
  {
    id: 'de139f84-1756-47ae-9be6-808fbbe84772',
    roleName: 'Website Contributor',
    description: 'Lets you manage websites (not web plans), but not access to them.',
    permissions: [
      block([
        'Microsoft.Authorization/*/read',
        'Microsoft.Insights/alertRules/*',
        'Microsoft.Insights/components/*',
        'Microsoft.ResourceHealth/availabilityStatuses/read',
        'Microsoft.Resources/deployments/*',
        'Microsoft.Resources/subscriptions/resourceGroups/read',
        'Microsoft.Support/*',
        'Microsoft.Web/certificates/*',
        'Microsoft.Web/listSitesAssignedToHostName/read',
        'Microsoft.Web/serverFarms/join/action',
        'Microsoft.Web/serverFarms/read',
        'Microsoft.Web/sites/*',
      ]),
    ],
  },
  {
    id: '6d8ee4ec-f05a-4a1d-8b00-a9b17e38b437',
    roleName: 'SQL Server Contributor',
    description:
      'Lets you manage SQL servers and databases, but not access to them, and not their security -related policies.',
    permissions: [
      block(
        [
          'Microsoft.Authorization/*/read',
          'Microsoft.Insights/alertRules/*',
          'Microsoft.ResourceHealth/availabilityStatuses/read',
          'Microsoft.Resources/deployments/*',
          'Microsoft.Resources/subscriptions/resourceGroups/read',
          'Microsoft.Sql/locations/*/read',
          'Microsoft.Sql/servers/*',
          'Microsoft.Support/*',
          'Microsoft.Insights/metrics/read',
          'Microsoft.Insights/metricDefinitions/read',
        ],
        [
          'Microsoft.Sql/managedInstances/databases/currentSensitivityLabels/*',
          'Microsoft.Sql/managedInstances/databases/recommendedSensitivityLabels/*',
          'Microsoft.Sql/managedInstances/databases/schemas/tables/columns/sensitivityLabels/*',
          'Microsoft.Sql/managedInstances/databases/securityAlertPolicies/*',
          'Microsoft.Sql/managedInstances/databases/sensitivityLabels/*',
          'Microsoft.Sql/managedInstances/databases/vulnerabilityAssessments/*',
          'Microsoft.Sql/managedInstances/securityAlertPolicies/*',
          'Microsoft.Sql/managedInstances/vulnerabilityAssessments/*',
          'Microsoft.Sql/servers/auditingSettings/*',
          'Microsoft.Sql/servers/databases/auditingSettings/*',
          'Microsoft.Sql/servers/databases/auditRecords/read',
          'Microsoft.Sql/servers/databases/currentSensitivityLabels/*',
          'Microsoft.Sql/servers/databases/dataMaskingPolicies/*',
          'Microsoft.Sql/servers/databases/extendedAuditingSettings/*',
          'Microsoft.Sql/servers/databases/recommendedSensitivityLabels/*',
          'Microsoft.Sql/servers/databases/schemas/tables/columns/sensitivityLabels/*',
          'Microsoft.Sql/servers/databases/securityAlertPolicies/*',
          'Microsoft.Sql/servers/databases/securityMetrics/*',
          'Microsoft.Sql/servers/databases/sensitivityLabels/*',
          'Microsoft.Sql/servers/databases/vulnerabilityAssessments/*',
          'Microsoft.Sql/servers/databases/vulnerabilityAssessmentScans/*',
          'Microsoft.Sql/servers/databases/vulnerabilityAssessmentSettings/*',
          'Microsoft.Sql/servers/devOpsAuditingSettings/*',
          'Microsoft.Sql/servers/extendedAuditingSettings/*',
          'Microsoft.Sql/servers/securityAlertPolicies/*',
          'Microsoft.Sql/servers/vulnerabilityAssessments/*',
          'Microsoft.Sql/servers/azureADOnlyAuthentications/delete',
          'Microsoft.Sql/servers/azureADOnlyAuthentications/write',
          'Microsoft.Sql/servers/externalPolicyBasedAuthorizations/delete',
          'Microsoft.Sql/servers/externalPolicyBasedAuthorizations/write',
        ],
      ),
    ],
  },
  {
    id: 'f1a07417-d97a-45cb-824c-7a7467783830',
    roleName: 'Managed Identity Operator',
    description: 'Read and Assign User Assigned Identity',
    permissions: [
      block([
        'Microsoft.ManagedIdentity/userAssignedIdentities/*/read',
        'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action',
        'Microsoft.Authorization/*/read',
        'Microsoft.Insights/alertRules/*',
        'Microsoft.Resources/subscriptions/resourceGroups/read',
        'Microsoft.Resources/deployments/*',
        'Microsoft.Support/*',
      ]),
    ],
  },
];
