/**
 * `server`: the database server the target flags name exists, is Ready (a stopped server answers
 * nobody) and runs which version; the `--database` on it exists. Its facts go to the later checks
 * under `data.server`. Every failure blocks setup: sc-doctor never creates, starts or picks a server
 * for the user.
 */

import { armError } from '../azure/arm.ts';
import { enumIs } from '../azure/enums.ts';
import { nameProblem } from '../azure/resource-id.ts';
import type { CheckResult } from '../core/types.ts';
import type { ServerFacts } from '../databases/facts.ts';
import { adapterOf } from '../databases/index.ts';
import type { DoctorCheck, DoctorContext } from './check.ts';
import { factsOf, published } from './facts.ts';
import {
  databaseListCommand,
  doctorServerCommand,
  serverStartCommand,
  serverStateCommand,
} from './remedy-commands.ts';
import { findServer } from './server-lookup.ts';

/** States a server passes through on its own; anything else (Disabled, Dropping) needs a person. */
const TRANSITIONAL = new Set(['Starting', 'Stopping', 'Updating', 'Provisioning', 'Restarting']);

export const serverCheck: DoctorCheck = {
  id: 'server',
  title: 'Database server',
  needs: ['subscription'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const { server: selector, database } = ctx.options.target;
    if (!selector) {
      return {
        status: 'skip',
        message: 'no server given',
        details: [
          'Name the database server with --server <name> (add --target-resource-group to narrow the',
          'search) or --server-id <resource id>, and its database with --database <name>.',
        ],
      };
    }
    const subscriptionId = await subscriptionOf(ctx);
    const lookup = await findServer(ctx.services.azure, selector, subscriptionId, ctx.signal);
    const asked = selector.by === 'id' ? selector.ref.name : selector.name;
    if (!lookup.found) {
      switch (lookup.reason) {
        case 'group-not-found':
          return notFound(`resource group ${lookup.resourceGroup} not found`, [
            `Resource group ${lookup.resourceGroup} does not exist in this subscription or you cannot see it.`,
          ]);
        case 'ambiguous':
          return {
            status: 'fail',
            message: `${lookup.ids.length} servers are named ${asked}`,
            details: ['Servers of different types share this name:', ...lookup.ids.map((id) => `  ${id}`)],
            remediation: {
              summary: 'Name the one you mean with --server-id.',
              commands: lookup.ids.map((id) => doctorServerCommand(id)),
              fixable: false,
            },
            blocking: true,
          };
        case 'not-found':
          return notFound(`${asked} not found in ${lookup.where}`, [
            selector.by === 'id'
              ? `No ${adapterOf(selector.ref.kind).label} ${asked} exists at ${selector.ref.id}.`
              : `No PostgreSQL flexible server, MySQL flexible server or Azure SQL server named ${asked} in ${lookup.where}.`,
            ...lookup.listProblems,
          ]);
        case 'forbidden': {
          const what =
            selector.by === 'id' ? asked : lookup.kinds.map((k) => `${adapterOf(k).label}s`).join(', ');
          const group = /\/resourceGroups\/([^/]+)/i.exec(lookup.scope)?.[1];
          const where = group ? `resource group ${group}` : 'this subscription';
          return {
            status: 'fail',
            message: `you cannot read ${selector.by === 'id' ? `server ${asked}` : `the servers in ${where}`} (403${lookup.code ? ` ${lookup.code}` : ''})`,
            details: [
              `Azure refused to show ${what}${selector.by === 'id' ? '' : ` in ${where}`}: ${asked} may exist, but not for you.`,
              'The Permissions (RBAC) row names what is missing.',
            ],
            remediation: {
              summary: `Ask for at least Reader on ${where}, or on the server itself.`,
              commands: [],
              fixable: false,
            },
            blocking: true,
            data: published('server', {
              unreadable: { scope: lookup.scope, kinds: lookup.kinds, name: asked },
            }),
          };
        }
        case 'error':
          return {
            status: 'fail',
            message: `could not read ${asked}`,
            details: [lookup.message, ...(lookup.requestId ? [`request id ${lookup.requestId}`] : [])],
            remediation: {
              summary: 'Try again; if it persists, the request id helps Azure support.',
              commands: [],
              fixable: false,
            },
            blocking: true,
          };
      }
    }

    const facts = adapterOf(lookup.kind).serverFacts(lookup.resource);
    if (database !== null) facts.database = await databaseOf(ctx, facts, database);
    return verdict(facts);
  },
};

async function subscriptionOf(ctx: DoctorContext): Promise<string> {
  const fromCheck = factsOf(ctx, 'subscription')?.subscriptionId;
  if (typeof fromCheck === 'string') return fromCheck;
  return (await ctx.services.azure.subscription())?.id ?? '';
}

async function databaseOf(
  ctx: DoctorContext,
  facts: ServerFacts,
  name: string,
): Promise<{ name: string; exists: boolean }> {
  // A name this kind of server cannot have is not there: no request for it.
  const adapter = adapterOf(facts.kind);
  if (nameProblem(adapter.names.database, name) !== undefined) return { name, exists: false };
  const response = await adapter.arm.getDatabase(ctx.services.azure, facts.id, name, ctx.signal);
  if (response.status === 200) return { name, exists: true };
  if (response.status === 404) return { name, exists: false };
  const error = armError(response.body);
  throw new Error(`reading database ${name} failed: ${response.status}${error ? ` ${error.code}` : ''}`);
}

function verdict(facts: ServerFacts): CheckResult {
  const data = published('server', { server: facts });
  const { engine, label } = adapterOf(facts.kind);
  const version = facts.version ? `${engine} ${facts.version}` : engine;
  const message = `${facts.name} · ${version} · ${facts.state}`;
  const details = [
    `${label} in ${facts.resourceGroup}${facts.location ? ` (${facts.location})` : ''}`,
    `${facts.fqdn}:${facts.port}`,
  ];

  if (enumIs(facts.state, 'Stopped')) {
    return {
      status: 'fail',
      message,
      details: [
        ...details,
        'A stopped server accepts no connections; start it first (it takes a few minutes).',
      ],
      remediation: {
        summary: `Start the server.`,
        commands: [serverStartCommand(facts)],
        fixable: false,
      },
      blocking: true,
      data,
    };
  }
  if (!enumIs(facts.state, 'Ready')) {
    const passing = TRANSITIONAL.has(facts.state);
    return {
      status: 'warn',
      message,
      details: [
        ...details,
        passing
          ? `The server is ${facts.state}: connections may fail until it is Ready.`
          : `The server is ${facts.state}, not Ready: connections will fail.`,
      ],
      remediation: {
        summary: passing
          ? 'Wait until the server is Ready, then run the doctor again.'
          : 'See the server in the Azure portal.',
        commands: [serverStateCommand(facts)],
        fixable: false,
      },
      data,
    };
  }
  if (facts.database && !facts.database.exists) {
    return {
      status: 'fail',
      message: `${message} · database ${facts.database.name} not found`,
      details: [...details, `The server has no database named ${facts.database.name}.`],
      remediation: {
        summary: 'Check the --database name against the list.',
        commands: [databaseListCommand(facts)],
        fixable: false,
      },
      blocking: true,
      data,
    };
  }
  if (facts.database) details.push(`database ${facts.database.name} exists`);
  return {
    status: 'pass',
    message: facts.database ? `${message} · ${facts.database.name}` : message,
    details,
    data,
  };
}

function notFound(message: string, details: string[]): CheckResult {
  return {
    status: 'fail',
    message,
    details,
    remediation: {
      summary: 'Check the name and resource group; list the servers you can see.',
      commands: [
        'az postgres flexible-server list -o table',
        'az mysql flexible-server list -o table',
        'az sql server list -o table',
      ],
      fixable: false,
    },
    blocking: true,
  };
}
