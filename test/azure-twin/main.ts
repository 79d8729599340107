/**
 * `npm run twin [-- scenario] [--no-databases] [--latency=MS] [--lro-delay=MS]`: starts the local Azure twin, writes `.twin/env` for a
 * developer's shell to `source` (stand-in az on PATH, CA bundle) and `.twin/app-env` with what an app
 * running on orders-api would see (its managed-identity endpoint), and stays up until Ctrl-C.
 * The two are kept apart on purpose: a developer's shell is no App Service box. With IDENTITY_ENDPOINT
 * set, sc-doctor adds that managed identity to the end of its credential chain (used when az has no
 * token, or alone with --credential managed-identity). Prints no secret: the admin key and the
 * identity header live only in those files (mode 0600).
 * `--latency` delays every ARM/Graph answer and `--lro-delay` makes each long-running operation run
 * that long, so a server's `Updating` state and the polling show up from outside; both can be changed
 * later with `POST /_twin/latency`.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AZ_BIN_DIR, startTwin, type Twin } from './index.ts';
import { PG_PASSWORD_ADMIN } from './providers/postgres.ts';
import { scenarioNames } from './scenarios.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const envFile = process.env.TWIN_ENV_FILE ?? join(root, '.twin', 'env');
const appEnvFile = join(dirname(envFile), `app-${basename(envFile)}`);

/** Written whole or not at all: demo.sh waits for the env file to appear. */
async function writeAtomically(file: string, lines: string[]): Promise<void> {
  await writeFile(`${file}.tmp`, `${lines.join('\n')}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

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
    const sql = /Microsoft\.Sql\/servers$/i.test(resource.type) ? twin.databaseEndpoints.sql : undefined;
    if (pg) pairs.push(`${fqdn}:5432=${pg.host}:${pg.port}`);
    if (my) pairs.push(`${fqdn}:3306=${my.host}:${my.port}`);
    if (sql) pairs.push(`${fqdn}:1433=${sql.host}:${sql.port}`);
  }
  return pairs.join(',');
}

/** The value of `--flag=MS` in milliseconds (0 when absent); a bad value exits 2 naming the flag. */
function millis(args: string[], flag: string): number {
  const given = args.find((a) => a.startsWith(`${flag}=`));
  if (!given) return 0;
  const value = Number(given.slice(flag.length + 1));
  if (!Number.isFinite(value) || value < 0) {
    process.stderr.write(`${flag} needs a number of milliseconds >= 0, e.g. ${flag}=2000\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const scenario = args.find((a) => !a.startsWith('-')) ?? 'healthy';
  if (!scenarioNames().includes(scenario)) {
    process.stderr.write(`Unknown scenario '${scenario}'. Known: ${scenarioNames().join(', ')}\n`);
    process.exit(2);
  }
  let databases = !args.includes('--no-databases');
  const latencyMs = millis(args, '--latency');
  const lroDelayMs = millis(args, '--lro-delay');
  let twin: Twin;
  try {
    twin = await startTwin({ scenario, databases, latencyMs, lroDelayMs });
  } catch (error) {
    if (!databases) throw error;
    process.stderr.write(
      `twin: database servers unavailable (${(error as Error).message.split('\n')[0]}); ARM and Graph only.\n`,
    );
    databases = false;
    twin = await startTwin({ scenario, databases, latencyMs, lroDelayMs });
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
    ...(mapping ? [`export SC_DOCTOR_CONNECT_TO=${quote(mapping)}`] : []),
    // The address the twin's databases see this machine connect from: stated, so the firewall check
    // never asks a public echo service while you try sc-doctor against the twin.
    `export SC_DOCTOR_PUBLIC_IP=${quote(twin.world.clientIp ?? '127.0.0.1')}`,
  ];
  const appLines = [
    '# Written by `npm run twin`: what an app running on orders-api sees. `source` it to run app code.',
    `export NODE_EXTRA_CA_CERTS=${quote(twin.caBundlePath)}`,
    `export IDENTITY_ENDPOINT=${quote(msi.IDENTITY_ENDPOINT)}`,
    `export IDENTITY_HEADER=${quote(msi.IDENTITY_HEADER)}`,
    ...(mapping ? [`export SC_DOCTOR_CONNECT_TO=${quote(mapping)}`] : []),
  ];
  await mkdir(dirname(envFile), { recursive: true });
  await writeAtomically(appEnvFile, appLines);
  await writeAtomically(envFile, lines);

  process.stdout.write(
    [
      `Azure twin up (scenario '${scenario}'${databases ? ', with PostgreSQL, MariaDB and the SQL stand-in' : ', ARM and Graph only'}).`,
      `  ARM:   ${twin.baseUrl}`,
      `  Graph: ${twin.graphUrl}/v1.0`,
      `  Managed identity (orders-api): ${msi.IDENTITY_ENDPOINT}`,
      ...(twin.databaseEndpoints.postgres
        ? [
            `  PostgreSQL: ${twin.databaseEndpoints.postgres.host}:${twin.databaseEndpoints.postgres.port}`,
            // Its databases belong to the password admin, as on Azure: setup asks for this password.
            `    password admin (owns the databases): ${PG_PASSWORD_ADMIN.login} / ${PG_PASSWORD_ADMIN.password}`,
          ]
        : []),
      ...(twin.databaseEndpoints.mysql
        ? [`  MySQL:      ${twin.databaseEndpoints.mysql.host}:${twin.databaseEndpoints.mysql.port}`]
        : []),
      ...(twin.databaseEndpoints.sql
        ? [
            `  Azure SQL:  ${twin.databaseEndpoints.sql.host}:${twin.databaseEndpoints.sql.port} (TDS stand-in)`,
          ]
        : []),
      '',
      'In another shell:',
      `  . ${envFile}`,
      '  az account show            # the stand-in az answers from the twin',
      '  npm start -- doctor        # sc-doctor against the twin (builds it, on Node 24 if needed)',
      `App code that needs orders-api's managed identity: . ${appEnvFile}`,
      '',
      `Scenarios: ${scenarioNames().join(', ')}`,
      `Latency: ${latencyMs} ms per request, ${lroDelayMs} ms per long-running operation (POST /_twin/latency changes them).`,
      'Ctrl-C (or SIGTERM) stops the twin and its databases.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all([rm(envFile, { force: true }), rm(appEnvFile, { force: true })]);
    await twin.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
