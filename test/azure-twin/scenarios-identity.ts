/**
 * Scenarios of who signs in and how the servers know them (issue 13, "Identities and sign-in done
 * right"): a B2B guest whose admin entries carry its `#EXT#` name, a MySQL group admin, and an
 * operator that is a service principal (with Azure SQL's server identity that lets an app create Entra
 * users). Each starts from the healthy world (`seed`, the `seedWorld` of scenarios.ts).
 */
import type { Principal } from './api.ts';
import { IDS } from './framework/world.ts';
import { GRAPH_APP_ROLES } from './providers/graph.ts';
import type { MysqlSeed } from './providers/mysql.ts';
import type { PostgresSeed } from './providers/postgres.ts';
import type { SqlSeed } from './providers/sql.ts';
import type { Scenario, ScenarioTarget } from './scenarios.ts';

/** The part of scenarios.ts's `seedWorld` these scenarios use. */
export type SeedWorld = (
  target: ScenarioTarget,
  shape?: {
    postgres?: Partial<PostgresSeed>;
    mysql?: Partial<MysqlSeed>;
    sql?: Partial<SqlSeed>;
    signedInAs?: string | null;
  },
) => void;

/** Kim, a B2B guest from fabrikam: signs in as her home account, named `#EXT#` in this tenant. */
export const GUEST = {
  objectId: '6e57a000-0000-4000-8000-00000000f1a1',
  signInName: 'kim@fabrikam.example',
  userPrincipalName: 'kim_fabrikam.example#EXT#@contoso.twin.test',
  displayName: 'Kim Guest',
} as const;

/** The service principal that runs setup in `sp-operator` (a CI pipeline's app registration). */
export const DEPLOYER = {
  objectId: '5e1f0000-0000-4000-8000-00000000de91',
  appId: '5e1f0000-0000-4000-8000-00000000a991',
  displayName: 'orders-deployer',
} as const;

/** The Entra group of `mysql-group-admin` (Dana is a member). */
export const MYSQL_ADMIN_GROUP = {
  objectId: '9a0a0000-0000-4000-8000-00000000a0a3',
  displayName: 'Orders MySQL Admins',
} as const;

const subscription = `/subscriptions/${IDS.subscriptionId}`;

function owner(target: ScenarioTarget, principalId: string): void {
  target.world.roleAssignments.push({ principalId, roleName: 'Owner', scope: subscription });
}

/** Grants `principalId` the three Graph application permissions a server identity needs. */
export function grantGraphRead(target: Pick<ScenarioTarget, 'world'>, principalId: string): void {
  for (const role of GRAPH_APP_ROLES)
    target.world.appRoleAssignments.push({
      id: `${role.id.slice(0, 8)}-grant-${principalId.slice(0, 8)}`,
      principalId,
      resourceId: IDS.graphServicePrincipal,
      appRoleId: role.id,
    });
}

export function identityScenarios(seed: SeedWorld): Record<string, Scenario> {
  return {
    /**
     * Kim, a B2B guest, is signed in and is the Entra admin of all three servers under her `#EXT#`
     * name (as the portal creates the entries); her token says kim@fabrikam.example.
     */
    'guest-admin': (t) => {
      const guest: Principal = {
        objectId: GUEST.objectId,
        tenantId: t.world.tenantId,
        kind: 'user',
        displayName: GUEST.displayName,
        userPrincipalName: GUEST.userPrincipalName,
        signInName: GUEST.signInName,
        userType: 'Guest',
      };
      t.addPrincipal(guest);
      seed(t, {
        signedInAs: GUEST.objectId,
        postgres: {
          admins: [
            { objectId: GUEST.objectId, principalName: GUEST.userPrincipalName, principalType: 'User' },
          ],
        },
        mysql: { admin: { login: GUEST.userPrincipalName, sid: GUEST.objectId } },
        sql: { admin: { login: GUEST.userPrincipalName, sid: GUEST.objectId } },
      });
      owner(t, GUEST.objectId);
    },
    /** MySQL whose single Entra admin is the group "Orders MySQL Admins", which Dana belongs to. */
    'mysql-group-admin': (t) => {
      t.world.groups = [
        ...(t.world.groups ?? []),
        {
          objectId: MYSQL_ADMIN_GROUP.objectId,
          displayName: MYSQL_ADMIN_GROUP.displayName,
          members: [IDS.dana],
        },
      ];
      seed(t, {
        mysql: { admin: { login: MYSQL_ADMIN_GROUP.displayName, sid: MYSQL_ADMIN_GROUP.objectId } },
      });
    },
    /**
     * The service principal orders-deployer runs setup (Owner on the subscription) and is the Entra
     * admin of all three servers: PostgreSQL's entry of type ServicePrincipal, MySQL's by object id,
     * SQL's by client id. sql-orders has a system identity holding the Graph read permissions, so an
     * app may create Entra users in it.
     */
    'sp-operator': (t) => {
      t.addPrincipal({
        objectId: DEPLOYER.objectId,
        appId: DEPLOYER.appId,
        tenantId: t.world.tenantId,
        kind: 'servicePrincipal',
        displayName: DEPLOYER.displayName,
      });
      seed(t, {
        signedInAs: DEPLOYER.objectId,
        postgres: {
          admins: [
            { objectId: DEPLOYER.objectId, principalName: DEPLOYER.appId, principalType: 'ServicePrincipal' },
          ],
        },
        mysql: { admin: { login: DEPLOYER.appId, sid: DEPLOYER.objectId } },
        sql: { admin: { login: DEPLOYER.displayName, sid: DEPLOYER.appId }, identity: { system: true } },
      });
      owner(t, DEPLOYER.objectId);
      const serverIdentity = t.world.principals.find(
        (p) =>
          p.kind === 'managedIdentity' &&
          /\/Microsoft\.Sql\/servers\/sql-orders$/i.test(p.alternativeId ?? ''),
      );
      if (serverIdentity) grantGraphRead(t, serverIdentity.objectId);
    },
  };
}
