/**
 * The `server` check's hand-over, stood in for tests of the checks after it: the twin's server as
 * `data.server`, described by the product's own adapter (`serverFacts`), as the real check does after its
 * read, without the lookup (so a test of the access checks does not depend on the server check).
 */

import type { ServerFacts } from '../../source/databases/facts.ts';
import { adapterOf } from '../../source/databases/index.ts';
import type { DatabaseKind } from '../../source/databases/kind.ts';
import type { DoctorCheck } from '../../source/doctor/check.ts';
import type { Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';

/** A `server` check that passes with the scenario's server of `kind`, its database, and `overrides`. */
export function serverStandIn(
  twin: Twin,
  kind: DatabaseKind,
  overrides: Partial<ServerFacts> = {},
): DoctorCheck {
  return {
    id: 'server',
    title: 'Database server',
    needs: ['signin'],
    async run() {
      const resource = twin.store.get(RESOURCE_IDS[kind])!;
      const server: ServerFacts = {
        ...adapterOf(kind).serverFacts(resource),
        database: { name: NAMES.database, exists: true },
        ...overrides,
      };
      return { status: 'pass', message: resource.name, data: { server } };
    },
  };
}
