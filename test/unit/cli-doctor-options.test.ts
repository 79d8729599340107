import assert from 'node:assert/strict';
import { test } from 'node:test';
import { doctorOptionsFrom, isGuid } from '../../source/cli/doctor-options.ts';
import { parseArgs } from '../../source/cli/parse-args.ts';
import { UsageError } from '../../source/cli/usage-error.ts';
import { NO_TARGET } from '../../source/doctor/target.ts';
import { typedTarget } from '../helpers/target.ts';

const GUID = '0B1F6471-1BF0-4DDA-AEC3-111122223333';
const APP_ID = `/subscriptions/${GUID.toLowerCase()}/resourceGroups/rg/providers/Microsoft.App/containerApps/web`;
const SERVER_ID = `/subscriptions/${GUID.toLowerCase()}/resourceGroups/rg2/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1`;
const options = (argv: string[], env: Record<string, string | undefined> = {}) =>
  doctorOptionsFrom(parseArgs(argv), env);

test('isGuid accepts subscription ids and nothing else', () => {
  assert.equal(isGuid(GUID), true);
  assert.equal(isGuid('my-subscription'), false);
  assert.equal(isGuid(`${GUID}0`), false);
  assert.equal(isGuid('0b1f6471-1bf0-4dda-aec3-11112222333g'), false);
});

test('a valid subscription is kept (lower-cased), target flags are parsed once into the typed target', () => {
  const result = options([
    '--subscription',
    GUID,
    '--cloud',
    'azurechinacloud',
    '--verbose',
    '-g',
    'rg',
    '-n',
    'web',
    '--source-id',
    APP_ID,
    '--target',
    'containerapp',
    '--server',
    'pg1',
    '--database',
    'db',
    '--target-resource-group',
    'rg2',
    '--server-id',
    SERVER_ID,
  ]);
  assert.deepEqual(result, {
    subscription: GUID.toLowerCase(),
    cloud: 'AzureChinaCloud',
    verbose: true,
    // Every target flag under its key, parsed as parseTarget parses them.
    target: typedTarget({
      resourceGroup: 'rg',
      app: 'web',
      sourceId: APP_ID,
      target: 'containerapp',
      server: 'pg1',
      database: 'db',
      targetResourceGroup: 'rg2',
      serverId: SERVER_ID,
    }),
  });
  assert.deepEqual(result.target.server, {
    by: 'id',
    ref: {
      kind: 'postgres',
      subscriptionId: GUID.toLowerCase(),
      resourceGroup: 'rg2',
      name: 'pg1',
      id: SERVER_ID,
    },
  });
  assert.equal(result.target.database, 'db');
  assert.equal(result.target.app?.by, 'id');
  assert.equal(result.target.app?.name, 'web');
  assert.equal(result.target.given, true);
});

test('--target-resource-group and -g reach the server and the app', () => {
  const { target } = options([
    '-g',
    'rg',
    '-n',
    'web',
    '--target',
    'webapp',
    '--server',
    'pg1',
    '--target-resource-group',
    'rg2',
  ]);
  assert.deepEqual(target.server, { by: 'name', name: 'pg1', resourceGroup: 'rg2' });
  assert.deepEqual(target.app, {
    by: 'name',
    kind: 'webapp',
    resourceGroup: 'rg',
    name: 'web',
    service: null,
  });
  // A resource group alone is a target flag too: nothing is asked then.
  assert.equal(options(['-g', 'rg']).target.given, true);
});

test('no flags: no subscription, no cloud, empty target', () => {
  assert.deepEqual(options([]), { verbose: false, target: NO_TARGET });
});

test('a subscription that is not a GUID is a usage error that says how to find one', () => {
  assert.throws(
    () => options(['--subscription', 'x']),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(
        error.message,
        /^--subscription must be a subscription id \(a GUID like 0b1f[0-9a-f-]+\); got 'x'\.$/,
      );
      assert.deepEqual(error.hints, ['Find yours with: az account list -o table']);
      return true;
    },
  );
});

test('AZURE_SUBSCRIPTION_ID is validated under its own name but left to the Azure session to apply', () => {
  assert.equal(options([], { AZURE_SUBSCRIPTION_ID: GUID }).subscription, undefined);
  assert.equal(options([], { AZURE_SUBSCRIPTION_ID: '' }).subscription, undefined);
  const other = '11111111-2222-3333-4444-555555555555';
  assert.equal(options(['--subscription', other], { AZURE_SUBSCRIPTION_ID: GUID }).subscription, other);
  assert.throws(
    () => options([], { AZURE_SUBSCRIPTION_ID: 'prod' }),
    /^UsageError: AZURE_SUBSCRIPTION_ID must be/,
  );
});

test('a cloud name that is none of the three is kept for az to decide; what cannot be a name is refused', () => {
  // Whether az has registered it is asked when the run starts (cloud-option.ts, e2e against the twin).
  assert.equal(options(['--cloud', 'AzureGermanCloud']).cloud, 'AzureGermanCloud');
  assert.equal(options(['--cloud', 'azureusgovernment']).cloud, 'AzureUSGovernment');
  assert.throws(
    () => options(['--cloud', 'my cloud; rm -rf']),
    /--cloud must be AzureCloud, AzureChinaCloud, AzureUSGovernment or the name of a cloud registered with az; got 'my cloud; rm -rf'\./,
  );
});

test('an unknown --target kind lists the valid kinds', () => {
  assert.throws(
    () => options(['--target', 'vm']),
    /--target must be one of webapp, containerapp, spring; got 'vm'\./,
  );
});

test('--check-user asks for the database-user check', () => {
  assert.equal(options(['--check-user']).checkUser, true);
  assert.equal(options([]).checkUser, undefined);
});

test('app flags that cannot name an app are usage errors naming the flag', () => {
  assert.throws(
    () => options(['--source-id', '/subscriptions/x/app']),
    (error: unknown) =>
      error instanceof UsageError &&
      /^--source-id '\/subscriptions\/x\/app' is not the resource id of an app/.test(error.message),
  );
  assert.throws(() => options(['--app', 'web', '--target', 'webapp']), /--resource-group/);
  assert.throws(() => options(['--app', 'web', '-g', 'rg']), /--target webapp, containerapp or spring/);
});
