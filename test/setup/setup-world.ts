/**
 * A session whose doctor is a handful of fake checks that leave the facts setup reads (server, app,
 * signed-in user), and whose steps come from a `FakeWorld`: what `session.setup()` needs, no Azure.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBus } from '../../source/core/events.ts';
import type { Prompter } from '../../source/core/prompter.ts';
import { refusingPrompter } from '../../source/core/prompter.ts';
import type { Services } from '../../source/core/services.ts';
import type { CheckResult } from '../../source/core/types.ts';
import type { ServerFacts } from '../../source/databases/facts.ts';
import type { DoctorCheck } from '../../source/doctor/check.ts';
import type { AppFacts } from '../../source/doctor/facts.ts';
import { Interrupts } from '../../source/engine/interrupts.ts';
import { Journal } from '../../source/engine/journal.ts';
import type { Step } from '../../source/engine/step.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { createSession } from '../../source/run/session.ts';
import { type SetupFlowDeps, setupFlow } from '../../source/setup/flow.ts';
import type { SetupRequest } from '../../source/setup/flow-types.ts';
import type { PostgresSetupInput } from '../../source/setup/postgres/index.ts';
import { typedTarget } from '../helpers/target.ts';
import { undoersOf } from './fake-world.ts';

export const SERVER: ServerFacts = {
  kind: 'postgres',
  id: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-orders/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders',
  name: 'pg-orders',
  subscriptionId: '0b1f6471-1bf0-4dda-aec3-111122223333',
  resourceGroup: 'rg-orders',
  location: 'westeurope',
  fqdn: 'pg-orders.postgres.database.azure.com',
  port: 5432,
  state: 'Ready',
  version: '16',
  publicNetworkAccess: 'Enabled',
  delegatedSubnetId: null,
  privateDnsZoneId: null,
  privateEndpoints: [],
  authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled' },
  serverIdentities: [],
  database: { name: 'orders', exists: true },
};

export const APP: AppFacts = {
  kind: 'webapp',
  id: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-api',
  name: 'orders-api',
  subscriptionId: '0b1f6471-1bf0-4dda-aec3-111122223333',
  resourceGroup: 'rg-orders',
  location: 'westeurope',
  systemIdentity: null,
  userIdentities: [],
  outboundSubnetId: null,
};

function check(id: string, result: CheckResult): DoctorCheck {
  return { id, title: id, run: async () => result };
}

/** The doctor's checks with the facts setup needs; `extra` adds or replaces checks by id. */
export function doctorChecks(extra: DoctorCheck[] = []): DoctorCheck[] {
  const base = [
    check('signin', {
      status: 'pass',
      message: 'dana@contoso.com',
      data: { objectId: '9f1c0d6e-0000-4000-8000-00000000dana', user: 'dana@contoso.com', userType: 'user' },
    }),
    check('server', { status: 'pass', message: 'pg-orders', data: { server: SERVER } }),
    check('app-identity', { status: 'pass', message: 'orders-api', data: { app: APP } }),
    check('firewall', {
      status: 'warn',
      message: 'not allowed',
      data: { firewall: { publicIp: '203.0.113.7' } },
    }),
  ];
  const ids = new Set(extra.map((c) => c.id));
  return [...base.filter((c) => !ids.has(c.id)), ...extra];
}

export interface SetupHarness {
  session: ReturnType<typeof createSession>;
  events: RunEvent[];
  interrupts: Interrupts;
  journal: Journal;
  home: string;
  /** What `buildSteps` was given, or undefined when setup never got that far. */
  input(): PostgresSetupInput | undefined;
}

export function setupHarness(options: {
  steps: Step[];
  request?: Partial<SetupRequest>;
  checks?: DoctorCheck[];
  prompter?: Prompter;
  home?: string;
  listServerIdentities?: SetupFlowDeps['listServerIdentities'];
  /** The environment the session's services see (none by default). */
  env?: Record<string, string>;
}): SetupHarness {
  const home = options.home ?? mkdtempSync(path.join(tmpdir(), 'sc-doctor-setup-'));
  const bus = new EventBus<RunEvent>();
  const events: RunEvent[] = [];
  bus.on((event) => events.push(event));
  const interrupts = new Interrupts();
  const journal = new Journal({ home });
  let given: PostgresSetupInput | undefined;
  const request: SetupRequest = {
    database: 'postgres',
    auth: { kind: 'system' },
    clientType: 'nodejs',
    yes: true,
    dryRun: false,
    linker: true,
    grants: 'least',
    ...options.request,
  };
  const session = createSession({
    bus,
    services: { env: options.env ?? {}, now: Date.now } as unknown as Services,
    prompter: options.prompter ?? refusingPrompter('plain'),
    checks: options.checks ?? doctorChecks(),
    options: { verbose: false, target: typedTarget({ server: 'pg-orders' }) },
    signal: interrupts.signal,
    setupFlow: setupFlow({
      request,
      journal,
      interrupts,
      cwd: home,
      buildSteps: (input) => {
        given = input;
        return options.steps;
      },
      undoers: () => undoersOf(options.steps),
      ...(options.listServerIdentities ? { listServerIdentities: options.listServerIdentities } : {}),
    }),
  });
  return { session, events, interrupts, journal, home, input: () => given };
}
