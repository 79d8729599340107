/** The Azure SQL adapter (see ../adapter.ts). */
import type { DatabaseAdapter } from '../adapter.ts';
import { sqlArm, sqlConnectionPolicy } from './arm.ts';
import { sqlDescriptor } from './descriptor.ts';
import { sqlEntraConfig } from './entra-config.ts';
import { sqlFirewall } from './firewall.ts';
import { sqlServerFacts } from './server-facts.ts';
import { sqlUserCheck } from './user-check.ts';

export const sql: DatabaseAdapter = {
  ...sqlDescriptor,
  serverFacts: sqlServerFacts,
  // The admin and Entra-only authentication are child resources: the server itself is never written.
  serverWrite: () => null,
  arm: sqlArm,
  firewall: sqlFirewall,
  entraConfig: sqlEntraConfig,
  checkUser: sqlUserCheck,
  connectionPolicy: sqlConnectionPolicy,
};
