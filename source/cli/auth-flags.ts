/**
 * The auth flags as the Azure CLI takes them: `--system-identity`, `--user-identity client-id=X
 * subs-id=Y` and `--service-principal client-id=X`, whose `key=value` words follow the flag
 * (`glueKeyValues` makes them one value for the parser), with `mysql-identity-id=` in any of them.
 */
import type { AuthChoice } from '../setup/flow-types.ts';
import { isGuid } from './doctor-options.ts';
import type { ParsedArgs } from './parse-args.ts';
import { UsageError } from './usage-error.ts';

export { glueKeyValues } from './parse-args.ts';

const AUTH_FLAGS = ['system-identity', 'user-identity', 'service-principal'] as const;
/** `mysql-identity-id=<ARM id>` of a user-assigned identity, as the Azure CLI takes it inside the auth flag. */
const IDENTITY_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

export function authFrom(
  flags: ParsedArgs['flags'],
): { choice: AuthChoice; mysqlIdentityId?: string } | undefined {
  const given = AUTH_FLAGS.filter((name) => flags.has(name));
  if (given.length > 1) {
    throw new UsageError(
      `choose one way for the app to sign in: ${given.map((name) => `--${name}`).join(' and ')} were both given.`,
    );
  }
  const [name] = given;
  if (name === undefined) return undefined;
  const value = flags.get(name);
  if (name === 'system-identity' && value !== true && !/^mysql-identity-id=/i.test(String(value)))
    throw new UsageError(
      `--system-identity takes no value (only mysql-identity-id=<id> for setup mysql); got '${clip(String(value))}'.`,
    );
  const pairs = value === true ? new Map<string, string>() : keyValues(`--${name}`, String(value));
  const mysqlIdentityId = pairs.get('mysql-identity-id');
  pairs.delete('mysql-identity-id');
  if (mysqlIdentityId !== undefined && !IDENTITY_ID.test(mysqlIdentityId))
    throw new UsageError(
      `mysql-identity-id must be the resource id of a user-assigned identity; got '${clip(mysqlIdentityId)}'.`,
      ['Find it with: az identity show -g <group> -n <name> --query id'],
    );
  const withIdentity = (choice: AuthChoice) => ({
    choice,
    ...(mysqlIdentityId !== undefined ? { mysqlIdentityId } : {}),
  });
  if (name === 'system-identity') {
    for (const key of pairs.keys())
      throw new UsageError(`--system-identity knows only mysql-identity-id; got '${clip(key)}'.`);
    return withIdentity({ kind: 'system' });
  }
  if (pairs.has('secret')) {
    // The value is not echoed: it is a secret, and it is now in the shell history.
    throw new UsageError(
      `--${name} takes no secret: a secret on the command line lands in shell history and the process list.`,
      [
        'Set SC_DOCTOR_APP_CLIENT_SECRET in the environment, or leave it out and sc-doctor asks for it (masked).',
        'If that secret was real, rotate it: it is in your shell history now.',
      ],
    );
  }
  const allowed = name === 'user-identity' ? ['client-id', 'subs-id'] : ['client-id'];
  for (const key of pairs.keys()) {
    if (!allowed.includes(key))
      throw new UsageError(`--${name} knows ${allowed.join(' and ')}; got '${clip(key)}'.`, [
        `Example: --${name} ${allowed.map((k) => `${k}=<guid>`).join(' ')}`,
      ]);
  }
  const clientId = pairs.get('client-id');
  if (clientId === undefined)
    throw new UsageError(`--${name} needs client-id=<guid>.`, [`Example: --${name} client-id=<guid>`]);
  if (!isGuid(clientId))
    throw new UsageError(`--${name} client-id must be a GUID; got '${clip(clientId)}'.`, [
      name === 'user-identity'
        ? 'Find it with: az identity show -g <group> -n <name> --query clientId'
        : 'Find it with: az ad sp list --display-name <name> --query [].appId',
    ]);
  if (name === 'service-principal') return withIdentity({ kind: 'sp', clientId: clientId.toLowerCase() });
  const subscriptionId = pairs.get('subs-id');
  if (subscriptionId !== undefined && !isGuid(subscriptionId))
    throw new UsageError(
      `--user-identity subs-id must be a subscription id (a GUID); got '${clip(subscriptionId)}'.`,
    );
  return withIdentity({
    kind: 'user',
    clientId: clientId.toLowerCase(),
    ...(subscriptionId ? { subscriptionId: subscriptionId.toLowerCase() } : {}),
  });
}

function keyValues(flag: string, text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const equals = word.indexOf('=');
    if (equals <= 0) throw new UsageError(`${flag} takes key=value words; got '${clip(word)}'.`);
    pairs.set(word.slice(0, equals).toLowerCase(), word.slice(equals + 1));
  }
  return pairs;
}

function clip(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
