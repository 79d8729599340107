/**
 * `npm run twin [-- scenario] [--no-databases] [--latency=MS] [--lro-delay=MS] [--help]`: starts the local Azure twin, writes `.twin/env` for a
 * developer's shell to `source` (stand-in az on PATH, CA bundle) and `.twin/app-env` with what an app
 * running on orders-api would see (its managed-identity endpoint), and stays up until Ctrl-C.
 * The two are kept apart on purpose: a developer's shell is no App Service box. With IDENTITY_ENDPOINT
 * set, sc-doctor adds that managed identity to the end of its credential chain (used when az has no
 * token, or alone with --credential managed-identity). Prints no secret: the admin key and the
 * identity header live only in those files (mode 0600).
 * `--latency` delays every ARM/Graph answer and `--lro-delay` makes each long-running operation run
 * that long, so a server's `Updating` state and the polling show up from outside; both can be changed
 * later with `POST /_twin/latency`. Databases that cannot start end the run with exit 1 and the reason
 * (`--no-databases` is how to ask for a twin without them), never a twin quietly missing them.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../servers/instance-dirs.ts';
import { resolveInTwin } from './dns.ts';
import { AZ_BIN_DIR, startTwin, type Twin } from './index.ts';
import { PG_PASSWORD_ADMIN } from './providers/postgres.ts';
import { generatedScenarioNames, scenarioNames } from './scenarios.ts';
import { KNOWN_FLAGS, twinHelp } from './twin-help.ts';

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

/**
 * `host:port=127.0.0.1:port` pairs: where each server a machine on the internet can reach is really
 * served (the twin's databases listen on their own ports, not Azure's). A server only reachable from
 * inside a network (VNet-integrated, or public access off) gets no pair: sc-doctor asks the twin's DNS
 * server about it (SC_DOCTOR_DNS_SERVER) and gets the answer a machine outside that network gets.
 * Without databases, the servers map to `closed`, a port where nothing listens. `everyServer` maps the
 * private ones too: for .twin/app-env, sc-doctor run as the app, which lives in the servers' network.
 */
function connectTo(twin: Twin, closed: number | undefined, everyServer = false): string {
  const pairs: string[] = [];
  const engines = [
    { type: /DBforPostgreSQL\/flexibleServers$/i, port: 5432, endpoint: twin.databaseEndpoints.postgres },
    { type: /DBforMySQL\/flexibleServers$/i, port: 3306, endpoint: twin.databaseEndpoints.mysql },
    { type: /Microsoft\.Sql\/servers$/i, port: 1433, endpoint: twin.databaseEndpoints.sql },
  ];
  for (const resource of twin.store.all()) {
    const properties = (resource.properties ?? {}) as {
      fullyQualifiedDomainName?: string;
      publicNetworkAccess?: string;
      network?: { publicNetworkAccess?: string };
    };
    const fqdn = properties.fullyQualifiedDomainName;
    const engine = engines.find((e) => e.type.test(resource.type));
    if (!fqdn || !engine) continue;
    const publicAccess = properties.network?.publicNetworkAccess ?? properties.publicNetworkAccess;
    const answer = resolveInTwin(twin, fqdn);
    const outsideReaches = !!answer?.addresses.length && publicAccess?.toLowerCase() !== 'disabled';
    if (!outsideReaches && !everyServer) continue;
    const to = engine.endpoint ?? (closed ? { host: '127.0.0.1', port: closed } : undefined);
    if (to) pairs.push(`${fqdn}:${engine.port}=${to.host}:${to.port}`);
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

/** Exits 2 naming the first argument that is no flag of the twin's, or a second scenario. */
function checkArguments(args: string[]): void {
  const unknown = args.find((a) => a.startsWith('-') && !KNOWN_FLAGS.includes(a.split('=')[0]!));
  const scenarios = args.filter((a) => !a.startsWith('-'));
  const problem = unknown
    ? `unknown option '${unknown}'`
    : scenarios.length > 1
      ? `one scenario at a time (got ${scenarios.join(', ')})`
      : undefined;
  if (!problem) return;
  process.stderr.write(`twin: ${problem}. See: npm run twin -- --help\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(twinHelp(process.stdout.columns));
    return;
  }
  checkArguments(args);
  const scenario = args.find((a) => !a.startsWith('-')) ?? 'healthy';
  const known = [...scenarioNames(), ...generatedScenarioNames()];
  if (!known.includes(scenario)) {
    process.stderr.write(
      `twin: unknown scenario '${scenario}'. Known: ${known.join(', ')}\n` +
        'Each is described by: npm run twin -- --help\n',
    );
    process.exit(2);
  }
  const databases = !args.includes('--no-databases');
  const latencyMs = millis(args, '--latency');
  const lroDelayMs = millis(args, '--lro-delay');
  let twin: Twin;
  try {
    twin = await startTwin({ scenario, databases, latencyMs, lroDelayMs });
  } catch (error) {
    // Asked for databases (the default) and they cannot start: say so and stop, rather than run a
    // twin whose servers refuse every login.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      databases
        ? `twin: the database servers did not start: ${message}\n` +
            `To run ARM and Graph without them: npm run twin -- ${scenario} --no-databases\n`
        : `twin: did not start: ${message}\n`,
    );
    process.exit(1);
  }

  // A port that was free a moment ago: connections to it are refused, as to a server with no database.
  const closed = databases ? undefined : await freePort();
  const mapping = connectTo(twin, closed);
  const appMapping = connectTo(twin, closed, true);
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
    // The twin's host names are answered by the twin: never asked of this machine's DNS.
    `export SC_DOCTOR_DNS_SERVER=${quote(twin.dnsServer)}`,
    // The address the twin's databases see this machine connect from: stated, so the firewall check
    // never asks a public echo service while you try sc-doctor against the twin.
    `export SC_DOCTOR_PUBLIC_IP=${quote(twin.world.clientIp ?? '127.0.0.1')}`,
  ];
  const appLines = [
    '# Written by `npm run twin`: what an app running on orders-api sees. `source` it to run app code.',
    `export NODE_EXTRA_CA_CERTS=${quote(twin.caBundlePath)}`,
    `export IDENTITY_ENDPOINT=${quote(msi.IDENTITY_ENDPOINT)}`,
    `export IDENTITY_HEADER=${quote(msi.IDENTITY_HEADER)}`,
    ...(appMapping ? [`export SC_DOCTOR_CONNECT_TO=${quote(appMapping)}`] : []),
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
      `Scenarios: ${[...scenarioNames(), ...generatedScenarioNames()].join(', ')}`,
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
