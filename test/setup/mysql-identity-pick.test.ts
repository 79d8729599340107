/**
 * `setup mysql` on a server with no user-assigned identity and no `mysql-identity-id=`: the session
 * asks which of the subscription's identities the server should use (and only then), the pick reaches
 * the steps' input, and plain mode refuses naming the flag that answers it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Choice,
  type PickQuestion,
  type Prompter,
  PromptUnavailableError,
} from '../../source/core/prompter.ts';
import type { ServerFacts } from '../../source/databases/facts.ts';
import type { ListedIdentity } from '../../source/setup/app/identity-listing.ts';
import { FakeWorld } from './fake-world.ts';
import { doctorChecks, SERVER, setupHarness } from './setup-world.ts';

const SUB = SERVER.subscriptionId;
const IDENTITY_ID = `/subscriptions/${SUB}/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders`;
const OTHER_ID = `/subscriptions/${SUB}/resourceGroups/rg-shared/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shared`;
const IDENTITIES: ListedIdentity[] = [
  { id: IDENTITY_ID, name: 'id-orders', resourceGroup: 'rg-orders', location: 'westeurope' },
  { id: OTHER_ID, name: 'id-shared', resourceGroup: 'rg-shared', location: 'northeurope' },
];

function mysqlServer(serverIdentities: ServerFacts['serverIdentities']): ServerFacts {
  return {
    ...SERVER,
    kind: 'mysql',
    id: SERVER.id
      .replace('Microsoft.DBforPostgreSQL', 'Microsoft.DBforMySQL')
      .replace('pg-orders', 'mysql-orders'),
    name: 'mysql-orders',
    fqdn: 'mysql-orders.mysql.database.azure.com',
    port: 3306,
    authConfig: null,
    serverIdentities,
  };
}

function serverCheck(server: ServerFacts) {
  return doctorChecks([
    {
      id: 'server',
      title: 'server',
      run: async () => ({ status: 'pass', message: server.name, data: { server } }),
    },
  ]);
}

/** Answers each pick with the choice whose label matches `answer` (undefined: esc), loading its choices as the UI does. */
function pickingPrompter(
  answer: RegExp | undefined,
): Prompter & { asked: { message: string; flag: string; rows: string[] }[] } {
  const asked: { message: string; flag: string; rows: string[] }[] = [];
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
      asked.push({
        message: question.message,
        flag: question.flag,
        rows: choices.map((c) => `${c.label} | ${c.hint ?? ''}`),
      });
      return answer ? choices.find((c) => answer.test(c.label))?.value : undefined;
    },
    confirm: refuse,
    input: refuse,
    secret: refuse,
  };
}

function recordingLister() {
  const calls: string[] = [];
  const list = async (_services: unknown, subscriptionId: string) => {
    calls.push(subscriptionId);
    return IDENTITIES;
  };
  return { calls, list };
}

test('a MySQL server with no identity and none given: the pick lists the subscription identities and the choice reaches the steps', async () => {
  const lister = recordingLister();
  const prompter = pickingPrompter(/^id-shared$/);
  const h = setupHarness({
    steps: [new FakeWorld().step({ id: 'a' })],
    request: { database: 'mysql' },
    checks: serverCheck(mysqlServer([])),
    prompter,
    listServerIdentities: lister.list,
  });
  const outcome = await h.session.setup!();
  assert.equal(outcome.kind, 'ran');
  assert.deepEqual(lister.calls, [SUB], 'listed in the server subscription');
  assert.equal(prompter.asked.length, 1);
  assert.match(prompter.asked[0]!.message, /mysql-orders has no user-assigned identity/);
  assert.match(prompter.asked[0]!.flag, /mysql-identity-id=/);
  assert.deepEqual(prompter.asked[0]!.rows, [
    'id-orders | rg-orders · westeurope',
    'id-shared | rg-shared · northeurope',
  ]);
  assert.equal((h.input() as { mysqlIdentityId?: string }).mysqlIdentityId, OTHER_ID);
});

test('no pick when the server already has an identity, when mysql-identity-id= was given, or for PostgreSQL', async () => {
  const cases = [
    {
      request: { database: 'mysql' as const },
      server: mysqlServer([{ id: IDENTITY_ID, principalId: null }]),
      expected: undefined,
    },
    {
      request: { database: 'mysql' as const, mysqlIdentityId: OTHER_ID },
      server: mysqlServer([]),
      expected: OTHER_ID,
    },
    { request: { database: 'postgres' as const }, server: SERVER, expected: undefined },
  ];
  for (const { request, server, expected } of cases) {
    const lister = recordingLister();
    const prompter = pickingPrompter(/./);
    const h = setupHarness({
      steps: [new FakeWorld().step({ id: 'a' })],
      request,
      checks: serverCheck(server),
      prompter,
      listServerIdentities: lister.list,
    });
    const outcome = await h.session.setup!();
    assert.equal(outcome.kind, 'ran', server.name);
    assert.deepEqual(prompter.asked, [], `${server.name}: nothing asked`);
    assert.deepEqual(lister.calls, [], `${server.name}: nothing listed`);
    assert.equal((h.input() as { mysqlIdentityId?: string }).mysqlIdentityId, expected);
  }
});

test('esc at the pick ends setup declined before any step is built', async () => {
  const h = setupHarness({
    steps: [new FakeWorld().step({ id: 'a' })],
    request: { database: 'mysql' },
    checks: serverCheck(mysqlServer([])),
    prompter: pickingPrompter(undefined),
    listServerIdentities: recordingLister().list,
  });
  const outcome = await h.session.setup!();
  assert.equal(outcome.kind, 'declined');
  assert.equal(h.input(), undefined);
});

test('plain mode cannot ask: a usage error naming mysql-identity-id=, before any listing or step', async () => {
  const lister = recordingLister();
  const h = setupHarness({
    steps: [new FakeWorld().step({ id: 'a' })],
    request: { database: 'mysql' },
    checks: serverCheck(mysqlServer([])),
    listServerIdentities: lister.list,
  });
  await assert.rejects(h.session.setup!(), (error: unknown) => {
    assert.ok(error instanceof PromptUnavailableError);
    assert.match(error.flag, /--system-identity mysql-identity-id=<ARM id>/);
    assert.match(error.hints.join(' '), /Pass --system-identity mysql-identity-id=/);
    assert.match(error.message, /cannot ask in plain mode/);
    return true;
  });
  assert.deepEqual(lister.calls, []);
  assert.equal(h.input(), undefined);
});
