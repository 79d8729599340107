/**
 * What a person runs when the engine cannot undo a connection: the az command that deletes the
 * linker (per kind of app), or the one that writes a replaced connection back, then the command that
 * puts the earlier settings back, each built by the one quoting function. A journal written before
 * sc-doctor recorded the settings still yields the delete command.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { manualServiceConnector } from '../../source/setup/app/service-connector.ts';

const SITE = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/orders-api';
const CA = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/orders-worker';

/** The argv a POSIX shell hands the program for `line` (printf of each word). */
function argvOf(line: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${line}; for a; do printf '%s\\0' "$a"; done`], {
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

test('a web app: delete the connection, then set the earlier values back exactly as they were', () => {
  const hostile = `old'pg; $(touch /tmp/x) \`id\``;
  const lines = manualServiceConnector({
    linker: `${SITE}/providers/Microsoft.ServiceLinker/linkers/orders_pg`,
    name: 'orders_pg',
    userName: 'aad_orders_pg',
    place: { appId: SITE, appName: 'orders-api', kind: 'webapp', container: null },
    previous: { AZURE_POSTGRESQL_HOST: hostile },
    replaced: null,
  });
  assert.deepEqual(argvOf(lines[0]!), [
    'az',
    'webapp',
    'connection',
    'delete',
    '--id',
    `${SITE}/providers/Microsoft.ServiceLinker/linkers/orders_pg`,
    '--yes',
  ]);
  assert.deepEqual(argvOf(lines[1]!), [
    'az',
    'webapp',
    'config',
    'appsettings',
    'set',
    '--ids',
    SITE,
    '--settings',
    `AZURE_POSTGRESQL_HOST=${hostile}`,
  ]);
});

test('a container app: az containerapp connection delete, then the container env var back; a replaced connection is written back', () => {
  const lines = manualServiceConnector({
    linker: `${CA}/providers/Microsoft.ServiceLinker/linkers/legacy`,
    name: 'legacy',
    userName: 'aad_x',
    place: { appId: CA, appName: 'orders-worker', kind: 'containerapp', container: 'api' },
    previous: { AZURE_POSTGRESQL_USER: 'aad_old' },
    replaced: { clientType: 'python', targetService: { type: 'AzureResource', id: '/x/databases/orders' } },
  });
  const rest = argvOf(lines[0]!);
  assert.deepEqual(rest.slice(0, 6), [
    'az',
    'rest',
    '--method',
    'put',
    '--url',
    `${CA}/providers/Microsoft.ServiceLinker/linkers/legacy?api-version=2024-04-01`,
  ]);
  assert.deepEqual(JSON.parse(rest[7]!), {
    properties: { clientType: 'python', targetService: { type: 'AzureResource', id: '/x/databases/orders' } },
  });
  assert.deepEqual(argvOf(lines[1]!), [
    'az',
    'containerapp',
    'update',
    '--ids',
    CA,
    '--container-name',
    'api',
    '--set-env-vars',
    'AZURE_POSTGRESQL_USER=aad_old',
  ]);
});

test('a record from an older journal (no place, no earlier values): the delete command alone', () => {
  const record = {
    linker: `${SITE}/providers/Microsoft.ServiceLinker/linkers/old`,
    name: 'old',
    userName: 'u',
  };
  assert.deepEqual(manualServiceConnector(record as never), [
    `az webapp connection delete --id ${SITE}/providers/Microsoft.ServiceLinker/linkers/old --yes`,
  ]);
});
