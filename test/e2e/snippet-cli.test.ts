// `sc-doctor snippet` as a user runs it from the built bundle: the generator's lazily loaded chunk,
// the code written with --out runs where it lands (Node.js parses it), and no secret leaks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { builtCli, runCli, tempDir } from '../helpers/build.ts';
import { makeStandinAz } from '../helpers/standin-az.ts';

before(() => {
  builtCli();
});

test('snippet --json from the bundle: one document with the snippet, nothing on stderr', async () => {
  const result = await runCli(['snippet', 'mysql', '--client-type', 'nodejs', '--auth', 'user', '--json']);
  assert.equal(result.code, 0);
  assert.equal(result.stderr, '');
  const document = JSON.parse(result.stdout);
  assert.equal(document.command, 'snippet');
  assert.equal(document.snippets[0].files[0].path, 'db.js');
  assert.match(document.snippets[0].files[0].content, /enableCleartextPlugin: true/);
});

test('snippet --out writes files that parse, and says where', async () => {
  const out = join(tempDir('snippet-out-'), 'src');
  const result = await runCli(['snippet', 'sql', '--client-type', 'nodejs', '--auth', 'sp', '--out', out], {
    AZURE_SQL_CLIENTSECRET: 'do-not-print-this-secret',
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\nWritten\n {2}.*src\/db\.js\n$/);
  assert.ok(!result.stdout.includes('do-not-print-this-secret'));
  const file = join(out, 'db.js');
  assert.equal(spawnSync(process.execPath, ['--check', file]).status, 0);
  assert.match(readFileSync(file, 'utf8'), /type: 'token-credential'/);
});

test('snippet with a bad value exits 2 naming the flag, with no stack trace', async () => {
  const result = await runCli(['snippet', 'postgres', '--client-type', 'cobol']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^sc-doctor: --client-type must be one of java, springBoot, /);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

/** `az cloud show` as the Azure CLI prints it for a sovereign cloud (the parts sc-doctor reads). */
function azCloudJson(name: 'AzureChinaCloud' | 'AzureUSGovernment'): string {
  const china = name === 'AzureChinaCloud';
  const host = china ? 'chinacloudapi.cn' : 'usgovcloudapi.net';
  return JSON.stringify({
    endpoints: {
      activeDirectory: china ? 'https://login.chinacloudapi.cn' : 'https://login.microsoftonline.us',
      activeDirectoryResourceId: `https://management.core.${host}/`,
      microsoftGraphResourceId: china
        ? 'https://microsoftgraph.chinacloudapi.cn/'
        : 'https://graph.microsoft.us/',
      ossrdbmsResourceId: `https://ossrdbms-aad.database.${host}`,
      resourceManager: `https://management.${host}/`,
    },
    isActive: true,
    name,
    profile: 'latest',
    suffixes: {
      mysqlServerEndpoint: `.mysql.database.${host}`,
      postgresqlServerEndpoint: `.postgres.database.${host}`,
      sqlServerHostname: `.database.${host}`,
    },
  });
}

function settingsOf(stdout: string): Record<string, string> {
  const snippet = JSON.parse(stdout).snippets[0];
  return Object.fromEntries(
    snippet.settings.map((s: { name: string; value?: string }) => [s.name, s.value ?? '']),
  );
}

test("snippet --cloud: the sovereign cloud's host suffix and token scope go into the settings and code", async () => {
  const china = await runCli([
    'snippet',
    'postgres',
    '--client-type',
    'nodejs',
    '--server',
    'pg-orders',
    '--cloud',
    'AzureChinaCloud',
    '--json',
  ]);
  assert.equal(china.code, 0, china.stderr);
  assert.equal(
    settingsOf(china.stdout).AZURE_POSTGRESQL_HOST,
    'pg-orders.postgres.database.chinacloudapi.cn',
  );
  const code = JSON.parse(china.stdout).snippets[0].files[0].content;
  assert.match(code, /'https:\/\/ossrdbms-aad\.database\.chinacloudapi\.cn\/\.default'/);
  assert.doesNotMatch(code, /database\.windows\.net|azure\.com/);

  const gov = await runCli([
    'snippet',
    'sql',
    '--client-type',
    'nodejs',
    '--server',
    'sql-orders',
    '--cloud',
    'AzureUSGovernment',
  ]);
  assert.equal(gov.code, 0, gov.stderr);
  assert.match(gov.stdout, /sql-orders\.database\.usgovcloudapi\.net/);
  assert.doesNotMatch(gov.stdout, /database\.windows\.net/);
  // Without --server the placeholder names the cloud's suffix too.
  const placeholder = await runCli([
    'snippet',
    'mysql',
    '--client-type',
    'python',
    '--cloud',
    'AzureUSGovernment',
    '--json',
  ]);
  assert.equal(settingsOf(placeholder.stdout).AZURE_MYSQL_HOST, '<server>.mysql.database.usgovcloudapi.net');
});

test("snippet without --cloud uses az's active cloud, and says so", async () => {
  const az = await makeStandinAz();
  try {
    const china = await runCli(['snippet', 'mysql', '--client-type', 'nodejs', '--server', 'my-orders'], {
      ...az.env(),
      AZ_STANDIN_CLOUD_JSON: azCloudJson('AzureChinaCloud'),
    });
    assert.equal(china.code, 0, china.stderr);
    assert.match(
      china.stderr,
      /^sc-doctor: cloud AzureChinaCloud \(az's active cloud; --cloud to choose\)$/m,
    );
    assert.match(china.stdout, /AZURE_MYSQL_HOST=my-orders\.mysql\.database\.chinacloudapi\.cn/);
    assert.match(china.stdout, /https:\/\/ossrdbms-aad\.database\.chinacloudapi\.cn\/\.default/);
    assert.deepEqual(await az.calls(), ['cloud show -o json']);

    const gov = await runCli(
      ['snippet', 'postgres', '--client-type', 'nodejs', '--server', 'pg-orders', '--json'],
      {
        ...az.env(),
        AZ_STANDIN_CLOUD_JSON: azCloudJson('AzureUSGovernment'),
      },
    );
    assert.equal(gov.code, 0, gov.stderr);
    assert.equal(gov.stderr, '', 'JSON mode keeps stderr quiet');
    assert.equal(
      settingsOf(gov.stdout).AZURE_POSTGRESQL_HOST,
      'pg-orders.postgres.database.usgovcloudapi.net',
    );
    assert.match(
      JSON.parse(gov.stdout).snippets[0].files[0].content,
      /ossrdbms-aad\.database\.usgovcloudapi\.net\/\.default/,
    );
  } finally {
    await az.cleanup();
  }
});
