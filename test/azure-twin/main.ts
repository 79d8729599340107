/**
 * `npm run twin [-- scenario] [--no-databases]`: starts the local Azure twin, writes `.twin/env` for a
 * shell to `source` (stand-in az on PATH, CA bundle, managed-identity endpoint), and stays up until
 * Ctrl-C. Prints no secret: the admin key and identity header live only in `.twin/env` (mode 0600).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AZ_BIN_DIR, startTwin, type Twin } from './index.ts';
import { scenarioNames } from './scenarios.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const envFile = process.env.TWIN_ENV_FILE ?? join(root, '.twin', 'env');

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `host:port=127.0.0.1:port` pairs: where each seeded server's Azure host name is really served. */
function connectTo(twin: Twin): string {
  const pairs: string[] = [];
  for (const resource of twin.store.all()) {
    const fqdn = (resource.properties as { fullyQualifiedDomainName?: string } | undefined)
      ?.fullyQualifiedDomainName;
    if (!fqdn) continue;
    const pg = /DBforPostgreSQL\/flexibleServers$/i.test(resource.type)
      ? twin.databaseEndpoints.postgres
      : undefined;
    const my = /DBforMySQL\/flexibleServers$/i.test(resource.type) ? twin.databaseEndpoints.mysql : undefined;
    if (pg) pairs.push(`${fqdn}:5432=${pg.host}:${pg.port}`);
    if (my) pairs.push(`${fqdn}:3306=${my.host}:${my.port}`);
  }
  return pairs.join(',');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const scenario = args.find((a) => !a.startsWith('-')) ?? 'healthy';
  if (!scenarioNames().includes(scenario)) {
    process.stderr.write(`Unknown scenario '${scenario}'. Known: ${scenarioNames().join(', ')}\n`);
    process.exit(2);
  }
  let databases = !args.includes('--no-databases');
  let twin: Twin;
  try {
    twin = await startTwin({ scenario, databases });
  } catch (error) {
    if (!databases) throw error;
    process.stderr.write(
      `twin: database servers unavailable (${(error as Error).message.split('\n')[0]}); ARM and Graph only.\n`,
    );
    databases = false;
    twin = await startTwin({ scenario, databases });
  }

  const mapping = connectTo(twin);
  const msi = twin.msiFor(
    `/subscriptions/${twin.world.defaultSubscriptionId}/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-api`,
  );
  const lines = [
    '# Written by `npm run twin`; valid while that process runs. `source` it in a shell.',
    `export PATH=${quote(AZ_BIN_DIR)}:"$PATH"`,
    `export AZ_TWIN_URL=${quote(twin.baseUrl)}`,
    `export AZ_TWIN_KEY=${quote(twin.adminKey)}`,
    `export AZ_TWIN_CA=${quote(twin.caPath)}`,
    `export NODE_EXTRA_CA_CERTS=${quote(twin.caBundlePath)}`,
    `export IDENTITY_ENDPOINT=${quote(msi.IDENTITY_ENDPOINT)}`,
    `export IDENTITY_HEADER=${quote(msi.IDENTITY_HEADER)}`,
    ...(mapping ? [`export SC_DOCTOR_CONNECT_TO=${quote(mapping)}`] : []),
  ];
  await mkdir(dirname(envFile), { recursive: true });
  await writeFile(`${envFile}.tmp`, `${lines.join('\n')}\n`, { mode: 0o600 });
  await rename(`${envFile}.tmp`, envFile);

  process.stdout.write(
    [
      `Azure twin up (scenario '${scenario}'${databases ? ', with PostgreSQL and MariaDB' : ', ARM and Graph only'}).`,
      `  ARM:   ${twin.baseUrl}`,
      `  Graph: ${twin.graphUrl}/v1.0`,
      `  Managed identity (orders-api): ${msi.IDENTITY_ENDPOINT}`,
      ...(twin.databaseEndpoints.postgres
        ? [`  PostgreSQL: ${twin.databaseEndpoints.postgres.host}:${twin.databaseEndpoints.postgres.port}`]
        : []),
      ...(twin.databaseEndpoints.mysql
        ? [`  MySQL:      ${twin.databaseEndpoints.mysql.host}:${twin.databaseEndpoints.mysql.port}`]
        : []),
      '',
      'In another shell:',
      `  . ${envFile}`,
      '  az account show            # the stand-in az answers from the twin',
      '  node dist/cli.js           # sc-doctor against the twin',
      '',
      `Scenarios: ${scenarioNames().join(', ')}`,
      'Ctrl-C stops the twin.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await rm(envFile, { force: true });
    await twin.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
