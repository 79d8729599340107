/** PostgreSQL flexible server's login rules as the twin's front proxy applies them, read from ARM. */
import type { ArmResource } from '../azure-twin/api.ts';
import { issueToken, type TokenConfig, verifyToken } from '../azure-twin/tokens.ts';
import {
  type ArmView,
  clientIp,
  firewallAdmits,
  isJwt,
  isServing,
  jwtPayload,
  serverFor,
  transitiveGroups,
} from './arm-view.ts';
import { hbaRefusal, type PgLoginAttempt, type PgRefusal, type PostgresGate } from './postgres-front.ts';

/** `properties.authConfig` of a PostgreSQL flexible server: is this kind of login enabled? */
export function postgresAuthEnabled(server: ArmResource, kind: 'token' | 'password'): boolean {
  const auth = (server.properties?.authConfig ?? {}) as {
    activeDirectoryAuth?: string;
    passwordAuth?: string;
  };
  return kind === 'token' ? auth.activeDirectoryAuth === 'Enabled' : auth.passwordAuth !== 'Disabled';
}

/**
 * PostgreSQL flexible server's login rules, from ARM:
 * - not Ready/Updating: the connection is reset. Azure's answer for a stopped server is not captured;
 *   a host that does not answer (refused/timeout) is what clients see, so a TCP-level failure it is.
 * - public access off or no firewall rule covering `world.clientIp`: FATAL 28000 `no pg_hba.conf entry
 *   for host "<ip>", user "<user>", database "<db>", SSL encryption` (Learn, PostgreSQL flexible
 *   "Networking with public access": the refusal names the client's public address).
 * - a token while `authConfig.activeDirectoryAuth` is Disabled, or a password while `passwordAuth` is
 *   Disabled: FATAL 28P01 `password authentication failed for user "<user>"`. Azure's wording here is
 *   not captured anywhere public; PostgreSQL's own failed-password text is the documented neighbour.
 * - a token for another audience: Azure's text (microsoft/azuredatastudio-postgresql#505).
 */
export function postgresGate(
  view: ArmView,
  ossrdbmsAudience: string,
  tokens?: { config: TokenConfig; now(): number },
): PostgresGate {
  const server = (name: string | undefined) => serverFor(view, 'postgres', name);
  const ip = () => clientIp(view.world);
  return {
    clientIp: ip,
    serving(name) {
      const found = server(name);
      return found !== undefined && isServing(found);
    },
    admit(attempt: PgLoginAttempt): PgRefusal | undefined {
      const found = server(attempt.serverName);
      if (found && firewallAdmits(view, found, ip())) return undefined;
      return hbaRefusal(ip(), attempt.user, attempt.database, 'SSL encryption');
    },
    authenticate(attempt, password) {
      const found = server(attempt.serverName);
      if (!found) return hbaRefusal(ip(), attempt.user, attempt.database, 'SSL encryption');
      const kind = isJwt(password) ? 'token' : 'password';
      if (!postgresAuthEnabled(found, kind)) {
        return { code: '28P01', message: `password authentication failed for user "${attempt.user}"` };
      }
      if (kind === 'token') {
        const audience = String(jwtPayload(password)?.aud ?? '');
        if (audience.replace(/\/$/, '') !== ossrdbmsAudience.replace(/\/$/, '')) {
          return {
            code: '28000',
            message: `The access token does not have a valid audience claim. Please acquire a new token for the resource "${ossrdbmsAudience}".`,
          };
        }
      }
      return undefined;
    },
    backendPassword(attempt, password) {
      const found = server(attempt.serverName);
      if (!tokens || !found || !isJwt(password)) return undefined;
      return groupLoginPassword(view, found, attempt.user, password, ossrdbmsAudience, tokens);
    },
  };
}

/**
 * A group admin's member signing in: `user` is the name of a Group admin entry of the server, and
 * `token` (verified: twin-signed, in date, the ossrdbms audience) belongs to a member of that group,
 * directly or through nested groups. Then the group role's password (the token twin_aad.token makes
 * for the group's object id, pgaadauth.sql), else undefined (the real server refuses the token).
 */
function groupLoginPassword(
  view: ArmView,
  server: ArmResource,
  user: string,
  token: string,
  audience: string,
  tokens: { config: TokenConfig; now(): number },
): string | undefined {
  const admin = view.store.children(server.id, `${server.type}/administrators`).find((entry) => {
    const props = (entry.properties ?? {}) as { principalName?: string; principalType?: string };
    return props.principalType?.toLowerCase() === 'group' && props.principalName === user;
  });
  if (!admin) return undefined;
  const claims = verifyToken(tokens.config, token, tokens.now());
  if (!claims || claims.aud.replace(/\/$/, '') !== audience.replace(/\/$/, '')) return undefined;
  const groupId = String((admin.properties as { objectId?: string })?.objectId ?? admin.name);
  if (!transitiveGroups(view, claims.oid).includes(groupId.toLowerCase())) return undefined;
  // `group` is the object type pgaadauth.sql signs into a group role's password.
  const subject = { objectId: groupId, tenantId: view.world.tenantId, idtyp: 'group' as 'app' };
  return issueToken(tokens.config, subject, audience, false);
}
