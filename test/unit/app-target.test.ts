/** The app target from flags: ids built from parts, ids parsed, and mistakes named by their flag. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { doctorOptionsFrom } from '../../source/cli/doctor-options.ts';
import { UsageError } from '../../source/cli/usage-error.ts';
import { type AppRef, appRefOf, parseTarget } from '../../source/doctor/target.ts';

/** The app the flags name, as the app checks resolve it in subscription `subscriptionId`. */
function appTargetFrom(flags: Record<string, string>, subscriptionId: string): AppRef | null {
  const parsed = parseTarget(flags);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.target.app && appRefOf(parsed.target.app, subscriptionId);
}

/** What the command line does with the flags: a usage error (exit 2) before anything runs. */
function validateAppTarget(flags: Record<string, string>): void {
  doctorOptionsFrom({ flags: new Map(Object.entries(flags).map(([k, v]) => [FLAG_OF[k] ?? k, v])) }, {});
}
const FLAG_OF: Record<string, string> = {
  sourceId: 'source-id',
  resourceGroup: 'resource-group',
};

const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';
const GROUP = `/subscriptions/${SUB}/resourceGroups/rg-orders`;

test('no app flags: no app target', () => {
  assert.equal(appTargetFrom({}, SUB), null);
  assert.equal(appTargetFrom({ server: 'pg-orders' }, SUB), null);
});

test('--app, --resource-group and --target build the id for each kind', () => {
  assert.equal(
    appTargetFrom({ app: 'orders-api', resourceGroup: 'rg-orders', target: 'webapp' }, SUB)?.id,
    `${GROUP}/providers/Microsoft.Web/sites/orders-api`,
  );
  assert.equal(
    appTargetFrom({ app: 'orders-worker', resourceGroup: 'rg-orders', target: 'containerapp' }, SUB)?.id,
    `${GROUP}/providers/Microsoft.App/containerApps/orders-worker`,
  );
  const spring = appTargetFrom(
    { app: 'spring-orders/orders-spring', resourceGroup: 'rg-orders', target: 'spring' },
    SUB,
  );
  assert.equal(
    spring?.id,
    `${GROUP}/providers/Microsoft.AppPlatform/Spring/spring-orders/apps/orders-spring`,
  );
  assert.equal(spring?.service, 'spring-orders');
  assert.equal(spring?.name, 'orders-spring');
});

test('--source-id is parsed into kind, subscription, group and name, any casing', () => {
  const web = appTargetFrom({ sourceId: `${GROUP}/providers/microsoft.web/SITES/orders-api` }, 'other');
  assert.deepEqual(
    { kind: web?.kind, sub: web?.subscriptionId, group: web?.resourceGroup, name: web?.name },
    { kind: 'webapp', sub: SUB, group: 'rg-orders', name: 'orders-api' },
  );
  const spring = appTargetFrom(
    { sourceId: `${GROUP}/providers/Microsoft.AppPlatform/Spring/spring-orders/apps/orders-spring` },
    SUB,
  );
  assert.equal(spring?.kind, 'spring');
  assert.equal(spring?.service, 'spring-orders');
});

const mistakes: { flags: Record<string, string>; names: RegExp }[] = [
  { flags: { app: 'orders-api', target: 'webapp' }, names: /--resource-group/ },
  {
    flags: { app: 'orders-api', resourceGroup: 'rg-orders' },
    names: /--target webapp, containerapp or spring/,
  },
  { flags: { target: 'webapp' }, names: /--app <name>/ },
  {
    flags: { app: 'orders-spring', resourceGroup: 'rg-orders', target: 'spring' },
    names: /<service>\/<app>/,
  },
  { flags: { app: 'a/b', resourceGroup: 'rg-orders', target: 'webapp' }, names: /--source-id/ },
  {
    flags: { sourceId: '/subscriptions/x/resourceGroups/g/providers/Microsoft.Sql/servers/s' },
    names: /--source-id .* is not the resource id of an app/,
  },
  {
    flags: { sourceId: `${GROUP}/providers/Microsoft.Web/sites/orders-api`, target: 'containerapp' },
    names: /--target containerapp does not match --source-id, which is a webapp/,
  },
  { flags: { sourceId: `${GROUP}/providers/Microsoft.AppPlatform/Spring/svc` }, names: /\/apps\/<app>/ },
  { flags: { sourceId: `${GROUP}/providers/Microsoft.Web/sites/orders-api/apps/x` }, names: /--source-id/ },
];

for (const { flags, names } of mistakes) {
  test(`usage error naming the flag: ${JSON.stringify(flags)}`, () => {
    assert.throws(
      () => validateAppTarget(flags),
      (error: unknown) => error instanceof UsageError && names.test(error.message),
    );
  });
}
