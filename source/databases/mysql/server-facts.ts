/** What only a MySQL flexible server resource says: its private DNS zone (under its own name). */
import type { ServerFacts } from '../facts.ts';
import { commonServerFacts, type ServerResource } from '../server-facts.ts';

export function mysqlServerFacts(resource: unknown): ServerFacts {
  const props = ((resource ?? {}) as ServerResource).properties ?? {};
  return {
    ...commonServerFacts('mysql', resource),
    privateDnsZoneId: props.network?.privateDnsZoneResourceId ?? null,
    database: null,
  };
}
