/** The PostgreSQL flexible server adapter (see ../adapter.ts). */
import { enumIs } from '../../azure/enums.ts';
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
  // Setup writes the server only to switch Entra authentication on.
  serverWrite: (server) =>
    enumIs(server?.authConfig?.activeDirectoryAuth, 'Enabled') ? null : 'turn on Entra authentication',
  arm: postgresArm,
  firewall: postgresFirewall,
  entraConfig: postgresEntraConfig,
  checkUser: ossUserCheck(postgresDescriptor, probePostgres),
};
