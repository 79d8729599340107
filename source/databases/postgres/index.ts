/** The PostgreSQL flexible server adapter (see ../adapter.ts). */
import type { DatabaseAdapter } from '../adapter.ts';
import { ossUserCheck } from '../user-check.ts';
import { postgresArm } from './arm.ts';
import { postgresDescriptor } from './descriptor.ts';
import { postgresEntraConfig } from './entra-config.ts';
import { postgresFirewall } from './firewall.ts';
import { probePostgres } from './probe.ts';
import { postgresServerFacts } from './server-facts.ts';

export const postgres: DatabaseAdapter = {
  ...postgresDescriptor,
  serverFacts: postgresServerFacts,
  arm: postgresArm,
  firewall: postgresFirewall,
  entraConfig: postgresEntraConfig,
  checkUser: ossUserCheck(postgresDescriptor, probePostgres),
};
