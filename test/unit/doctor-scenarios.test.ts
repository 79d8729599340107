/**
 * The whole doctor against every twin scenario and each database type it concerns: one table, one
 * cell per scenario × kind, listing every check's status and the key sentence of each remedy.
 *
 * Everything is real but the network's edges: `runChecks(doctorChecks())` with a real AzureSession
 * (the twin's stand-in az, ARM and Graph over verified TLS); DNS is the product's resolver over the
 * twin's view of Azure DNS as seen from the web app's network (`twinResolver`); this machine's public
 * address is the one the twin gives its clients (127.0.0.1); TCP connects really happen for loopback
 * answers (one local listener stands in for every public server, whatever its port) and a private
 * address has no route here, so it is decided without a packet. Every request is recorded: the doctor
 * only reads.
 *
 * After a deliberate change of a check, `DUMP_TABLE=<cell prefix>[,<prefix>...]` runs the matching cells
 * and prints what they found instead of asserting, to be read and copied into the table by hand.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createAzureSession } from '../../source/azure/session.ts';
import { type ConnectToMap, parseConnectTo } from '../../source/core/connect-to.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { NetProbe } from '../../source/core/services.ts';
import type { CheckOutcome, CheckStatus } from '../../source/core/types.ts';
import type { DatabaseKind } from '../../source/databases/kind.ts';
import { doctorChecks } from '../../source/doctor/index.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { createNodeDns } from '../../source/services/dns.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { createNodeNet } from '../../source/services/net.ts';
import { statedPublicIp } from '../../source/services/public-ip.ts';
import { TWIN_PUBLIC_ADDRESS, twinResolver } from '../azure-twin/dns.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS, scenarioNames } from '../azure-twin/scenarios.ts';
import { typedTarget } from '../helpers/target.ts';

type Statuses = Record<string, CheckStatus>;

interface Cell {
  /** Every check's status, by id. */
  statuses: Statuses;
  /** The key sentence of each remedy (a part of `remediation.summary`), by check id. */
  remedies: Record<string, string>;
}

/** Statuses in `doctorChecks()` order: the three base checks, then the eight target checks. */
const CHECK_IDS = [
  'azure-cli',
  'signin',
  'subscription',
  'server',
  'network-path',
  'firewall',
  'rbac',
  'entra-config',
  'app-identity',
  'app-settings',
  'database-user',
] as const;

/** `'pass pass pass | pass ...'` → statuses by id, so that a cell reads as one line per check group. */
function statuses(line: string): Statuses {
  const words = line.split(/[\s|]+/).filter(Boolean) as CheckStatus[];
  assert.equal(words.length, CHECK_IDS.length, `a status for each of ${CHECK_IDS.join(', ')}: ${line}`);
  return Object.fromEntries(CHECK_IDS.map((id, i) => [id, words[i]!]));
}

// The table. Columns: azure-cli signin subscription | server network-path firewall | rbac
// entra-config app-identity app-settings database-user (database-user is skipped without --check-user,
// which only the postgres cells of CHECK_USER_SCENARIOS pass).
const TABLE: Record<string, Cell> = {
  'healthy × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'healthy × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'healthy × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'entra-off × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass fail pass warn skip'),
    remedies: {
      'entra-config': 'Setup turns on Entra authentication (the server may restart).',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'entra-off × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'entra-off × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'no-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass warn pass warn skip'),
    remedies: {
      'entra-config': 'Setup adds you as an Entra admin (PostgreSQL allows several; existing',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'no-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass warn pass warn skip'),
    remedies: {
      'entra-config': 'Setup makes you the Entra admin.',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'no-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass warn pass warn skip'),
    remedies: {
      'entra-config': 'Setup makes you the Entra admin.',
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'vnet-private × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'vnet-private × mysql': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'vnet-private × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'private-endpoint × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'private-endpoint × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'private-endpoint × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'firewall-closed × postgres': {
    statuses: statuses('pass pass pass | pass pass fail | pass pass pass warn skip'),
    remedies: {
      firewall: 'Add a rule for this machine; setup adds a temporary one itself and',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'firewall-closed × mysql': {
    statuses: statuses('pass pass pass | pass pass fail | pass pass pass warn skip'),
    remedies: {
      firewall: 'Add a rule for this machine; setup adds a temporary one itself and',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'firewall-closed × sql': {
    statuses: statuses('pass pass pass | pass pass fail | pass pass pass warn skip'),
    remedies: {
      firewall: 'Add a rule for this machine; setup adds a temporary one itself and',
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'stopped-server × postgres': {
    statuses: statuses('pass pass pass | fail skip skip | pass skip pass skip skip'),
    remedies: {
      server: 'Start the server.',
    },
  },
  'stopped-server × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'stopped-server × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'missing-rbac × postgres': {
    statuses: statuses('pass pass pass | fail skip skip | fail skip pass skip skip'),
    remedies: {
      server: 'Ask for at least Reader on resource group rg-orders, or on the server',
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
    },
  },
  'missing-rbac × mysql': {
    statuses: statuses('pass pass pass | fail skip skip | fail skip pass skip skip'),
    remedies: {
      server: 'Ask for at least Reader on resource group rg-orders, or on the server',
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
    },
  },
  'missing-rbac × sql': {
    statuses: statuses('pass pass pass | fail skip skip | fail skip pass skip skip'),
    remedies: {
      server: 'Ask for at least Reader on resource group rg-orders, or on the server',
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
    },
  },
  'reader-only × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
      'app-settings':
        'Ask for Website Contributor (or Contributor) on orders-api: reading its settings needs',
    },
  },
  'reader-only × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
      'app-settings':
        'Ask for Website Contributor (or Contributor) on orders-api: reading its settings needs',
    },
  },
  'reader-only × sql': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
      'app-settings':
        'Ask for Website Contributor (or Contributor) on orders-api: reading its settings needs',
    },
  },
  'mysql-identity-without-graph-roles × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'mysql-identity-without-graph-roles × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass fail pass warn skip'),
    remedies: {
      'entra-config': 'A Global Administrator or Privileged Role Administrator must grant',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'mysql-identity-without-graph-roles × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'sql-entra-only × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'sql-entra-only × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'sql-entra-only × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'not-signed-in × postgres': {
    statuses: statuses('pass fail skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Sign in to Azure with the Azure CLI (add --tenant to pick the right',
    },
  },
  'aadsts530003 × postgres': {
    statuses: statuses('pass fail skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Run sc-doctor on your managed machine (on Windows, native az signs in',
    },
  },
  'mfa-required × postgres': {
    statuses: statuses('pass fail skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Sign in again interactively for this resource; az will ask for the',
    },
  },
  'token-expired × postgres': {
    statuses: statuses('pass fail skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Sign in again.',
    },
  },
  'az-hangs × postgres': {
    statuses: statuses('pass timeout skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Run the same command yourself to see what it waits for.',
    },
  },
  'empty × postgres': {
    statuses: statuses('pass pass pass | fail skip skip | skip skip fail skip skip'),
    remedies: {
      server: 'Check the name and resource group; list the servers you can see.',
      'app-identity': 'Check the app name, its resource group, --target and the subscription.',
    },
  },
  'empty × mysql': {
    statuses: statuses('pass pass pass | fail skip skip | skip skip fail skip skip'),
    remedies: {
      server: 'Check the name and resource group; list the servers you can see.',
      'app-identity': 'Check the app name, its resource group, --target and the subscription.',
    },
  },
  'empty × sql': {
    statuses: statuses('pass pass pass | fail skip skip | skip skip fail skip skip'),
    remedies: {
      server: 'Check the name and resource group; list the servers you can see.',
      'app-identity': 'Check the app name, its resource group, --target and the subscription.',
    },
  },
  'pe-pending × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Approve the Pending private endpoint connection.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'pe-pending × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pe-pending × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'pe-rejected × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Re-create the Rejected private endpoint (a rejected connection cannot',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'pe-rejected × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pe-rejected × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'vnet-app-not-integrated × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'vnet-app-not-integrated × mysql': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'vnet-app-not-integrated × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'dns-zone-unlinked × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'dns-zone-unlinked × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'dns-zone-unlinked × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'pg-caller-not-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass warn pass warn skip'),
    remedies: {
      'entra-config': 'Setup adds you as an Entra admin (PostgreSQL allows several; existing',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'pg-caller-not-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pg-caller-not-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'mysql-no-identity × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'mysql-no-identity × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass fail pass warn skip'),
    remedies: {
      'entra-config': 'Setup attaches a user-assigned identity you choose; a Global or',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'mysql-no-identity × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'app-user-identity-only × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'app-user-identity-only × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'app-user-identity-only × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // With --check-user: the role exists, mapped to the app's current identity, granted on orders.
  'pg-role-exists × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn pass'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'pg-role-exists × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pg-role-exists × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // With --check-user: the role by the app's name maps to the identity's old object id.
  'pg-stale-role × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn fail'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
      'database-user': 'Setup asks before dropping the stale role orders-api and creates it again',
    },
  },
  'pg-stale-role × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pg-stale-role × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // With --check-user: no role yet, and orders and its tables belong to pgadmin: the remedy names the owner.
  'pg-owner-tables × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn fail'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
      'database-user':
        'Setup gives what dana@contoso.twin.test can; what only pgadmin can give it gives as pgadmin with the password (asked, or SC_DOCTOR_PG_OWNER_PASSWORD), or writes it to a script for pgadmin',
    },
  },
  'pg-owner-tables × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pg-owner-tables × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // With --check-user: no role yet; Dana created orders herself, so she can give every grant.
  'pg-entra-owned-db × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn fail'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
      'database-user':
        "Setup creates the app's database role and gives it every promised grant (you can give them all)",
    },
  },
  'pg-entra-owned-db × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pg-entra-owned-db × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // With --check-user: no role yet, and orders belongs to azuresu (no password admin): nobody can grant.
  'pg-no-password-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn fail'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
      'database-user':
        'The database belongs to azuresu, as whom nobody can log in: create it as an Entra admin',
    },
  },
  'pg-no-password-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pg-no-password-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // Dana is a member of the admin group Orders DB Admins: she is an admin (she logs in as the group).
  'pg-group-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'pg-group-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pg-group-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // Password authentication off is what passwordless wants: nothing to fix.
  'pg-entra-only × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'pg-entra-only × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pg-entra-only × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'mysql-aad-only × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  // aad_auth_only=ON is what passwordless wants: nothing to fix.
  'mysql-aad-only × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'mysql-aad-only × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'sql-app-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'sql-app-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  // The web app's own identity is the single SQL admin: setup would replace it, so it asks first.
  'sql-app-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass warn pass warn skip'),
    remedies: {
      'entra-config': 'SQL has only one, so it would replace the app orders-api.',
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'sql-group-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'sql-group-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  // Dana is a member of the admin group Orders SQL Admins: she is the admin through it.
  'sql-group-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'app-no-identity × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass fail skip skip'),
    remedies: {
      'app-identity': 'Setup turns on the system-assigned identity of the app.',
    },
  },
  'app-no-identity × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass fail skip skip'),
    remedies: {
      'app-identity': 'Setup turns on the system-assigned identity of the app.',
    },
  },
  'app-no-identity × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass fail skip skip'),
    remedies: {
      'app-identity': 'Setup turns on the system-assigned identity of the app.',
    },
  },
  // Contributor cannot assign roles, and setup assigns none: everything it does is allowed.
  'contributor-only × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'contributor-only × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'contributor-only × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // No role on the flexible servers: they cannot be read, and every server action is missing. The
  // app's system identity is on, so its user-assigned id-orders is not involved: no assign/action.
  'website-contributor-no-mio × postgres': {
    statuses: statuses('pass pass pass | fail skip skip | fail skip pass skip skip'),
    remedies: {
      server: 'Ask for at least Reader on resource group rg-orders, or on the server',
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
    },
  },
  'website-contributor-no-mio × mysql': {
    statuses: statuses('pass pass pass | fail skip skip | fail skip pass skip skip'),
    remedies: {
      server: 'Ask for at least Reader on resource group rg-orders, or on the server',
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
    },
  },
  // SQL Server Contributor covers the server; only the Service Connector link is missing.
  'website-contributor-no-mio × sql': {
    statuses: statuses('pass pass pass | pass pass pass | warn pass pass warn skip'),
    remedies: {
      rbac: 'Run setup with --no-linker (it writes the app settings itself, without a Service Connector link)',
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // The custom role manages admins and firewalls; setup also writes the app's settings and link.
  'custom-role × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on rg-orders.',
      'app-settings':
        'Ask for Website Contributor (or Contributor) on orders-api: reading its settings needs',
    },
  },
  'custom-role × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on rg-orders.',
      'app-settings':
        'Ask for Website Contributor (or Contributor) on orders-api: reading its settings needs',
    },
  },
  'custom-role × sql': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on rg-orders.',
      'app-settings':
        'Ask for Website Contributor (or Contributor) on orders-api: reading its settings needs',
    },
  },
  // Contributor on pg-orders only: the other servers and the app are read-only.
  'resource-scoped-role × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on rg-orders.',
      'app-settings':
        'Ask for Website Contributor (or Contributor) on orders-api: reading its settings needs',
    },
  },
  'resource-scoped-role × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on rg-orders.',
      'app-settings':
        'Ask for Website Contributor (or Contributor) on orders-api: reading its settings needs',
    },
  },
  'resource-scoped-role × sql': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on rg-orders.',
      'app-settings':
        'Ask for Website Contributor (or Contributor) on orders-api: reading its settings needs',
    },
  },
  // The settings name pg-orders.postgres.database.azure.com; the twin's cloud calls it
  // pg-orders.postgres.twin.test, so the host does not agree.
  'existing-settings × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass fail skip'),
    remedies: {
      'app-settings': 'Setup rewrites the AZURE_POSTGRESQL_* settings; or fix AZURE_POSTGRESQL_HOST by hand.',
    },
  },
  'existing-settings × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'existing-settings × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // ARM refuses every linker call until Microsoft.ServiceLinker is registered.
  'servicelinker-unregistered × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings':
        'Setup registers Microsoft.ServiceLinker in the subscription, then writes the AZURE_POSTGRESQL_* settings (host, database, user) through Service Connector; or run setup with --no-linker to write them directly.',
    },
  },
  'servicelinker-unregistered × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings':
        'Setup registers Microsoft.ServiceLinker in the subscription, then writes the AZURE_MYSQL_* settings (host, database, user) through Service Connector; or run setup with --no-linker to write them directly.',
    },
  },
  'servicelinker-unregistered × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings':
        'Setup registers Microsoft.ServiceLinker in the subscription, then writes the AZURE_SQL_* settings (host, database, user) through Service Connector; or run setup with --no-linker to write them directly.',
    },
  },
  // A B2B guest signed in: the admin entries carry its #EXT# name, its token its home account.
  'guest-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'guest-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'guest-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // Dana is MySQL's admin through the group she belongs to.
  'mysql-group-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'mysql-group-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'mysql-group-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  // A service principal runs the doctor: admin everywhere as an app; SQL's server identity reads Graph.
  'sp-operator × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'sp-operator × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'sp-operator × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
};

const KINDS: DatabaseKind[] = ['postgres', 'mysql', 'sql'];
/** Scenarios about the machine and the sign-in: the database type changes nothing, one row is enough. */
const SIGN_IN_SCENARIOS = new Set([
  'not-signed-in',
  'aadsts530003',
  'mfa-required',
  'token-expired',
  'az-hangs',
]);

/**
 * Scenarios about the app's PostgreSQL role: their postgres cells run with --check-user, so their
 * twins run PostgreSQL, reached through SC_DOCTOR_CONNECT_TO as a tunnel would. Every other cell
 * leaves database-user to its skip.
 */
const CHECK_USER_SCENARIOS = new Set([
  'pg-role-exists',
  'pg-stale-role',
  'pg-owner-tables',
  'pg-entra-owned-db',
  'pg-no-password-admin',
]);
const checksUser = (scenario: string, kind: DatabaseKind) =>
  kind === 'postgres' && CHECK_USER_SCENARIOS.has(scenario);

const cellName = (scenario: string, kind: DatabaseKind) => `${scenario} × ${kind}`;
const cells = scenarioNames().flatMap((scenario) =>
  (SIGN_IN_SCENARIOS.has(scenario) ? (['postgres'] as const) : KINDS).map((kind) => ({ scenario, kind })),
);

const twins = new Map<string, Promise<Twin>>();
const requests: { scenario: string; method: string; path: string }[] = [];
let listener: Server;
let listenerPort = 0;

before(async () => {
  listener = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as { port: number }).port;
});

after(async () => {
  await Promise.all([...twins.values()].map(async (twin) => (await twin).close()));
  await new Promise((resolve) => listener.close(resolve));
});

/** One twin per scenario, shared by its kinds; every request it handles is logged. */
function twinFor(scenario: string): Promise<Twin> {
  let entry = twins.get(scenario);
  if (!entry) {
    const databases = CHECK_USER_SCENARIOS.has(scenario) ? { databases: ['postgres' as const] } : {};
    entry = startTwin({ scenario, ...databases }).then((twin) => {
      const take = twin.faults.take.bind(twin.faults);
      twin.faults.take = (method, path) => {
        requests.push({ scenario, method, path });
        return take(method, path);
      };
      return twin;
    });
    twins.set(scenario, entry);
  }
  return entry;
}

const connectsOffLoopback: string[] = [];

/**
 * Real TCP to loopback (the twin's public address), where the one listener answers for every port;
 * no route to anything else, and any connect attempted elsewhere is recorded (and never sent).
 */
function loopbackNet(): NetProbe {
  const real = createNodeNet();
  return {
    async tcpConnect(host, _port, options) {
      if (host === TWIN_PUBLIC_ADDRESS) return real.tcpConnect(host, listenerPort, options);
      connectsOffLoopback.push(host);
      return { ok: false, reason: 'unreachable', code: 'ENETUNREACH' };
    },
    async hasRouteTo(address) {
      return address.startsWith('127.');
    },
  };
}

function targetOf(kind: DatabaseKind): Record<string, string> {
  return {
    server: NAMES[kind],
    ...(kind === 'mysql' ? {} : { database: NAMES.database }),
    app: NAMES.webApp,
    resourceGroup: NAMES.resourceGroup,
    target: 'webapp',
  };
}

/** The twin's PostgreSQL under pg-orders' Azure name, as `SC_DOCTOR_CONNECT_TO` maps it. */
function postgresTunnel(twin: Twin): ConnectToMap {
  const { fullyQualifiedDomainName: fqdn } = twin.store.get(RESOURCE_IDS.postgres)!.properties as {
    fullyQualifiedDomainName: string;
  };
  const { host, port } = twin.databaseEndpoints.postgres!;
  const parsed = parseConnectTo(`${fqdn}:5432=${host}:${port}`);
  assert.ok(parsed.ok);
  return { entries: parsed.entries, source: 'SC_DOCTOR_CONNECT_TO' };
}

async function doctor(scenario: string, kind: DatabaseKind): Promise<Record<string, CheckOutcome>> {
  const twin = await twinFor(scenario);
  const env = Object.fromEntries(
    Object.entries(twin.env()).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const base = { exec: nodeExec, env, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: twin.caPem } });
  const resolver = twinResolver(twin, { appId: RESOURCE_IDS.webApp });
  const checkUser = checksUser(scenario, kind) ? { checkUser: true, connectTo: postgresTunnel(twin) } : {};
  try {
    const outcomes = await runChecks(doctorChecks(), {
      services: {
        ...base,
        azure,
        dns: createNodeDns(1_000, () => ({ ...resolver, cancel() {} })),
        net: loopbackNet(),
        publicIp: statedPublicIp(TWIN_PUBLIC_ADDRESS, 'the twin'),
      },
      options: { verbose: false, target: typedTarget(targetOf(kind)), ...checkUser },
      bus: new EventBus<RunEvent>(),
    });
    return Object.fromEntries(outcomes.map((o) => [o.id, o]));
  } finally {
    azure.dispose();
  }
}

const dump: Record<string, unknown> = {};
/** `DUMP_TABLE=a,b`: the cell prefixes to dump (comma-separated), or undefined to assert. */
const dumpPrefixes = process.env.DUMP_TABLE?.split(',').filter(Boolean);

describe('every scenario × database type', { concurrency: 4 }, () => {
  for (const { scenario, kind } of cells) {
    const name = cellName(scenario, kind);
    if (dumpPrefixes && !dumpPrefixes.some((prefix) => name.startsWith(prefix))) continue;
    test(name, async () => {
      const byId = await doctor(scenario, kind);
      if (dumpPrefixes) {
        dump[name] = {
          s: CHECK_IDS.map((id) => byId[id]?.status).join(' '),
          r: Object.fromEntries(
            CHECK_IDS.filter((id) => byId[id]?.remediation).map((id) => [
              id,
              `${byId[id]!.message} ⟶ ${byId[id]!.remediation!.summary}`,
            ]),
          ),
          ...(process.env.DUMP_DETAILS
            ? {
                d: Object.fromEntries(
                  CHECK_IDS.map((id) => [id, [byId[id]?.message, ...(byId[id]?.details ?? [])]]),
                ),
              }
            : {}),
        };
        return;
      }
      const expected = TABLE[name];
      assert.ok(expected, `the table has a row for ${name}`);
      const actual = Object.fromEntries(CHECK_IDS.map((id) => [id, byId[id]?.status]));
      assert.deepEqual(actual, expected.statuses, name);
      for (const id of CHECK_IDS) {
        const remediation = byId[id]?.remediation;
        const sentence = expected.remedies[id];
        if (sentence === undefined) {
          const status = byId[id]?.status;
          if (status === 'fail' || status === 'warn')
            assert.fail(
              `${name}: ${id} ${status} has a remedy the table does not name: ${remediation?.summary}`,
            );
          continue;
        }
        assert.ok(remediation, `${name}: ${id} has a remedy`);
        assert.ok(
          remediation.summary.includes(sentence),
          `${name}: ${id} remedy '${remediation.summary}' says '${sentence}'`,
        );
      }
    });
  }
});

describe('what the doctor sent', () => {
  test('every cell of the table was run and every row of the table is a cell', () => {
    if (dumpPrefixes) {
      console.log(JSON.stringify(dump, null, 1));
      return;
    }
    assert.deepEqual(Object.keys(TABLE).sort(), cells.map((c) => cellName(c.scenario, c.kind)).sort());
  });

  test('only reads: GETs, and the POST that lists app settings', () => {
    assert.ok(requests.length > cells.length, `the twins saw ${requests.length} requests`);
    const writes = requests.filter(
      (r) => r.method !== 'GET' && !(r.method === 'POST' && /\/config\/appsettings\/list$/i.test(r.path)),
    );
    assert.deepEqual(writes, []);
  });

  test('no connection was attempted off loopback', () => {
    assert.deepEqual(connectsOffLoopback, []);
  });
});
