import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  knownCloud,
  PUBLIC_CLOUD,
  parseAzCloudShow,
  resourceToScope,
  scopeToResource,
} from '../../source/azure/cloud.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/az/${name}`, import.meta.url), 'utf8');

test('the three named clouds have their own ARM, Graph, authority, database scopes and suffixes', () => {
  const china = knownCloud('azurechinacloud')!;
  assert.equal(china.name, 'AzureChinaCloud');
  assert.equal(china.resourceManager, 'https://management.chinacloudapi.cn/');
  assert.equal(china.graphResource, 'https://microsoftgraph.chinacloudapi.cn/');
  assert.equal(china.authority, 'https://login.chinacloudapi.cn');
  assert.equal(china.ossrdbmsScope, 'https://ossrdbms-aad.database.chinacloudapi.cn/.default');
  assert.equal(china.sqlScope, 'https://database.chinacloudapi.cn/.default');
  assert.equal(china.suffixes.postgres, '.postgres.database.chinacloudapi.cn');
  const gov = knownCloud('AzureUSGovernment')!;
  assert.equal(gov.armScope, 'https://management.core.usgovcloudapi.net//.default');
  assert.equal(gov.graphResource, 'https://graph.microsoft.us/');
  assert.equal(gov.ossrdbmsScope, 'https://ossrdbms-aad.database.usgovcloudapi.net/.default');
  assert.equal(gov.suffixes.mysql, '.mysql.database.usgovcloudapi.net');
  assert.equal(PUBLIC_CLOUD.armScope, 'https://management.core.windows.net//.default');
  assert.equal(PUBLIC_CLOUD.graphScope, 'https://graph.microsoft.com//.default');
  assert.equal(PUBLIC_CLOUD.ossrdbmsScope, 'https://ossrdbms-aad.database.windows.net/.default');
  assert.equal(PUBLIC_CLOUD.sqlScope, 'https://database.windows.net/.default');
  assert.equal(knownCloud('MyCloud'), undefined);
});

test('scopes and resources convert the way az and AzureCliCredential do', () => {
  assert.equal(
    resourceToScope('https://management.core.windows.net/'),
    'https://management.core.windows.net//.default',
  );
  assert.equal(
    scopeToResource('https://management.core.windows.net//.default'),
    'https://management.core.windows.net/',
  );
  assert.equal(
    scopeToResource('https://ossrdbms-aad.database.windows.net/.default'),
    'https://ossrdbms-aad.database.windows.net',
  );
});

test("az cloud show's real public-cloud answer parses to the public endpoints", () => {
  const parsed = parseAzCloudShow(fixture('cloud-azurecloud.json'));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.cloud, PUBLIC_CLOUD);
});

test('a custom cloud (the twin) takes every endpoint and suffix from az, SQL audience from its host suffix', () => {
  const parsed = parseAzCloudShow(fixture('cloud-twin.json').replaceAll('PORT', '41234'));
  assert.ok(parsed.ok);
  const { cloud } = parsed;
  assert.equal(cloud.name, 'TwinCloud');
  assert.equal(cloud.resourceManager, 'https://127.0.0.1:41234/');
  assert.equal(cloud.armResource, 'https://management.twin.test/');
  assert.equal(cloud.armScope, 'https://management.twin.test//.default');
  assert.equal(cloud.graphResource, 'https://localhost:41234/');
  assert.equal(cloud.authority, 'https://127.0.0.1:41234');
  assert.equal(cloud.ossrdbmsResource, 'https://ossrdbms-aad.twin.test');
  assert.equal(cloud.ossrdbmsScope, 'https://ossrdbms-aad.twin.test/.default');
  assert.equal(cloud.sqlResource, 'https://database.twin.test/');
  assert.equal(cloud.sqlScope, 'https://database.twin.test/.default');
  assert.deepEqual(cloud.suffixes, {
    postgres: '.postgres.twin.test',
    mysql: '.mysql.twin.test',
    sql: '.database.twin.test',
  });
  assert.equal(cloud.portal, undefined);
});

test('a known cloud name keeps what az says and fills the rest from the table; unknown keys are ignored', () => {
  const parsed = parseAzCloudShow(
    JSON.stringify({
      name: 'AzureUSGovernment',
      endpoints: { resourceManager: 'https://management.usgovcloudapi.net/', surprise: 1 },
      extra: [],
    }),
  );
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.cloud, knownCloud('AzureUSGovernment'));
});

test('malformed answers are reported, not thrown', () => {
  const garbage = parseAzCloudShow('Welcome to Azure CLI!\n{');
  assert.equal(garbage.ok, false);
  assert.match(!garbage.ok ? garbage.reason : '', /not print JSON: Welcome to Azure CLI!/);
  assert.equal(parseAzCloudShow('[1,2]').ok, false);
  assert.equal(parseAzCloudShow(JSON.stringify({ name: 'Custom', endpoints: {} })).ok, false);
});
