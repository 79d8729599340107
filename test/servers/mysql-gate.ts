/** MySQL flexible server's login and CREATE AADUSER rules as the twin's MySQL proxy applies them, read from ARM. */
import type { ArmResource } from '../azure-twin/api.ts';
import {
  type ArmView,
  clientIp,
  firewallAdmits,
  isJwt,
  isServing,
  serverFor,
  transitiveGroups,
} from './arm-view.ts';
import type { MysqlGate, MysqlRefusal } from './mysql-aad-proxy.ts';

/** A MySQL server parameter as ARM reports it (a stored override, else `fallback`). */
export function mysqlParameter(view: ArmView, server: ArmResource, name: string, fallback: string): string {
  const stored = view.store.get(`${server.id}/configurations/${name}`);
  return String(stored?.properties?.value ?? fallback);
}

/** The MySQL server's Entra admin (`administrators/ActiveDirectory`), if ARM has one. */
export function mysqlAdmin(view: ArmView, server: ArmResource): ArmResource | undefined {
  return view.store.get(`${server.id}/administrators/ActiveDirectory`);
}

/** Object ids (principalId) of the user-assigned identities attached to a MySQL server. */
export function mysqlIdentityPrincipals(view: ArmView, server: ArmResource): string[] {
  const map = (server.identity?.userAssignedIdentities ?? {}) as Record<string, { principalId?: string }>;
  return Object.entries(map)
    .map(([id, value]) => {
      const known = view.world.principals.find((p) => p.alternativeId?.toLowerCase() === id.toLowerCase());
      return known?.objectId ?? value?.principalId ?? '';
    })
    .filter(Boolean);
}

/** Graph application permissions Azure MySQL needs on its identity to resolve Entra users. */
export const MYSQL_GRAPH_ROLES = {
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'GroupMember.Read.All': '98830695-27a2-44f7-8c18-0c3ebc9698f6',
  'Application.Read.All': '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
} as const;

/** True when one of the server's identities holds all three Graph roles. */
export function mysqlIdentityCanReadGraph(view: ArmView, server: ArmResource): boolean {
  return mysqlIdentityPrincipals(view, server).some((principalId) =>
    Object.values(MYSQL_GRAPH_ROLES).every((roleId) =>
      view.world.appRoleAssignments.some(
        (a) => a.principalId.toLowerCase() === principalId.toLowerCase() && a.appRoleId === roleId,
      ),
    ),
  );
}

/**
 * MySQL flexible server's login rules, from ARM:
 * - not Ready/Updating: the connection is reset (no capture of Azure's answer; a host that does not
 *   answer is what clients see).
 * - public access off or no firewall rule covering `world.clientIp`: ERROR 9000 (HY000) `Client with IP
 *   address '<ip>' is not allowed to connect to this MySQL server.` This is Azure's single-server
 *   gateway wording; the flexible server's is not captured publicly, so the documented neighbour is used.
 * - a password (not a JWT) while the server parameter aad_auth_only is ON: ERROR 9107 (HY000) `Only
 *   Microsoft Entra accounts are allowed to connect to server` (Learn, MySQL flexible "What's new",
 *   2022 known issue; older pages say "Azure Active Directory").
 * - a token while the server has no user-assigned identity or no Entra admin: Entra sign-in is not
 *   configured, so the token is just a wrong password: ERROR 1045 `Access denied for user ...`
 *   (Learn, MySQL flexible "Microsoft Entra authentication": both are required).
 * - CREATE AADUSER while no attached identity holds User.Read.All, GroupMember.Read.All and
 *   Application.Read.All: ERROR 9102 `An unexpected error occurred while trying to validate user
 *   '<name>'.` (petoju/terraform-provider-mysql#79; single-server capture, flexible wording unverified).
 */
export function mysqlGate(view: ArmView): MysqlGate {
  const server = (name: string | undefined) => serverFor(view, 'mysql', name);
  const ip = () => clientIp(view.world);
  const denied = (user: string): MysqlRefusal => ({
    errno: 1045,
    sqlState: '28000',
    message: `Access denied for user '${user}'@'${ip()}' (using password: YES)`,
  });
  return {
    clientIp: ip,
    serving(name) {
      const found = server(name);
      return found !== undefined && isServing(found);
    },
    admit(name) {
      const found = server(name);
      if (found && firewallAdmits(view, found, ip())) return undefined;
      return {
        errno: 9000,
        sqlState: 'HY000',
        message: `Client with IP address '${ip()}' is not allowed to connect to this MySQL server.`,
      };
    },
    authenticate(name, user, secret) {
      const found = server(name);
      if (!found) return denied(user);
      if (!isJwt(secret)) {
        if (mysqlParameter(view, found, 'aad_auth_only', 'OFF').toUpperCase() === 'ON') {
          return {
            errno: 9107,
            sqlState: 'HY000',
            message: 'Only Microsoft Entra accounts are allowed to connect to server',
          };
        }
        return undefined;
      }
      if (mysqlIdentityPrincipals(view, found).length === 0 || !mysqlAdmin(view, found)) return denied(user);
      return undefined;
    },
    memberOf: (objectId) => transitiveGroups(view, objectId),
    objectIdKnown: (id) =>
      view.world.principals.some((p) => p.objectId.toLowerCase() === id.toLowerCase()) ||
      (view.world.groups ?? []).some((g) => g.objectId.toLowerCase() === id.toLowerCase()),
    createAadUser(name, user) {
      const found = server(name);
      if (found && mysqlIdentityCanReadGraph(view, found)) return undefined;
      return {
        errno: 9102,
        sqlState: 'HY000',
        message: `An unexpected error occurred while trying to validate user '${user}'.`,
      };
    },
  };
}
