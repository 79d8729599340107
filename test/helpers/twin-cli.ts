/**
 * The built CLI against a running twin, as a developer runs it after `. .twin/env`: the twin's
 * stand-in az on PATH, every database's Azure name mapped to the twin's server with
 * SC_DOCTOR_CONNECT_TO, this machine's public IP stated, a HOME of its own for the journal. The one
 * place that decides what the CLI's environment holds, so a new variable (the app's secret, a database
 * owner's password) is added here once for every end-to-end test.
 */
import { join } from 'node:path';
import type { Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, type CliRun, runProgram, tempDir } from './build.ts';

/** The port each database kind listens on in Azure (what its Azure name is mapped from). */
const AZURE_PORTS = { postgres: 5432, mysql: 3306, sql: 1433 } as const;

/** What the twin's own environment contributes: its az on PATH, where it listens, its CA. */
const TWIN_KEYS = [
  'PATH',
  'AZ_TWIN_URL',
  'AZ_TWIN_KEY',
  'AZ_TWIN_CA',
  'NODE_EXTRA_CA_CERTS',
  'SC_DOCTOR_DNS_SERVER',
] as const;

export interface TwinCliEnvOptions {
  /** The CLI's HOME (its journal lives in `<home>/.sc-doctor`); a fresh one when left out. */
  home?: string;
  /** The secret of the service principal the app connects as (`--service-principal`). */
  appSecret?: string;
  /**
   * The password of the PostgreSQL database's owner (the server's password admin, as Azure makes it),
   * for the grants only the owner can give; without it a PostgreSQL setup hands them off (exit 4).
   */
  databaseOwnerPassword?: string;
}

/**
 * The environment variable that carries the app's service-principal secret to the CLI. Every test
 * hands that secret over through this function only, so renaming the variable is a one-line change.
 */
export function appSecretEnv(secret: string): Record<string, string> {
  return { SC_DOCTOR_APP_CLIENT_SECRET: secret };
}

/** The environment the built CLI runs with against `twin` (nothing of this process's own leaks in). */
export function twinCliEnv(twin: Twin, options: TwinCliEnvOptions = {}): Record<string, string> {
  const home = options.home ?? tempDir('sc-doctor-home-');
  const twinEnv = twin.env();
  const env: Record<string, string> = {
    HOME: home,
    AZURE_CONFIG_DIR: join(home, '.azure'),
    SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
  };
  for (const key of TWIN_KEYS) if (twinEnv[key]) env[key] = twinEnv[key] as string;
  const mappings = (Object.keys(AZURE_PORTS) as (keyof typeof AZURE_PORTS)[]).flatMap((kind) => {
    const endpoint = twin.databaseEndpoints[kind];
    const server = twin.store.get(RESOURCE_IDS[kind]);
    const fqdn = (server?.properties as { fullyQualifiedDomainName?: string } | undefined)
      ?.fullyQualifiedDomainName;
    return endpoint && fqdn ? [`${fqdn}:${AZURE_PORTS[kind]}=${endpoint.host}:${endpoint.port}`] : [];
  });
  if (mappings.length > 0) env.SC_DOCTOR_CONNECT_TO = mappings.join(',');
  if (options.appSecret !== undefined) Object.assign(env, appSecretEnv(options.appSecret));
  if (options.databaseOwnerPassword !== undefined)
    env.SC_DOCTOR_PG_OWNER_PASSWORD = options.databaseOwnerPassword;
  return env;
}

/**
 * Runs the built CLI with `env` (from `twinCliEnv`), closed stdin, for at most two minutes, in `cwd`:
 * a fresh empty folder by default, as a user runs it in a project of theirs (never this clone, where
 * a hand-off script or `--out` would land among the sources).
 */
export function runBuiltCli(
  args: string[],
  env: Record<string, string>,
  cwd: string = tempDir('sc-doctor-cwd-'),
): Promise<CliRun> {
  return runProgram(process.execPath, [builtCli().cli, ...args], env, 120_000, cwd);
}

/**
 * Records every write request the twin answers from now on (PUT, PATCH, DELETE and POSTs that are
 * not reads), whoever sent it; the returned array fills as they come.
 */
export function recordWrites(twin: Twin): string[] {
  const writes: string[] = [];
  const take = twin.faults.take.bind(twin.faults);
  twin.faults.take = (method, path) => {
    // A Resource Graph query is a POST that reads, as the `.../list` actions are.
    const read =
      path.endsWith('/list') || path.toLowerCase() === '/providers/microsoft.resourcegraph/resources';
    if (!['GET', 'HEAD'].includes(method) && !read && !path.startsWith('/_twin'))
      writes.push(`${method} ${path}`);
    return take(method, path);
  };
  return writes;
}
