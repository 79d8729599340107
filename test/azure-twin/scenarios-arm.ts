/**
 * Scenarios for setup's test matrix on the ARM side (issue 7): who administers the servers, how the
 * servers authenticate, what identity the app has, what Dana may do, and what the subscription has
 * registered. Each starts from the healthy world (`seed`, the `seedWorld` of scenarios.ts) and changes
 * the one thing its name says, through the providers' own seed helpers so shapes stay those of GET.
 */
import type { CustomRole, Group } from './api.ts';
import { IDS } from './framework/world.ts';
import type { MysqlSeed } from './providers/mysql.ts';
import type { PostgresSeed } from './providers/postgres.ts';
import { writeSourceSettings } from './providers/source-apps.ts';
import { type SqlSeed, seedSqlServer } from './providers/sql.ts';
import type { Scenario, ScenarioTarget } from './scenarios.ts';

/** The part of scenarios.ts's `seedWorld` these scenarios use. */
export type SeedHealthy = (
  target: ScenarioTarget,
  shape?: {
    postgres?: Partial<PostgresSeed>;
    mysql?: Partial<MysqlSeed>;
    sql?: Partial<SqlSeed>;
    danaRoles?: { roleName: string; scope: string }[];
  },
) => void;

/** Ids these scenarios add to the world (tests name them). */
export const ARM_SCENARIO_IDS = {
  /** Entra group "Orders DB Admins" (Dana is a member): PostgreSQL admin in `pg-group-admin`. */
  pgAdminGroup: '9a0a0000-0000-4000-8000-00000000a0a1',
  /** Entra group "Orders SQL Admins" (Dana is a member): Azure SQL admin in `sql-group-admin`. */
  sqlAdminGroup: '9a0a0000-0000-4000-8000-00000000a0a2',
  /** The custom role of `custom-role`. */
  customRole: 'c0570000-0000-4000-8000-0000000000d1',
} as const;

const sub = `/subscriptions/${IDS.subscriptionId}`;
const group = `${sub}/resourceGroups/rg-orders`;
const ids = {
  postgres: `${group}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders`,
  sql: `${group}/providers/Microsoft.Sql/servers/sql-orders`,
  webApp: `${group}/providers/Microsoft.Web/sites/orders-api`,
};

function addGroup(target: ScenarioTarget, added: Group): void {
  target.world.groups = [...(target.world.groups ?? []), added];
}

/** Replaces the Azure SQL admin of the healthy world (everything else on the server stays). */
function sqlAdmin(target: ScenarioTarget, admin: { login: string; sid: string }): void {
  seedSqlServer(target, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: 'rg-orders',
    name: 'sql-orders',
    admin,
  });
}

/** A custom role that can manage the databases' Entra admins and firewalls and read the apps. */
const DATABASE_OPERATOR: CustomRole = {
  id: ARM_SCENARIO_IDS.customRole,
  roleName: 'Orders Database Operator',
  description: 'Manages Entra admins and firewall rules of the orders databases; reads apps.',
  assignableScopes: [group],
  permissions: [
    {
      actions: [
        '*/read',
        'Microsoft.DBforPostgreSQL/flexibleServers/administrators/*',
        'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules/*',
        'Microsoft.DBforMySQL/flexibleServers/administrators/*',
        'Microsoft.DBforMySQL/flexibleServers/firewallRules/*',
        'Microsoft.Sql/servers/administrators/*',
        'Microsoft.Sql/servers/firewallRules/*',
      ],
      notActions: [],
      dataActions: [],
      notDataActions: [],
    },
  ],
};

export function armScenarios(seed: SeedHealthy): Record<string, Scenario> {
  return {
    /** PostgreSQL whose only Entra admin is the group "Orders DB Admins", which Dana belongs to. */
    'pg-group-admin': (t) => {
      addGroup(t, {
        objectId: ARM_SCENARIO_IDS.pgAdminGroup,
        displayName: 'Orders DB Admins',
        members: [IDS.dana],
      });
      seed(t, {
        postgres: {
          admins: [
            {
              objectId: ARM_SCENARIO_IDS.pgAdminGroup,
              principalName: 'Orders DB Admins',
              principalType: 'Group',
            },
          ],
        },
      });
    },
    /** PostgreSQL with password authentication Disabled (Microsoft Entra only). */
    'pg-entra-only': (t) => seed(t, { postgres: { passwordAuth: false } }),
    /** MySQL with the server parameter `aad_auth_only` = ON. */
    'mysql-aad-only': (t) => seed(t, { mysql: { entraOnly: true } }),
    /** Azure SQL whose Entra admin is the web app's system identity (sid = its client id). */
    'sql-app-admin': (t) => {
      seed(t);
      const app = t.world.principals.find((p) => p.alternativeId?.toLowerCase() === ids.webApp.toLowerCase());
      if (app?.appId) sqlAdmin(t, { login: 'orders-api', sid: app.appId });
    },
    /** Azure SQL whose Entra admin is the group "Orders SQL Admins", which Dana belongs to. */
    'sql-group-admin': (t) => {
      addGroup(t, {
        objectId: ARM_SCENARIO_IDS.sqlAdminGroup,
        displayName: 'Orders SQL Admins',
        members: [IDS.dana],
      });
      seed(t);
      sqlAdmin(t, { login: 'Orders SQL Admins', sid: ARM_SCENARIO_IDS.sqlAdminGroup });
    },
    /** The web app orders-api has no managed identity at all. */
    'app-no-identity': (t) => {
      seed(t);
      const site = t.store.get(ids.webApp);
      if (site) {
        delete site.identity;
        t.store.put(site);
      }
    },
    /** Dana is Contributor on the subscription: no User Access Administrator or Owner. */
    'contributor-only': (t) => seed(t, { danaRoles: [{ roleName: 'Contributor', scope: sub }] }),
    /**
     * Dana is Website Contributor and SQL Server Contributor on the group (Azure has no built-in
     * contributor role for the flexible servers) but not Managed Identity Operator.
     */
    'website-contributor-no-mio': (t) =>
      seed(t, {
        danaRoles: [
          { roleName: 'Website Contributor', scope: group },
          { roleName: 'SQL Server Contributor', scope: group },
        ],
      }),
    /** Dana holds only the custom role "Orders Database Operator" on the group. */
    'custom-role': (t) => {
      t.world.customRoles = [...(t.world.customRoles ?? []), DATABASE_OPERATOR];
      seed(t, { danaRoles: [{ roleName: DATABASE_OPERATOR.roleName, scope: group }] });
    },
    /** Dana is Reader on the subscription and Contributor on the PostgreSQL server only. */
    'resource-scoped-role': (t) =>
      seed(t, {
        danaRoles: [
          { roleName: 'Reader', scope: sub },
          { roleName: 'Contributor', scope: ids.postgres },
        ],
      }),
    /** orders-api already has AZURE_POSTGRESQL_* app settings (from an earlier connection). */
    'existing-settings': (t) => {
      seed(t);
      writeSourceSettings(t.store, ids.webApp, { store: 'appSettings' }, [
        { name: 'AZURE_POSTGRESQL_HOST', value: 'pg-orders.postgres.database.azure.com' },
        { name: 'AZURE_POSTGRESQL_DATABASE', value: 'orders' },
        { name: 'AZURE_POSTGRESQL_USER', value: 'orders-api' },
        { name: 'AZURE_POSTGRESQL_PORT', value: '5432' },
        { name: 'AZURE_POSTGRESQL_SSL', value: 'true' },
      ]);
    },
    /** Microsoft.ServiceLinker is not registered in the subscription. */
    'servicelinker-unregistered': (t) => {
      seed(t);
      t.world.unregisteredProviders = ['Microsoft.ServiceLinker'];
    },
  };
}
