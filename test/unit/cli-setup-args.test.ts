/**
 * `sc-doctor setup` and `undo` on the command line: every bad input exits 2 naming the flag and the
 * fix, without a stack trace, before anything runs; with --json the mistake is one JSON document.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CliIo } from '../../source/cli/io.ts';
import { main } from '../../source/cli/main.ts';
import { parseArgs } from '../../source/cli/parse-args.ts';
import { glueKeyValues, setupCommandLine, setupRequestFrom } from '../../source/cli/setup-options.ts';
import { CaptureStream } from '../helpers/capture.ts';

const GUID = '0b1f6471-1bf0-4dda-aec3-111122223333';
const STACK_LINE = /\n\s+at .+:\d+:\d+/;

/** Any attempt to build services means validation let the input through: the test fails loudly. */
const refuseToRun = {
  async createServices(): Promise<never> {
    throw new Error('validation let a bad command line through');
  },
  async loadChecks(): Promise<never> {
    throw new Error('validation let a bad command line through');
  },
  async loadFrontEnd(): Promise<never> {
    throw new Error('validation let a bad command line through');
  },
};

async function run(argv: string[]) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const io: CliIo = { stdout, stderr, env: {}, stdinIsTTY: false, stdoutIsTTY: false };
  const code = await main(argv, io, refuseToRun);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const BAD: { argv: string[]; names: RegExp }[] = [
  { argv: ['setup'], names: /setup postgres/ },
  { argv: ['setup', 'oracle'], names: /knows postgres.*got 'oracle'/ },
  {
    argv: [
      'setup',
      'postgres',
      '--system-identity',
      'mysql-identity-id=/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i',
    ],
    names: /mysql-identity-id= is for sc-doctor setup mysql/,
  },
  {
    argv: ['setup', 'mysql', '--system-identity', 'mysql-identity-id=not-an-id'],
    names: /mysql-identity-id must be the resource id of a user-assigned identity/,
  },
  {
    argv: ['setup', 'mysql', '--user-identity', `client-id=${GUID}`, 'mysql-identity-id=x'],
    names: /mysql-identity-id must be the resource id/,
  },
  { argv: ['setup', 'oracle'], names: /setup knows postgres, mysql and sql; got 'oracle'/ },
  { argv: ['setup', 'postgres', 'now'], names: /unexpected argument 'now'/ },
  {
    argv: ['setup', 'postgres', '--client-type', 'cobol'],
    names: /--client-type must be one of java, springBoot/,
  },
  { argv: ['setup', 'postgres', '--grants', 'all'], names: /--grants must be least or owner; got 'all'/ },
  {
    argv: ['setup', 'postgres', '--no-linker', '--target', 'spring', '-g', 'rg', '-n', 'svc/app'],
    names: /--no-linker cannot write a Spring app's settings.*\n.*Leave out --no-linker/,
  },
  {
    argv: [
      'setup',
      'postgres',
      '--no-linker',
      '--source-id',
      '/subscriptions/x/resourceGroups/rg/providers/Microsoft.AppPlatform/Spring/svc/apps/app',
    ],
    names: /--no-linker cannot write a Spring app's settings/,
  },
  { argv: ['setup', 'postgres', '--db-user', 'a'.repeat(64)], names: /--db-user is 64 bytes/ },
  {
    argv: ['setup', 'postgres', '--db-user', 'é'.repeat(32)],
    names: /--db-user is 64 bytes; PostgreSQL role names are at most 63/,
  },
  {
    argv: ['setup', 'sql', '--db-user', 'a'.repeat(129)],
    names: /--db-user is 129 characters; SQL Server names are at most 128/,
  },
  { argv: ['setup', 'postgres', '--db-user', 'bad\u0007name'], names: /--db-user must not contain control/ },
  {
    argv: ['setup', 'mysql', '--db-user', 'u'.repeat(33)],
    names:
      /--db-user is 33 characters; MySQL user names are at most 32\.\nChoose a shorter --db-user, or leave it out: the default name always fits\./,
  },
  {
    argv: ['setup', 'postgres', '--system-identity', '--user-identity', `client-id=${GUID}`],
    names: /--system-identity and --user-identity/,
  },
  { argv: ['setup', 'postgres', '--user-identity'], names: /--user-identity needs a value/ },
  {
    argv: ['setup', 'postgres', '--user-identity', `subs-id=${GUID}`],
    names: /--user-identity needs client-id/,
  },
  {
    argv: ['setup', 'postgres', '--user-identity', 'client-id=abc'],
    names: /--user-identity client-id must be a GUID/,
  },
  {
    argv: ['setup', 'postgres', '--user-identity', `client-id=${GUID}`, 'subs-id=x'],
    names: /--user-identity subs-id must be a subscription id/,
  },
  {
    argv: ['setup', 'postgres', '--user-identity', `client-id=${GUID}`, 'object-id=x'],
    names: /--user-identity knows client-id and subs-id; got 'object-id'/,
  },
  {
    argv: ['setup', 'postgres', '--service-principal', `client-id=${GUID}`, 'subs-id=x'],
    names: /--service-principal knows client-id/,
  },
  { argv: ['setup', 'postgres', '--system-identity=yes'], names: /--system-identity takes no value/ },
  { argv: ['setup', 'postgres', '--yess'], names: /unknown flag --yess\. Did you mean --yes\?/ },
  { argv: ['setup', 'postgres', '--json', '--plain'], names: /--json and --plain cannot be used together/ },
  { argv: ['setup', 'postgres', '--list'], names: /--list is for sc-doctor undo, not setup/ },
  { argv: ['setup', 'postgres', '--subscription', 'x'], names: /--subscription must be a subscription id/ },
  { argv: ['setup', 'postgres', '--resume'], names: /--resume needs a value/ },
  {
    argv: ['setup', 'postgres', '--resume', '20261126-0900-abcd', '--dry-run'],
    names: /--resume finishes a run and --dry-run changes nothing/,
  },
  {
    argv: ['doctor', '--resume', '20261126-0900-abcd'],
    names: /--resume is for sc-doctor setup, not doctor/,
  },
  { argv: ['doctor', '--yes'], names: /--yes is for sc-doctor setup, not doctor/ },
  { argv: ['doctor', '--dry-run'], names: /--dry-run is for sc-doctor setup, not doctor/ },
  { argv: ['undo', 'a', 'b'], names: /unexpected argument 'b'/ },
  { argv: ['undo', '20261126-0900-abcd', '--list'], names: /--list shows every run/ },
  { argv: ['undo', '--yes'], names: /--yes is for sc-doctor setup, not undo/ },
  { argv: ['setup', 'postgres', '--container'], names: /--container needs a value/ },
  {
    argv: ['setup', 'postgres', '--target', 'webapp', '-g', 'rg', '-n', 'web', '--container', 'api'],
    names: /--container is for a container app \(--target containerapp\)/,
  },
  {
    argv: [
      'setup',
      'postgres',
      '--source-id',
      '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/web',
      '-c',
      'api',
    ],
    names: /--container is for a container app/,
  },
  { argv: ['doctor', '--container', 'api'], names: /--container is for sc-doctor setup, not doctor/ },
  {
    argv: ['setup', 'sql', '--client-type', 'go'],
    names: /Service Connector does not connect go apps to Azure SQL without a password.*\n.*--no-linker/,
  },
  {
    argv: ['setup', 'sql', '--client-type', 'ruby', '--system-identity'],
    names: /does not connect ruby apps/,
  },
];

for (const { argv, names } of BAD) {
  test(`bad input exits 2 naming the problem: ${argv.join(' ')}`, async () => {
    const result = await run(argv);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, names);
    assert.match(result.stderr, /^sc-doctor: /);
    assert.doesNotMatch(result.stderr, STACK_LINE);
    assert.doesNotMatch(result.stderr, /internal error/);
  });
}

test('a secret in --service-principal is refused and never echoed', async () => {
  const result = await run([
    'setup',
    'postgres',
    '--service-principal',
    `client-id=${GUID}`,
    'secret=hunter2-very-secret',
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--service-principal takes no secret/);
  assert.match(result.stderr, /Set SC_DOCTOR_APP_CLIENT_SECRET in the environment/);
  assert.doesNotMatch(result.stderr + result.stdout, /hunter2/);
});

test('with --json a usage error is one JSON document on stdout', async () => {
  for (const argv of [
    ['setup', 'postgres', '--json', '--grants', 'all'],
    ['setup', 'oracle', '--json'],
    ['undo', 'a', 'b', '--json'],
    ['setup', 'postgres', '--json', '--bogus'],
  ]) {
    const result = await run(argv);
    assert.equal(result.code, 2);
    const document = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(document), ['schemaVersion', 'error', 'exitCode']);
    assert.equal(document.schemaVersion, 1);
    assert.equal(document.error.code, 'usage');
    assert.equal(document.exitCode, 2);
    assert.match(document.error.message, /grants|oracle|unexpected|bogus/);
  }
});

test('the doctor keeps its usage errors on stderr only', async () => {
  const result = await run(['doctor', '--json', '--grants', 'least']);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
});

test('the auth flags take key=value words as the Azure CLI does', () => {
  const argv = glueKeyValues([
    'setup',
    'postgres',
    '--user-identity',
    `client-id=${GUID.toUpperCase()}`,
    `subs-id=${GUID}`,
    '--yes',
  ]);
  assert.deepEqual(argv, [
    'setup',
    'postgres',
    `--user-identity=client-id=${GUID.toUpperCase()} subs-id=${GUID}`,
    '--yes',
  ]);
  const request = setupRequestFrom(parseArgs(argv));
  assert.deepEqual(request, {
    database: 'postgres',
    yes: true,
    dryRun: false,
    linker: true,
    grants: 'least',
    auth: { kind: 'user', clientId: GUID, subscriptionId: GUID },
  });
  const sp = setupRequestFrom(
    parseArgs(
      glueKeyValues([
        'setup',
        'postgres',
        '--service-principal',
        `client-id=${GUID}`,
        '--client-type',
        'springboot',
        '--no-linker',
        '--grants',
        'owner',
        '--db-user',
        'app_role',
        '--dry-run',
      ]),
    ),
  );
  assert.deepEqual(sp, {
    database: 'postgres',
    yes: false,
    dryRun: true,
    linker: false,
    grants: 'owner',
    auth: { kind: 'sp', clientId: GUID },
    clientType: 'springBoot',
    dbUser: 'app_role',
  });
});

test('setup mysql takes mysql-identity-id inside the auth flag, as the Azure CLI does', () => {
  const identity =
    '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-db/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mysql-graph';
  const system = setupRequestFrom(
    parseArgs(
      glueKeyValues(['setup', 'mysql', '--system-identity', `mysql-identity-id=${identity}`, '--yes']),
    ),
  );
  assert.deepEqual(system, {
    database: 'mysql',
    yes: true,
    dryRun: false,
    linker: true,
    grants: 'least',
    auth: { kind: 'system' },
    mysqlIdentityId: identity,
  });
  const user = setupRequestFrom(
    parseArgs(
      glueKeyValues([
        'setup',
        'MySQL',
        '--user-identity',
        `client-id=${GUID}`,
        `mysql-identity-id=${identity}`,
      ]),
    ),
  );
  assert.deepEqual(user.auth, { kind: 'user', clientId: GUID });
  assert.equal(user.mysqlIdentityId, identity);
  assert.equal(user.database, 'mysql');
  const bare = setupRequestFrom(parseArgs(glueKeyValues(['setup', 'mysql', '--system-identity'])));
  assert.deepEqual(bare.auth, { kind: 'system' });
  assert.equal(bare.mysqlIdentityId, undefined);
});

test('--resume names the run to finish; the command line to repeat leaves it out and quotes what a shell would split', () => {
  const argv = glueKeyValues([
    'setup',
    'postgres',
    '--server',
    'pg-orders',
    '--user-identity',
    `client-id=${GUID}`,
    `subs-id=${GUID}`,
    '--resume',
    '20261126-0900-abcd',
    '--yes',
  ]);
  assert.equal(setupRequestFrom(parseArgs(argv)).resume, '20261126-0900-abcd');
  assert.equal(
    setupCommandLine(argv),
    `sc-doctor setup postgres --server pg-orders '--user-identity=client-id=${GUID} subs-id=${GUID}' --yes`,
  );
  assert.equal(
    setupCommandLine(['setup', 'postgres', '--resume=x', '--db-user', "o'brien"]),
    `sc-doctor setup postgres --db-user 'o'\\''brien'`,
  );
});

test('setup that cannot ask (plain, JSON) names every missing flag and exits 2 before any Azure call', async () => {
  const result = await run(['setup', 'postgres', '--plain']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^sc-doctor: setup cannot ask in plain mode, and these are missing; nothing was checked or changed:$/m,
  );
  for (const named of [
    /-g\/--resource-group and -n\/--app with --target, or --source-id/,
    /--server or --server-id/,
    /the database: --database/,
    /--system-identity, --user-identity client-id=X or --service-principal client-id=X/,
    /--yes \(or --dry-run to see it\)/,
  ])
    assert.match(result.stderr, named);
  assert.doesNotMatch(result.stderr, STACK_LINE);

  // Without a terminal it is plain mode too; with --json the same, as one document.
  const json = await run(['setup', 'mysql', '--json', '--server', 'my-orders', '--database', 'orders']);
  assert.equal(json.code, 2);
  const document = JSON.parse(json.stdout);
  assert.equal(document.error.code, 'usage');
  assert.match(document.error.message, /setup cannot ask in json mode/);
  assert.match(document.error.message, /-n\/--app/);
  assert.doesNotMatch(document.error.message, /--server or --server-id/, 'given flags are not named');

  // A service principal's secret cannot be asked either.
  const sp = await run([
    'setup',
    'sql',
    '--source-id',
    `/subscriptions/${GUID}/resourceGroups/rg/providers/Microsoft.Web/sites/orders-api`,
    '--server-id',
    `/subscriptions/${GUID}/resourceGroups/rg/providers/Microsoft.Sql/servers/sql-orders`,
    '--database',
    'orders',
    '--service-principal',
    `client-id=${GUID}`,
    '--dry-run',
  ]);
  assert.equal(sp.code, 2);
  assert.match(sp.stderr, /this is missing/);
  assert.match(sp.stderr, /the service principal's secret: SC_DOCTOR_APP_CLIENT_SECRET in the environment/);
});

test('setup with every answer given goes on to Azure (the refusal is only for what is missing)', async () => {
  const result = await run([
    'setup',
    'postgres',
    '-g',
    'rg-orders',
    '-n',
    'orders-api',
    '--target',
    'webapp',
    '--server',
    'pg-orders',
    '--database',
    'orders',
    '--system-identity',
    '--dry-run',
  ]);
  // refuseToRun's createServices is where Azure would start.
  assert.match(result.stderr, /validation let a bad command line through/);
});

test("--container (az's -c) names the container of a container app; SQL with go, php, django or ruby takes --no-linker", () => {
  const request = (argv: string[]) => setupRequestFrom(parseArgs(glueKeyValues(argv)));
  assert.equal(
    request(['setup', 'postgres', '--target', 'containerapp', '--container', 'api']).container,
    'api',
  );
  assert.equal(request(['setup', 'postgres', '-c', 'worker']).container, 'worker');
  assert.equal(request(['setup', 'postgres']).container, undefined);
  for (const clientType of ['go', 'php', 'django', 'ruby'])
    assert.equal(
      request(['setup', 'sql', '--client-type', clientType, '--no-linker']).clientType,
      clientType,
    );
  assert.equal(request(['setup', 'postgres', '--client-type', 'go']).clientType, 'go');
});
