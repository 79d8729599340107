/**
 * The target chooser against the local Azure twin (scenario healthy), with a real AzureSession and a
 * scripted prompter that loads each question's choices as the UI would and answers from a script.
 * What each step listed, the flag it names, the step counter, back-stepping with esc, and the target
 * options it returns (which the `server` check then resolves as if they were flags).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAzureSession } from '../../source/azure/session.ts';
import { EventBus } from '../../source/core/events.ts';
import type { Choice, PickQuestion, Prompter } from '../../source/core/prompter.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { Services } from '../../source/core/services.ts';
import { askTarget, chooseTarget } from '../../source/doctor/choose-target.ts';
import { serverCheck } from '../../source/doctor/server.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { seedMysqlServer } from '../azure-twin/providers/mysql.ts';
import { seedPostgresServer } from '../azure-twin/providers/postgres.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { typedTarget } from '../helpers/target.ts';

let twin: Twin;
let services: Services;

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
  const env = Object.fromEntries(
    Object.entries(twin.env()).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const base = { exec: nodeExec, env, now: Date.now };
  services = { ...base, azure: createAzureSession(base, { tls: { ca: twin.caPem } }) };
});

after(async () => {
  services?.azure.dispose();
  await twin?.close();
});

interface Asked {
  message: string;
  flag: string;
  step: string;
  labels: string[];
  notes: readonly string[];
}

/** Answers each pick with the choice whose label matches the next script entry; `esc` backs out. */
function scriptedPrompter(script: (RegExp | 'esc')[]): Prompter & { asked: Asked[] } {
  const asked: Asked[] = [];
  const refuse = async (): Promise<never> => {
    throw new Error('only picks are expected');
  };
  return {
    interactive: true,
    asked,
    async pick<T>(question: PickQuestion<T>, signal?: AbortSignal) {
      const loaded =
        typeof question.choices === 'function'
          ? await question.choices(signal ?? new AbortController().signal)
          : question.choices;
      const choices: readonly Choice<T>[] = 'choices' in loaded ? loaded.choices : loaded;
      const notes = 'notes' in loaded ? loaded.notes : [];
      asked.push({
        message: question.message,
        flag: question.flag,
        step: question.step ? `${question.step.index}/${question.step.total}` : '',
        labels: choices.map((choice) => `${choice.label} | ${choice.hint ?? ''}`.replace(/\s+/g, ' ').trim()),
        notes,
      });
      const next = script.shift();
      if (next === undefined) throw new Error(`no answer scripted for "${question.message}"`);
      if (next === 'esc') return undefined;
      const choice = choices.find((c) => next.test(c.label));
      if (!choice) throw new Error(`no choice matches ${next} in "${question.message}"`);
      return choice.value;
    },
    confirm: refuse,
    input: refuse,
    secret: refuse,
  };
}

test('lists every server type, the user databases and every app platform, and returns the flags they stand for', async () => {
  const prompter = scriptedPrompter([/pg-orders/, /^orders$/, /orders-spring/]);
  const target = await chooseTarget(prompter, services, new AbortController().signal);

  assert.deepEqual(
    prompter.asked.map(({ message, flag, step }) => [message, flag, step]),
    [
      ['Which database server?', '--server', '1/3'],
      ['Which database on pg-orders?', '--database', '2/3'],
      ['What should connect to pg-orders/orders?', '--app', '3/3'],
    ],
  );
  const [servers, databases, apps] = prompter.asked.map((a) => a.labels);
  assert.deepEqual(
    prompter.asked.map((a) => a.notes),
    [[], [], []],
    'everything could be listed',
  );
  assert.deepEqual(servers, [
    'MySQL mysql-orders | rg-orders eastus',
    'PostgreSQL pg-orders | rg-orders eastus',
    'Azure SQL sql-orders | rg-orders eastus',
  ]);
  // The system databases Azure lists next to the user's (postgres, azure_maintenance...) are not offered.
  assert.deepEqual(databases, ['orders |', '(none) | check the server only']);
  assert.deepEqual(apps, [
    'App Service orders-api | rg-orders eastus app,linux',
    'Spring App orders-spring | rg-orders eastus',
    'Container App orders-worker | rg-orders eastus',
    '(none) | check the database side only',
  ]);
  assert.deepEqual(target, {
    serverId: RESOURCE_IDS.postgres,
    database: NAMES.database,
    sourceId: `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.AppPlatform/Spring/${NAMES.springService}/apps/${NAMES.springApp}`,
    target: 'spring',
  });
});

test('the chosen target is what the server check resolves, exactly as flags', async () => {
  const prompter = scriptedPrompter([/ sql-orders$/, /^orders$/, /orders-api/]);
  const target = await chooseTarget(prompter, services, new AbortController().signal);
  assert.deepEqual(target, {
    serverId: RESOURCE_IDS.sql,
    database: NAMES.database,
    sourceId: RESOURCE_IDS.webApp,
    target: 'webapp',
  });
  // master is SQL's system database: listed by Azure, not offered.
  assert.ok(!prompter.asked[1]!.labels.some((label) => label.startsWith('master')));
  const [outcome] = await runChecks([{ ...serverCheck, needs: [] }], {
    services,
    options: { verbose: false, target: typedTarget(target!) },
    bus: new EventBus<RunEvent>(),
  });
  assert.equal(outcome!.status, 'pass', JSON.stringify(outcome));
  assert.match(outcome!.message, /^sql-orders · Azure SQL .* · orders$/);
});

test('esc steps back one question; esc on the first goes on without a target', async () => {
  const prompter = scriptedPrompter([
    /pg-orders/,
    'esc',
    /mysql-orders/,
    /^orders$/,
    'esc',
    /\(none\)/,
    /\(none\)/,
  ]);
  const target = await chooseTarget(prompter, services, new AbortController().signal);
  assert.deepEqual(
    prompter.asked.map((a) => a.message),
    [
      'Which database server?',
      'Which database on pg-orders?',
      'Which database server?',
      'Which database on mysql-orders?',
      'What should connect to mysql-orders/orders?',
      'Which database on mysql-orders?',
      'What should connect to mysql-orders?',
    ],
  );
  // MySQL's own schemas are not offered.
  assert.deepEqual(prompter.asked[3]!.labels, ['orders |', '(none) | check the server only']);
  assert.deepEqual(target, { serverId: RESOURCE_IDS.mysql });

  const backedOut = scriptedPrompter(['esc']);
  assert.equal(await chooseTarget(backedOut, services, new AbortController().signal), undefined);
  assert.equal(backedOut.asked.length, 1);
});

test('system databases are never offered: PostgreSQL and MySQL servers that list them', async () => {
  const place = { subscriptionId: IDS.subscriptionId, resourceGroup: NAMES.resourceGroup };
  seedPostgresServer(twin, {
    ...place,
    name: 'pg-system',
    databases: ['postgres', 'azure_maintenance', 'azure_sys', 'billing'],
  });
  seedMysqlServer(twin, {
    ...place,
    name: 'mysql-system',
    databases: ['information_schema', 'mysql', 'performance_schema', 'sys', 'billing'],
  });
  for (const server of [/pg-system/, /mysql-system/]) {
    const prompter = scriptedPrompter([server, 'esc', 'esc']);
    await chooseTarget(prompter, services, new AbortController().signal);
    assert.deepEqual(
      prompter.asked[1]!.labels,
      ['billing |', '(none) | check the server only'],
      String(server),
    );
  }
});

test('servers are listed over every page ARM returns (nextLink)', async () => {
  // More servers than one page of the twin's lists holds.
  for (let i = 0; i < 120; i++) {
    seedPostgresServer(twin, {
      subscriptionId: IDS.subscriptionId,
      resourceGroup: 'rg-more',
      name: `pg-more-${String(i).padStart(3, '0')}`,
    });
  }
  const prompter = scriptedPrompter(['esc']);
  await askTarget(prompter, services.azure, IDS.subscriptionId, new AbortController().signal);
  const labels = prompter.asked[0]!.labels;
  assert.equal(labels.filter((label) => label.includes('pg-more-')).length, 120);
  assert.ok(labels.some((label) => label.includes('pg-more-119 | rg-more')));
});

test('a server type that cannot be listed is named under the others, which are still offered', async () => {
  twin.faults.add({
    method: 'GET',
    path: /\/providers\/Microsoft\.Sql\/servers$/,
    status: 403,
    code: 'AuthorizationFailed',
    message: 'The client does not have authorization to perform action Microsoft.Sql/servers/read.',
  });
  const prompter = scriptedPrompter(['esc']);
  await chooseTarget(prompter, services, new AbortController().signal);
  const [servers] = prompter.asked;
  assert.ok(servers!.labels.some((label) => label.startsWith('PostgreSQL pg-orders')));
  assert.ok(!servers!.labels.some((label) => label.startsWith('Azure SQL')));
  assert.deepEqual(servers!.notes, [
    'could not list Azure SQL servers: 403 AuthorizationFailed: The client does not have authorization to perform action Microsoft.Sql/servers/read.',
  ]);
});

test('an empty subscription says where it looked', async () => {
  const empty = await startTwin({ scenario: 'empty' });
  const env = Object.fromEntries(
    Object.entries(empty.env()).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const base = { exec: nodeExec, env, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: empty.caPem } });
  try {
    const prompter = scriptedPrompter(['esc']);
    assert.equal(await chooseTarget(prompter, { ...base, azure }, new AbortController().signal), undefined);
    assert.deepEqual(prompter.asked[0]!.labels, []);
    assert.deepEqual(prompter.asked[0]!.notes, [
      `no PostgreSQL flexible, MySQL flexible or Azure SQL server in subscription ${IDS.subscriptionId}`,
    ]);
  } finally {
    azure.dispose();
    await empty.close();
  }
});

test('a listing error reaches the picker as a clear message; nothing is asked when nobody is signed in', async () => {
  twin.faults.add({
    method: 'GET',
    path: /\/providers\/Microsoft\.(DBforPostgreSQL|DBforMySQL|Sql)\//,
    status: 403,
    code: 'AuthorizationFailed',
    times: 3,
  });
  const failing = scriptedPrompter(['esc']);
  await assert.rejects(
    askTarget(failing, services.azure, IDS.subscriptionId, new AbortController().signal),
    /could not list PostgreSQL servers: 403 AuthorizationFailed.*MySQL servers: 403.*Azure SQL servers: 403/,
  );

  // Signed out: the base checks say so; the chooser asks nothing and lists nothing.
  twin.world.signedInAs = null;
  const env = Object.fromEntries(
    Object.entries(twin.env()).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const base = { exec: nodeExec, env, now: Date.now };
  const signedOut = { ...base, azure: createAzureSession(base, { tls: { ca: twin.caPem } }) };
  try {
    const prompter = scriptedPrompter([]);
    assert.equal(await chooseTarget(prompter, signedOut, new AbortController().signal), undefined);
    assert.deepEqual(prompter.asked, []);
  } finally {
    signedOut.azure.dispose();
  }
});
