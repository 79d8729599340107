/**
 * Pieces of "identities and sign-in done right" that need no Azure: an operator signed in as a managed
 * identity is a service principal to setup, the Graph path of an app caller's groups, the admin login
 * the doctor hands to setup, the default MySQL user name within MySQL's 32 characters, and the bounded
 * retry (clock and wait injected) behind Entra replication and a new SQL firewall rule.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transitiveGroupsPath } from '../../source/azure/caller-groups.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import { adminLoginOf, blockingReasons, factsFromDoctor } from '../../source/setup/facts-from-doctor.ts';
import { fitMysqlUserName, type MysqlSetupInput, mysqlUserNameOf } from '../../source/setup/mysql/input.ts';
import { retryWhile, StillFailingError } from '../../source/setup/retry-wait.ts';

function outcome(id: string, data: Record<string, unknown>, extra: Partial<CheckOutcome> = {}): CheckOutcome {
  return {
    id,
    title: id,
    status: 'pass',
    message: '',
    details: [],
    data,
    elapsedMs: 0,
    ...extra,
  } as CheckOutcome;
}

test('an operator signed in as a managed identity is a service principal to setup, as an app registration is', () => {
  for (const userType of ['managedIdentity', 'servicePrincipal']) {
    const facts = factsFromDoctor([outcome('signin', { objectId: 'a1', user: 'b2', userType })]);
    assert.equal(facts.signedIn?.type, 'servicePrincipal', userType);
  }
  assert.equal(
    factsFromDoctor([outcome('signin', { objectId: 'a1', user: 'dana', userType: 'user' })]).signedIn?.type,
    'user',
  );
});

test("an app's groups are read at servicePrincipals/{id}, a person's at me (users/{id} is 404 for an app)", () => {
  assert.equal(transitiveGroupsPath({ kind: 'me' }), 'v1.0/me/transitiveMemberOf?$select=id,displayName');
  assert.equal(
    transitiveGroupsPath({ kind: 'app', objectId: 'o1' }),
    'v1.0/servicePrincipals/o1/transitiveMemberOf?$select=id,displayName',
  );
});

test("the admin login setup uses is the admin entry's name the doctor found, with how the caller holds it", () => {
  assert.deepEqual(
    adminLoginOf([
      outcome('entra-config', { login: 'kim_fabrikam.example#EXT#@contoso', loginVia: 'direct' }),
    ]),
    { login: 'kim_fabrikam.example#EXT#@contoso', via: 'direct' },
  );
  assert.deepEqual(
    adminLoginOf([outcome('entra-config', { login: 'Orders DB Admins', loginVia: 'group' })]),
    {
      login: 'Orders DB Admins',
      via: 'group',
    },
  );
  assert.equal(adminLoginOf([outcome('entra-config', { login: null, loginVia: null })]), undefined);
  assert.equal(adminLoginOf([]), undefined);
});

test('a blocking failure lists its fix commands, each on a line of its own as built', () => {
  const reasons = blockingReasons(
    [
      outcome(
        'entra-config',
        {},
        {
          status: 'fail',
          blocking: true,
          message: 'the server identity lacks Graph permissions',
          remediation: { summary: 'Grant them:', commands: ['az rest --body \'{"a":1}\''], fixable: false },
        },
      ),
    ],
    factsFromDoctor([]),
  );
  assert.deepEqual(reasons, [
    'entra-config (entra-config): the server identity lacks Graph permissions. Fix: Grant them:\n    az rest --body \'{"a":1}\'',
  ]);
});

test("the default MySQL user name always fits MySQL's 32 characters, distinct for databases that start alike", () => {
  const input = (database: string) => ({ database }) as MysqlSetupInput;
  assert.equal(mysqlUserNameOf(input('orders')), 'aad_mysqlflexible_orders');
  const long = mysqlUserNameOf(input('orders_archive_2024_eu'));
  const other = mysqlUserNameOf(input('orders_archive_2024_us'));
  for (const name of [long, other]) {
    assert.ok([...name].length <= 32, name);
    assert.match(name, /^aad_mysqlflexible_orders_[0-9a-f]{6}$/);
  }
  assert.notEqual(long, other);
  assert.equal(mysqlUserNameOf(input('d'.repeat(64))).length, 32, 'cut at 25, then _ and the hash');
  assert.equal(fitMysqlUserName('short'), 'short');
  // A name given with --db-user is never changed (the CLI refuses one that does not fit).
  assert.equal(mysqlUserNameOf({ database: 'x', dbUser: 'mine' } as MysqlSetupInput), 'mine');
});

test('retryWhile: tries again on what is retryable with growing waits and progress, within its bound, on an injected clock', async () => {
  let now = 0;
  const waits: number[] = [];
  const progress: string[] = [];
  const services = {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
  };
  let attempts = 0;
  const found = await retryWhile(
    'waiting for Entra',
    async () => {
      attempts++;
      if (now < 30_000) throw Object.assign(new Error('404 Request_ResourceNotFound'), { status: 404 });
      return 'known';
    },
    (error) => (error as { status?: number }).status === 404,
    { services, signal: new AbortController().signal, progress: (d) => progress.push(d), limitMs: 120_000 },
  );
  assert.equal(found, 'known');
  assert.deepEqual(waits, [2000, 4000, 8000, 10_000, 10_000]);
  assert.equal(attempts, 6);
  assert.match(progress[0]!, /^waiting for Entra: trying again in 2 s \(0 s so far\)$/);

  // Past the bound: the last error, saying how long it was tried.
  now = 0;
  const error = await retryWhile(
    'waiting for Entra',
    async () => {
      throw Object.assign(new Error('still 404'), { status: 404 });
    },
    () => true,
    { services, signal: new AbortController().signal, progress: () => {}, limitMs: 120_000 },
  ).catch((e: unknown) => e);
  assert.ok(error instanceof StillFailingError);
  assert.match(error.message, /^still waiting for Entra after 1\d\d s \(waited up to 120 s\): still 404$/);
  assert.ok(now <= 120_000);

  // Not retryable, or no wait given: one attempt.
  let once = 0;
  await assert.rejects(
    retryWhile(
      'x',
      async () => {
        once++;
        throw new Error('403');
      },
      () => false,
      { services, signal: new AbortController().signal, progress: () => {}, limitMs: 120_000 },
    ),
    /403/,
  );
  await assert.rejects(
    retryWhile(
      'x',
      async () => {
        once++;
        throw new Error('404');
      },
      () => true,
      undefined,
    ),
    /404/,
  );
  assert.equal(once, 2);
});
