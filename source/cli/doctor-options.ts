/**
 * Turns parsed flags and the environment into `DoctorOptions`, rejecting values that cannot be
 * right (a subscription that is no GUID, an unknown cloud) before anything runs.
 */
import { parseConnectTo } from '../core/connect-to.ts';
import { parseDnsServers } from '../core/dns-servers.ts';
import { isIpv4 } from '../core/ip.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import { NO_TARGET, parseTarget } from '../doctor/target.ts';
import { CLOUDS, CREDENTIALS, FLAGS, TARGET_KINDS } from './flags.ts';
import type { ParsedArgs } from './parse-args.ts';
import { UsageError } from './usage-error.ts';

const CLOUD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * Builds the doctor's options; throws `UsageError` naming the flag (or variable) that is wrong.
 * `databaseKind` (setup's database) holds the server and database names to that kind's rules.
 */
export function doctorOptionsFrom(
  parsed: Pick<ParsedArgs, 'flags'>,
  env: Readonly<Record<string, string | undefined>>,
  databaseKind?: DatabaseKind,
): DoctorOptions {
  const flag = (name: string) => {
    const value = parsed.flags.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const options: DoctorOptions = { verbose: parsed.flags.has('verbose'), target: NO_TARGET };

  // AZURE_SUBSCRIPTION_ID is only validated here; the Azure session applies it after the flag, so
  // it can report where the subscription came from.
  const fromFlag = flag('subscription');
  const fromEnv = env.AZURE_SUBSCRIPTION_ID || undefined;
  for (const [source, value] of [
    ['AZURE_SUBSCRIPTION_ID', fromEnv],
    ['--subscription', fromFlag],
  ] as const) {
    if (value !== undefined && !isGuid(value)) {
      throw new UsageError(
        `${source} must be a subscription id (a GUID like 0b1f6471-1bf0-4dda-aec3-111122223333); got '${clip(value)}'.`,
        ['Find yours with: az account list -o table'],
      );
    }
  }
  if (fromFlag !== undefined) options.subscription = fromFlag.toLowerCase();

  // A name that is none of the three may be a cloud registered with `az cloud register`: az decides,
  // once the run starts (see cloud-option.ts). Only what could never be a cloud name is refused here.
  const cloud = flag('cloud');
  if (cloud !== undefined) {
    const canonical = CLOUDS.find((name) => name.toLowerCase() === cloud.toLowerCase());
    if (!canonical && !CLOUD_NAME.test(cloud))
      throw new UsageError(
        `--cloud must be ${CLOUDS.join(', ')} or the name of a cloud registered with az; got '${clip(cloud)}'.`,
        ['List them with: az cloud list --query "[].name" -o tsv'],
      );
    options.cloud = canonical ?? cloud;
  }

  const credential = flag('credential');
  if (credential !== undefined) {
    const known = CREDENTIALS.find((name) => name === credential.toLowerCase());
    if (!known)
      throw new UsageError(
        `--credential must be one of ${CREDENTIALS.join(', ')}; got '${clip(credential)}'.`,
      );
    options.credential = known;
  }

  // The target flags, parsed here once: every check and setup read the typed target.
  const flags: Record<string, string> = {};
  for (const spec of FLAGS) {
    const value = spec.targetKey ? flag(spec.name) : undefined;
    if (spec.targetKey && value !== undefined) flags[spec.targetKey] = value;
  }
  const kind = flags.target;
  if (kind !== undefined && !(TARGET_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`--target must be one of ${TARGET_KINDS.join(', ')}; got '${clip(kind)}'.`);
  }
  const target = parseTarget(flags, databaseKind);
  if (!target.ok) throw new UsageError(target.problem.message, [target.problem.hint]);
  options.target = target.target;

  // The flag wins over the variable entirely (as for --subscription), so a tunnel given on the
  // command line is never mixed with a stale mapping from the environment.
  const mapFlag = flag('connect-to');
  const mapEnv = env.SC_DOCTOR_CONNECT_TO?.trim() || undefined;
  const mapSource = mapFlag !== undefined ? '--connect-to' : 'SC_DOCTOR_CONNECT_TO';
  const mapText = mapFlag ?? mapEnv;
  if (mapText !== undefined) {
    const parsed = parseConnectTo(mapText);
    if (!parsed.ok) {
      throw new UsageError(`${mapSource}: bad entry '${clip(parsed.entry)}': ${parsed.problem}.`, [
        'Expected HOST:PORT=HOST:PORT[,...], e.g. pg-orders.postgres.database.azure.com:5432=127.0.0.1:15432',
      ]);
    }
    options.connectTo = { entries: parsed.entries, source: mapSource };
  }

  const publicIp = env.SC_DOCTOR_PUBLIC_IP?.trim();
  if (publicIp && !isIpv4(publicIp)) {
    throw new UsageError(
      `SC_DOCTOR_PUBLIC_IP must be an IPv4 address like 203.0.113.7; got '${clip(publicIp)}'.`,
      ['Unset it to let sc-doctor ask an echo service.'],
    );
  }

  const dnsServers = env.SC_DOCTOR_DNS_SERVER?.trim();
  const dns = dnsServers ? parseDnsServers(dnsServers) : undefined;
  if (dns && !dns.ok) {
    throw new UsageError(`SC_DOCTOR_DNS_SERVER: bad entry '${clip(dns.entry)}': ${dns.problem}.`, [
      'Expected ADDRESS[:PORT][,...], e.g. 10.0.0.4 or 127.0.0.1:5353; unset it to use the system resolver.',
    ]);
  }

  if (parsed.flags.has('check-user')) options.checkUser = true;
  return options;
}

function clip(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
