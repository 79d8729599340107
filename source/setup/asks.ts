/**
 * The questions the setup flow asks when the command line does not answer them: how the app signs
 * in, which language it connects from, which container of a container app gets the settings, and a
 * service principal's secret. Each question names the flag that answers it (plain and JSON refuse
 * with that flag, exit 2).
 */
import type { Prompter } from '../core/prompter.ts';
import type { Services } from '../core/services.ts';
import { UsageError } from '../core/usage-error.ts';
import type { AppFacts } from '../doctor/facts.ts';
import { detectClientTypeIn } from '../snippets/detect.ts';
import { CLIENT_TYPES, type ClientType } from '../snippets/types.ts';
import {
  assertNotOperatorSecret,
  missingSecretError,
  SP_SECRET_ENV,
  SP_SECRET_FLAG,
} from './app/sp-secret.ts';
import type { AuthChoice, SetupRequest } from './flow-types.ts';
import { GUID } from './input.ts';

/** A user-assigned identity the auth picker offers. */
export interface UserIdentityChoice {
  name: string;
  clientId: string;
  subscriptionId?: string;
  resourceGroup?: string;
}

/**
 * The container of a container app that gets the settings (the linker's `scope`): `--container`,
 * checked against the app's containers; the only one; else picked (plain and JSON refuse, naming
 * `--container`). Undefined when the app is no container app or its containers were not read (the
 * step reads them); null when the user backed out.
 */
export async function chooseContainer(
  prompter: Prompter,
  app: AppFacts,
  request: SetupRequest,
  signal: AbortSignal,
): Promise<string | undefined | null> {
  if (app.kind !== 'containerapp') {
    if (request.container !== undefined)
      throw new UsageError(`--container is for a container app; ${app.name} is not one: leave it out.`);
    return undefined;
  }
  const containers = app.containers;
  if (request.container !== undefined) {
    if (containers && !containers.includes(request.container))
      throw new UsageError(
        `${app.name} has no container named ${JSON.stringify(request.container)}; its containers: ${containers.join(', ')}.`,
      );
    return request.container;
  }
  if (!request.linker || !containers || containers.length === 0) return undefined;
  if (containers.length === 1) return containers[0];
  const picked = await prompter.pick<string>(
    {
      message: `Which container of ${app.name} connects to the database? Service Connector writes its settings there.`,
      flag: '--container',
      choices: containers.map((name) => ({ label: name, value: name })),
    },
    signal,
  );
  return picked ?? null;
}

/** How the app signs in: asked, with the subscription's user-assigned identities to pick from when listed. */
export async function askAuth(
  ctx: { prompter: Prompter; services: Services },
  listUserIdentities:
    | ((services: Services, signal: AbortSignal) => Promise<UserIdentityChoice[]>)
    | undefined,
  signal: AbortSignal,
): Promise<AuthChoice | undefined> {
  const { prompter, services } = ctx;
  const kind = await prompter.pick<AuthChoice['kind']>(
    {
      message: 'How should the app sign in to the database?',
      flag: '--system-identity, --user-identity or --service-principal',
      choices: [
        { label: 'System identity', value: 'system', hint: "the app's own managed identity" },
        { label: 'User identity', value: 'user', hint: 'a user-assigned managed identity' },
        { label: 'Service principal', value: 'sp', hint: 'an app registration with a secret' },
      ],
    },
    signal,
  );
  if (kind === undefined) return undefined;
  if (kind === 'system') return { kind };
  if (kind === 'user' && listUserIdentities) {
    const list = listUserIdentities;
    const picked = await prompter.pick<UserIdentityChoice>(
      {
        message: 'Which user-assigned identity?',
        flag: '--user-identity client-id=X subs-id=Y',
        choices: async (s) =>
          (await list(services, s)).map((identity) => ({
            label: identity.name,
            value: identity,
            hint: [identity.resourceGroup, identity.clientId].filter(Boolean).join(' · '),
          })),
      },
      signal,
    );
    if (!picked) return undefined;
    return {
      kind: 'user',
      clientId: picked.clientId,
      ...(picked.subscriptionId ? { subscriptionId: picked.subscriptionId } : {}),
    };
  }
  const clientId = await prompter.input(
    {
      message:
        kind === 'user' ? 'Client id of the user-assigned identity' : 'Client id of the service principal',
      flag: kind === 'user' ? '--user-identity client-id=X' : '--service-principal client-id=X',
      validate: (value) => (GUID.test(value.trim()) ? undefined : 'a client id is a GUID'),
    },
    signal,
  );
  if (!clientId) return undefined;
  return { kind, clientId: clientId.trim().toLowerCase() };
}

/** The language the app connects from: the project in `cwd` suggests one; nobody to ask takes it (or none). */
export async function askClientType(
  prompter: Prompter,
  cwd: string | undefined,
  signal: AbortSignal,
): Promise<ClientType | undefined> {
  const detected = detectClientTypeIn(cwd ?? process.cwd())?.clientType;
  // Without anyone to ask, the project's own files decide, else no client code at all.
  if (!prompter.interactive) return detected ?? 'none';
  const ordered = detected ? [detected, ...CLIENT_TYPES.filter((type) => type !== detected)] : CLIENT_TYPES;
  return prompter.pick<ClientType>(
    {
      message: 'Which language does the app connect from?',
      flag: '--client-type',
      choices: ordered.map((type) => ({
        label: type,
        value: type,
        ...(type === detected ? { hint: 'found in this folder' } : {}),
      })),
    },
    signal,
  );
}

/**
 * The app's service-principal secret, from SC_DOCTOR_APP_CLIENT_SECRET or a masked prompt: never from
 * argv, and never from AZURE_CLIENT_SECRET (the operator's own sign-in). Asked before the plan, so a
 * run that cannot get it (plain or JSON without the variable) or would register the operator's own
 * secret stops with exit 2 before anything is written. The steps read it from their services'
 * environment, so it never enters an input or a journal.
 */
export async function withClientSecret(
  services: Services,
  prompter: Prompter,
  clientId: string,
  signal: AbortSignal,
): Promise<Services | undefined> {
  const given = services.env[SP_SECRET_ENV];
  if (given) {
    assertNotOperatorSecret(services.env, given);
    return services;
  }
  if (!prompter.interactive) throw missingSecretError(clientId);
  const secret = await prompter.secret(
    { message: `Client secret of the service principal ${clientId}`, flag: SP_SECRET_FLAG },
    signal,
  );
  if (!secret) return undefined;
  assertNotOperatorSecret(services.env, secret);
  return { ...services, env: { ...services.env, [SP_SECRET_ENV]: secret } };
}
