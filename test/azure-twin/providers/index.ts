/**
 * Every provider the twin serves. Provider modules export `provider` (the contract) — a module that
 * only has a default export is accepted too.
 */
import type { Provider } from '../api.ts';
import * as containerapps from './containerapps.ts';
import * as graph from './graph.ts';
import * as graphGroups from './graph-groups.ts';
import * as identities from './identities.ts';
import * as managedEnvironments from './managed-environments.ts';
import * as mysql from './mysql.ts';
import * as network from './network.ts';
import * as postgres from './postgres.ts';
import * as privateDns from './private-dns.ts';
import * as rbac from './rbac.ts';
import * as resourceGraph from './resource-graph.ts';
import * as servicelinker from './servicelinker.ts';
import * as spring from './spring.ts';
import * as sql from './sql.ts';
import * as web from './web.ts';

function pick(module: object, file: string): Provider {
  const { provider, default: fallback } = module as { provider?: Provider; default?: Provider };
  const found = provider ?? fallback;
  if (!found) throw new Error(`test/azure-twin/providers/${file}.ts exports no provider`);
  return found;
}

export const providers: Provider[] = [
  pick(postgres, 'postgres'),
  pick(mysql, 'mysql'),
  pick(sql, 'sql'),
  pick(web, 'web'),
  pick(containerapps, 'containerapps'),
  pick(spring, 'spring'),
  pick(identities, 'identities'),
  pick(servicelinker, 'servicelinker'),
  pick(graph, 'graph'),
  pick(graphGroups, 'graph-groups'),
  pick(rbac, 'rbac'),
  pick(network, 'network'),
  pick(privateDns, 'private-dns'),
  pick(managedEnvironments, 'managed-environments'),
  pick(resourceGraph, 'resource-graph'),
];
