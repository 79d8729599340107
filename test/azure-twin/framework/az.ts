/**
 * What the stand-in `az` (test/azure-twin/bin/az) prints: the script forwards its argv to the twin
 * (`POST /_twin/az`) and replays the answer. Output shapes follow Azure CLI 2.67 (`az version`,
 * `az cloud show`, `az account show|list|get-access-token`, `az ad signed-in-user show`) and its error
 * texts (azure-cli-core `_profile.py` `_AZ_LOGIN_MESSAGE`, `auth/util.py` `aad_error_handler`).
 */
import { randomUUID } from 'node:crypto';
import type { Principal, World } from '../api.ts';
import { ARM_AUDIENCE, issuedAudience, OSSRDBMS_AUDIENCE } from './audiences.ts';
import type { CloudJson } from './cloud.ts';

export interface AzAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The stand-in never exits (scripted `hang`). */
  hang?: boolean;
}

export interface AzDeps {
  world: World;
  cloud: CloudJson;
  graphUrl: string;
  cliVersion: string;
  principal(id: string): Principal | undefined;
  /** Token for the principal and audience, with its `exp` (seconds). */
  token(principal: Principal, audience: string): { token: string; exp: number };
}

const LOGIN_MESSAGE = "Please run 'az login' to setup account.";

const ok = (stdout: string): AzAnswer => ({ stdout, stderr: '', exitCode: 0 });
const fail = (stderr: string, exitCode = 1): AzAnswer => ({ stdout: '', stderr: `${stderr}\n`, exitCode });

interface Parsed {
  words: string[];
  options: Map<string, string[]>;
}

/** Options that take no value. */
const FLAGS = new Set(['--only-show-errors', '--debug', '--verbose', '--all', '--help', '-h', '--version']);

function parse(args: string[]): Parsed {
  const words: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) {
      words.push(arg);
      continue;
    }
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const key = name === '-o' ? '--output' : name;
    if (FLAGS.has(key)) {
      options.set(key, []);
      continue;
    }
    const values = inline !== undefined ? [inline] : [];
    while (inline === undefined && i + 1 < args.length && !args[i + 1]!.startsWith('-'))
      values.push(args[++i]!);
    options.set(key, [...(options.get(key) ?? []), ...values]);
  }
  return { words, options };
}

function format(value: unknown, parsed: Parsed): string {
  const query = parsed.options.get('--query')?.[0];
  let out = value;
  if (query) {
    for (const key of query.split('.')) out = (out as Record<string, unknown> | undefined)?.[key];
  }
  const output = parsed.options.get('--output')?.[0] ?? 'json';
  if (output === 'tsv') {
    if (out === null || out === undefined) return '\n';
    if (typeof out === 'object')
      return `${Object.values(out as object)
        .filter((v) => typeof v !== 'object')
        .join('\t')}\n`;
    return `${String(out)}\n`;
  }
  if (output === 'none') return '';
  return `${JSON.stringify(out, null, 2)}\n`;
}

function localDateTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.000000`;
}

/** The AADSTS failure az prints for a token request for `scope`. */
function stsFailure(kind: 'aadsts530003' | 'aadsts50076' | 'aadsts700082', scope: string): AzAnswer {
  const description = {
    aadsts530003: 'AADSTS530003: Your device is required to be managed to access this resource.',
    aadsts50076:
      "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '797f4846-ba00-4fd7-ba43-dac1f8f63013'.",
    aadsts700082:
      'AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-08-01T09:12:44.0000000Z and was inactive for 90.00:00:00.',
  }[kind];
  const timestamp = `${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z`;
  return fail(
    [
      `ERROR: ${description}`,
      `Trace ID: ${randomUUID()}`,
      `Correlation ID: ${randomUUID()}`,
      `Timestamp: ${timestamp}`,
      'Interactive authentication is needed. Please run:',
      `az login --scope ${scope}`,
    ].join('\n'),
  );
}

function unknownCommand(words: string[]): AzAnswer {
  return fail(
    `ERROR: '${words.join(' ')}' is misspelled or not recognized by the system.\n\nExamples from AI knowledge base:\nhttps://aka.ms/cli_ref\nRead more about the command in reference docs`,
    2,
  );
}

/** Runs one az invocation against the world. */
export function runAz(args: string[], deps: AzDeps): AzAnswer {
  const parsed = parse(args);
  const command = parsed.words.join(' ');
  const { world } = deps;

  if (command === 'version' || (command === '' && parsed.options.has('--version'))) {
    return ok(
      format(
        {
          'azure-cli': deps.cliVersion,
          'azure-cli-core': deps.cliVersion,
          'azure-cli-telemetry': '1.1.0',
          extensions: {},
        },
        parsed,
      ),
    );
  }
  if (command === 'cloud show') {
    // az refuses a name that `az cloud register` never saw (CloudNotRegisteredException).
    const name = parsed.options.get('--name')?.[0] ?? parsed.options.get('-n')?.[0];
    const builtIn = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'];
    if (name && ![deps.cloud.name, ...builtIn].some((known) => known.toLowerCase() === name.toLowerCase()))
      return fail(`ERROR: The cloud '${name}' is not registered.`);
    return ok(format(deps.cloud, parsed));
  }
  if (command === 'cloud list') return ok(format([deps.cloud], parsed));

  const known = ['account show', 'account list', 'account get-access-token', 'ad signed-in-user show'];
  if (!known.includes(command)) return unknownCommand(parsed.words);

  const failure = world.azFailure;
  const me = world.signedInAs ? deps.principal(world.signedInAs) : undefined;
  if (failure === 'hang') return { stdout: '', stderr: '', exitCode: 0, hang: true };
  if (failure === 'not-signed-in' || !me) return fail(`ERROR: ${LOGIN_MESSAGE}`);

  const subscriptionId =
    parsed.options.get('--subscription')?.[0] ?? parsed.options.get('-s')?.[0] ?? world.defaultSubscriptionId;
  const subscription = world.subscriptions.find(
    (s) =>
      s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() ||
      s.displayName.toLowerCase() === subscriptionId.toLowerCase(),
  );
  const user =
    me.kind === 'user'
      ? { name: me.signInName ?? me.userPrincipalName ?? me.objectId, type: 'user' }
      : { name: me.appId ?? me.objectId, type: 'servicePrincipal' };
  const account = (sub: World['subscriptions'][number]) => ({
    environmentName: deps.cloud.name,
    homeTenantId: world.tenantId,
    id: sub.subscriptionId,
    isDefault: sub.subscriptionId === world.defaultSubscriptionId,
    managedByTenants: [],
    name: sub.displayName,
    state: sub.state,
    tenantDefaultDomain: world.tenantDomain,
    tenantDisplayName: 'Contoso',
    tenantId: world.tenantId,
    user,
  });

  if (command === 'account list') return ok(format(world.subscriptions.map(account), parsed));
  if (!subscription) {
    return fail(
      `ERROR: Subscription '${subscriptionId}' not found. Check the spelling and casing and try again.`,
    );
  }
  if (command === 'account show') return ok(format(account(subscription), parsed));

  // Token commands.
  let resource: string;
  if (command === 'ad signed-in-user show') {
    resource = `${deps.graphUrl}/`;
  } else {
    const resourceType = parsed.options.get('--resource-type')?.[0];
    const scopes = parsed.options.get('--scope');
    const types: Record<string, string> = {
      arm: ARM_AUDIENCE,
      'ms-graph': `${deps.graphUrl}/`,
      'oss-rdbms': OSSRDBMS_AUDIENCE,
    };
    if (resourceType !== undefined && !types[resourceType]) {
      return fail(
        `ERROR: argument --resource-type: invalid choice: '${resourceType}' (choose from 'aad-graph', 'arm', 'batch', 'data-lake', 'media', 'ms-graph', 'oss-rdbms')`,
        2,
      );
    }
    resource =
      parsed.options.get('--resource')?.[0] ??
      (resourceType ? types[resourceType]! : (scopes?.[0] ?? ARM_AUDIENCE));
  }
  // az turns a resource into a scope by appending `/.default` (hence `https://management.../` + `/.default`).
  const scope = parsed.options.get('--scope')?.[0] ?? `${resource}/.default`;
  if (failure) return stsFailure(failure, scope);

  const tenant = parsed.options.get('--tenant')?.[0] ?? parsed.options.get('-t')?.[0];
  if (
    tenant &&
    tenant.toLowerCase() !== world.tenantId.toLowerCase() &&
    tenant.toLowerCase() !== world.tenantDomain.toLowerCase()
  ) {
    return tenantNotFound(tenant);
  }

  const { token, exp } = deps.token(me, issuedAudience(resource));
  if (command === 'ad signed-in-user show') {
    if (me.kind !== 'user') {
      return fail('ERROR: /me request is only valid with delegated authentication flow.');
    }
    void token;
    return ok(
      format(
        {
          '@odata.context': `${deps.graphUrl}/v1.0/$metadata#users/$entity`,
          businessPhones: [],
          displayName: me.displayName,
          givenName: me.displayName.split(' ')[0] ?? null,
          id: me.objectId,
          jobTitle: null,
          mail: me.userPrincipalName ?? null,
          mobilePhone: null,
          officeLocation: null,
          preferredLanguage: null,
          surname: me.displayName.split(' ').slice(1).join(' ') || null,
          userPrincipalName: me.userPrincipalName,
        },
        parsed,
      ),
    );
  }
  const body: Record<string, unknown> = {
    accessToken: token,
    expiresOn: localDateTime(exp),
    expires_on: exp,
  };
  if (!tenant) body.subscription = subscription.subscriptionId;
  body.tenant = world.tenantId;
  body.tokenType = 'Bearer';
  return ok(format(body, parsed));
}

function tenantNotFound(tenant: string): AzAnswer {
  const timestamp = `${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z`;
  return fail(
    [
      `ERROR: AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      `Trace ID: ${randomUUID()}`,
      `Correlation ID: ${randomUUID()}`,
      `Timestamp: ${timestamp}`,
    ].join('\n'),
  );
}
