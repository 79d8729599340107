/** The MySQL flexible server adapter (see ../adapter.ts). */
import type { DatabaseAdapter } from '../adapter.ts';
import { ossUserCheck } from '../user-check.ts';
import { mysqlArm } from './arm.ts';
import { mysqlDescriptor } from './descriptor.ts';
import { mysqlEntraConfig } from './entra-config.ts';
import { mysqlFirewall } from './firewall.ts';
import { probeMysql } from './probe.ts';
import { mysqlServerFacts } from './server-facts.ts';

export const mysql: DatabaseAdapter = {
  ...mysqlDescriptor,
  serverFacts: mysqlServerFacts,
  // Setup writes the server only to attach the identity it reads Microsoft Graph as.
  serverWrite: (server) =>
    server && server.serverIdentities.length > 0 ? null : 'attach the server identity',
  arm: mysqlArm,
  firewall: mysqlFirewall,
  entraConfig: mysqlEntraConfig,
  checkUser: ossUserCheck(mysqlDescriptor, probeMysql),
};
