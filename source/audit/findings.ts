/**
 * What the audit adds to the doctor's checks for each pair: what people miss when they look at one
 * app at a time. Each is a `DoctorCheck` like the doctor's (same runner, same outcome shape, same JSON), and
 * each failing one carries the command that fixes it or the `sc-doctor setup` line.
 *
 * - `password-settings`: the app still carries password-style settings (named, never shown);
 * - `linker-target`: a Service Connector linker points at a database (or server) that no longer exists;
 * - `public-network`: the server takes connections from the whole internet (public access with an
 *   allow-all 0.0.0.0–255.255.255.255 rule);
 * - `private-endpoints`: a private endpoint connection of the server is not Approved.
 */
import { armError } from '../azure/arm.ts';
import { enumIs } from '../azure/enums.ts';
import type { CheckResult } from '../core/types.ts';
import { adapterOf } from '../databases/index.ts';
import type { DoctorCheck, DoctorContext } from '../doctor/check.ts';
import { serverFactsOf } from '../doctor/facts-of.ts';
import { privateEndpointApproveCommand, privateEndpointDeleteCommand } from '../doctor/remedy-commands.ts';
import { isPasswordStyle, readConfig } from './app-config.ts';
import type { PairPlan } from './connections.ts';
import {
  firewallRuleDeleteCommand,
  linkerDeleteCommand,
  removeSettingsCommand,
  setupCommand,
} from './fix-commands.ts';
import type { AppRow } from './inventory.ts';

/** Ids of the audit's own checks (public API, like the doctor's). */
export const FINDING_IDS = [
  'password-settings',
  'linker-target',
  'public-network',
  'private-endpoints',
] as const;

/** The audit's checks for one pair. */
export function findingChecks(app: AppRow, pair: PairPlan): DoctorCheck[] {
  const setup = setupCommand(pair.database.kind, app, pair.database.serverId, pair.database.database);
  const checks: DoctorCheck[] = [passwordSettings(app, setup)];
  if (pair.linkers.length > 0) checks.push(linkerTarget(app, pair, setup));
  checks.push(publicNetwork, privateEndpoints);
  return checks;
}

function passwordSettings(app: AppRow, setup: string): DoctorCheck {
  return {
    id: 'password-settings',
    title: 'Password settings',
    phase: 'target',
    async run(ctx): Promise<CheckResult> {
      const config = await readConfig(ctx.services.azure, app, ctx.signal);
      if (!config.ok)
        return {
          status: 'warn',
          message: `cannot read the settings of ${app.name} (${config.problem.status}${config.problem.code ? ` ${config.problem.code}` : ''})`,
          details:
            app.kind === 'webapp'
              ? [
                  'Reading a web app’s settings needs Microsoft.Web/sites/config/list/action (Website Contributor has it; Reader does not).',
                ]
              : [],
        };
      const passwords = config.entries.filter(isPasswordStyle).map((entry) => entry.name);
      if (passwords.length === 0)
        return { status: 'pass', message: `no password-style settings among ${config.entries.length}` };
      const remove = removeSettingsCommand(app.kind, app.id, passwords);
      return {
        status: 'fail',
        message: `${passwords.join(', ')} ${passwords.length === 1 ? 'holds' : 'hold'} a password`,
        details: [
          'Values are never shown: only the names of the settings that hold a password.',
          'A passwordless connection signs in with the app’s managed identity; a password left in the settings is a secret to rotate and leak.',
        ],
        remediation: {
          summary:
            'Connect with the app’s managed identity (sc-doctor setup), then remove the password settings.',
          commands: remove ? [setup, remove] : [setup],
          fixable: true,
        },
        data: { settings: passwords },
      };
    },
  };
}

function linkerTarget(app: AppRow, pair: PairPlan, setup: string): DoctorCheck {
  return {
    id: 'linker-target',
    title: 'Linker target',
    phase: 'target',
    async run(ctx): Promise<CheckResult> {
      const { kind, serverId, database } = pair.database;
      const names = pair.linkers.map((linker) => linker.name).join(', ');
      const arm = adapterOf(kind).arm;
      // Through the kind's adapter, as the doctor's server check reads it: one read, shared.
      const server = await arm.getServer(ctx.services.azure, serverId, ctx.signal);
      let missing: string | null = null;
      if (server.status === 404) missing = `server ${pair.database.serverName}`;
      else if (server.status !== 200)
        return unreadable(`server ${pair.database.serverName}`, server.status, server.body);
      else if (database) {
        const answer = await arm.getDatabase(ctx.services.azure, serverId, database, ctx.signal);
        if (answer.status === 404) missing = `database ${database} on ${pair.database.serverName}`;
        else if (answer.status !== 200) return unreadable(`database ${database}`, answer.status, answer.body);
      }
      if (!missing)
        return {
          status: 'pass',
          message: `linker ${names} → ${pair.database.serverName}${database ? `/${database}` : ''} exists`,
        };
      return {
        status: 'fail',
        message: `linker ${names} points at ${missing}, which no longer exists`,
        details: pair.linkers.map((linker) => `linker ${linker.id} → ${linker.targetId}`),
        remediation: {
          summary:
            'Delete the connection that points nowhere, or connect the app to the database it uses now with sc-doctor setup.',
          commands: [...pair.linkers.map((linker) => linkerDeleteCommand(app.kind, linker.id)), setup],
          fixable: false,
        },
      };
    },
  };
}

const publicNetwork: DoctorCheck = {
  id: 'public-network',
  title: 'Public network',
  needs: ['server'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const server = serverFactsOf(ctx);
    if (!server) return { status: 'skip', message: 'no server facts' };
    if (server.delegatedSubnetId)
      return { status: 'pass', message: 'private access (VNet): not on the internet' };
    if (enumIs(server.publicNetworkAccess, 'Disabled'))
      return { status: 'pass', message: 'public access is off' };
    const listed = await adapterOf(server.kind).arm.listFirewallRules(
      ctx.services.azure,
      server.id,
      ctx.signal,
    );
    if (!listed.ok)
      return unreadable(`the firewall rules of ${server.name}`, listed.response.status, listed.response.body);
    const open = listed.items.flatMap((item) => {
      const rule = item as {
        name?: unknown;
        properties?: { startIpAddress?: unknown; endIpAddress?: unknown };
      };
      return rule.properties?.startIpAddress === '0.0.0.0' &&
        rule.properties?.endIpAddress === '255.255.255.255' &&
        typeof rule.name === 'string'
        ? [rule.name]
        : [];
    });
    if (open.length === 0)
      return {
        status: 'pass',
        message: `public access on, ${listed.items.length} firewall rule${listed.items.length === 1 ? '' : 's'}, none open to all`,
      };
    return {
      status: 'fail',
      message: `open to the whole internet: rule ${open.join(', ')} (0.0.0.0–255.255.255.255)`,
      details: [
        `${server.name} has public access on and a firewall rule that admits every IPv4 address: anyone can try to sign in.`,
      ],
      remediation: {
        summary: 'Delete the allow-all rule; admit the addresses that need it, or use a private endpoint.',
        commands: open.map((rule) => firewallRuleDeleteCommand(server, rule)),
        fixable: false,
      },
      data: { rules: open },
    };
  },
};

const privateEndpoints: DoctorCheck = {
  id: 'private-endpoints',
  title: 'Private endpoints',
  needs: ['server'],
  phase: 'target',
  async run(ctx: DoctorContext): Promise<CheckResult> {
    const server = serverFactsOf(ctx);
    if (!server) return { status: 'skip', message: 'no server facts' };
    if (server.privateEndpoints.length === 0) return { status: 'pass', message: 'no private endpoint' };
    const waiting = server.privateEndpoints.filter((endpoint) => !enumIs(endpoint.status, 'Approved'));
    if (waiting.length === 0)
      return {
        status: 'pass',
        message: `${server.privateEndpoints.length} private endpoint connection(s), all Approved`,
      };
    return {
      status: 'fail',
      message: waiting
        .map((endpoint) => `${endpoint.privateEndpointId?.split('/').pop() ?? 'endpoint'} ${endpoint.status}`)
        .join(', '),
      details: [
        'Traffic through a private endpoint flows only once its connection is Approved on the server.',
        ...waiting.map(
          (endpoint) =>
            `${endpoint.connectionId}: ${endpoint.status}${endpoint.description ? ` (${endpoint.description})` : ''}`,
        ),
      ],
      remediation: {
        summary:
          'Approve a Pending connection (the server’s owner does); a Rejected or Disconnected one must be deleted and made again.',
        commands: waiting.map((endpoint) =>
          enumIs(endpoint.status, 'Pending') || !endpoint.privateEndpointId
            ? privateEndpointApproveCommand(endpoint.connectionId)
            : privateEndpointDeleteCommand(endpoint.privateEndpointId),
        ),
        fixable: false,
      },
    };
  },
};

function unreadable(what: string, status: number, body: unknown): CheckResult {
  const error = armError(body);
  return {
    status: 'warn',
    message: `cannot read ${what} (${status}${error ? ` ${error.code}` : ''})`,
    details: error?.message ? [error.message] : [],
  };
}
