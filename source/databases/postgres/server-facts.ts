/** What only a PostgreSQL flexible server resource says: its Entra settings and its password admin. */
import type { ServerFacts } from '../facts.ts';
import { commonServerFacts, type ServerResource } from '../server-facts.ts';

export function postgresServerFacts(resource: unknown): ServerFacts {
  const props = ((resource ?? {}) as ServerResource).properties ?? {};
  return {
    ...commonServerFacts('postgres', resource),
    privateDnsZoneId: props.network?.privateDnsZoneArmResourceId ?? null,
    authConfig: props.authConfig
      ? {
          activeDirectoryAuth: props.authConfig.activeDirectoryAuth ?? null,
          passwordAuth: props.authConfig.passwordAuth ?? null,
        }
      : null,
    administratorLogin: props.administratorLogin || null,
    database: null,
  };
}
