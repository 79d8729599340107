/**
 * The per-run Azure access object (`Services.azure`): the active cloud, the az facade, the credential
 * chain and the signed-in identity, each worked out at most once per run and shared by every check.
 */
import type { Services } from '../core/services.ts';
import { sharedTask } from '../core/shared-task.ts';
import { type AzFacade, createAzFacade } from './az.ts';
import { type CloudEndpoints, knownCloud, PUBLIC_CLOUD, parseAzCloudShow } from './cloud.ts';
import { type CredentialChain, type CredentialSourceName, createCredentialChain } from './credential.ts';
import { identityFromToken, type TokenIdentity } from './jwt.ts';
import type { ArmReadTransport } from './read-transport.ts';
import type { SignInDiagnosis } from './signin-error.ts';

export interface ResolvedCloud {
  endpoints: CloudEndpoints;
  /** Where the cloud came from: `--cloud`, az's active cloud, or the public default. */
  source: 'flag' | 'az' | 'default';
  /** Problems met on the way (e.g. az printed malformed JSON), shown by checks in `--verbose`. */
  warnings: string[];
}

export type SignInState =
  | {
      ok: true;
      identity: TokenIdentity;
      credential: CredentialSourceName;
      /** az's default subscription (from its token answer), when the credential is az. */
      defaultSubscriptionId: string | undefined;
    }
  | { ok: false; diagnosis: SignInDiagnosis; attempts: string[] };

export interface SubscriptionChoice {
  id: string;
  source: 'flag' | 'env' | 'az-default';
}

/** TLS settings for HTTPS calls to Azure (tests pass the local twin's CA here). */
export interface AzureTlsOptions {
  ca?: string | Buffer;
}

export interface AzureSession {
  /** The az facade (memoised questions; `processCount()` for budgets). */
  readonly az: AzFacade;
  /** Token source for ARM and Graph clients (`credentialScopes: [cloud.armScope]`). */
  readonly credential: CredentialChain;
  readonly tls: AzureTlsOptions | undefined;
  /**
   * How reads are sent: absent for the doctor and setup (the pipeline's own retries); a fleet audit
   * sets one that caches, and sends each read once through the session's pipeline and paces the
   * retries within Azure's limits itself (read-transport.ts).
   */
  readonly reads?: ArmReadTransport;
  /**
   * The active cloud with where it came from. Every method takes the calling check's signal: it stops
   * that check's wait (and the az process or request once nobody else waits on it).
   */
  resolveCloud(signal?: AbortSignal): Promise<ResolvedCloud>;
  /** Shorthand for `(await resolveCloud()).endpoints`. */
  cloud(signal?: AbortSignal): Promise<CloudEndpoints>;
  /** An ARM token through the chain, and who it belongs to (never the token). */
  signIn(signal?: AbortSignal): Promise<SignInState>;
  /** The subscription in use: `--subscription`, then AZURE_SUBSCRIPTION_ID, then az's default. */
  subscription(signal?: AbortSignal): Promise<SubscriptionChoice | undefined>;
  /** Stops az processes still running (Ctrl-C, end of run). */
  dispose(): void;
}

// The Azure session registers itself as `Services.azure` from here, so the core never imports Azure.
declare module '../core/services.ts' {
  interface Services {
    /** Azure access for this run: az facts, cloud endpoints and tokens, each asked at most once. */
    azure: AzureSession;
  }
}

export interface AzureSessionOptions {
  /** `--cloud`: AzureCloud, AzureChinaCloud, AzureUSGovernment, or a cloud registered with az. */
  cloud?: string;
  /** `--subscription` (already validated by the CLI). */
  subscription?: string;
  /** `managed-identity` restricts the chain to the managed identity. */
  credential?: 'default' | 'managed-identity';
  /** Per-az-process timeout (default 15 s). */
  azTimeoutMs?: number;
  tls?: AzureTlsOptions;
}

export function createAzureSession(
  base: { exec: Services['exec']; env: Services['env']; now(): number },
  options: AzureSessionOptions,
): AzureSession {
  const az = createAzFacade({ exec: base.exec, env: base.env, timeoutMs: options.azTimeoutMs });
  const cloudTask = sharedTask((signal) => findCloud(az, options.cloud, signal));
  const resolveCloud = (signal?: AbortSignal) => cloudTask.get(signal);
  const cloud = async (signal?: AbortSignal) => (await resolveCloud(signal)).endpoints;
  const credential = createCredentialChain({
    az,
    env: base.env,
    cloud,
    now: () => base.now(),
    credential: options.credential,
    tls: options.tls,
  });

  // A failed sign-in is not remembered: a later check asks again (az's own answer is still shared).
  const signInTask = sharedTask(
    async (signal): Promise<SignInState> => {
      const endpoints = await cloud(signal);
      const result = await credential.tryGetToken(endpoints.armScope, signal);
      if (!result.ok) return { ok: false, diagnosis: result.diagnosis, attempts: result.attempts };
      const identity = identityFromToken(result.token.token) ?? unknownIdentity();
      let defaultSubscriptionId: string | undefined;
      if (result.source === 'azure-cli') {
        // The same memoised answer the chain used: no extra az process.
        const answer = await az.accessToken(endpoints.armResource, false, signal);
        if (answer.ok) defaultSubscriptionId = answer.value.subscription;
      }
      return { ok: true, identity, credential: result.source, defaultSubscriptionId };
    },
    { keep: (state) => state.ok },
  );
  const signIn = (signal?: AbortSignal) => signInTask.get(signal);

  const subscriptionTask = sharedTask(
    async (signal): Promise<SubscriptionChoice | undefined> => {
      if (options.subscription) return { id: options.subscription, source: 'flag' };
      const fromEnv = base.env.AZURE_SUBSCRIPTION_ID?.trim();
      if (fromEnv) return { id: fromEnv, source: 'env' };
      const state = await signIn(signal);
      if (state.ok && state.defaultSubscriptionId)
        return { id: state.defaultSubscriptionId, source: 'az-default' };
      return undefined;
    },
    { keep: (choice) => choice !== undefined },
  );
  const subscription = (signal?: AbortSignal) => subscriptionTask.get(signal);

  return {
    az,
    credential,
    tls: options.tls,
    resolveCloud,
    cloud,
    signIn,
    subscription,
    dispose: () => az.dispose(),
  };
}

async function findCloud(
  az: AzFacade,
  flag: string | undefined,
  signal: AbortSignal,
): Promise<ResolvedCloud> {
  if (flag) {
    const known = knownCloud(flag);
    if (known) return { endpoints: { ...known }, source: 'flag', warnings: [] };
  }
  const answer = await az.cloudShow(flag, signal);
  // Cut short: no answer about the cloud at all, and nothing to remember for the next caller.
  if (!answer.ok && answer.failure.kind === 'cancelled') throw signal.reason ?? new Error('cancelled');
  if (!answer.ok) {
    const warnings =
      answer.failure.kind === 'not-found'
        ? []
        : [`could not read az's active cloud (${answer.failure.kind}); using AzureCloud`];
    if (flag) warnings.unshift(`--cloud ${flag} is not a known cloud and az could not describe it`);
    return { endpoints: { ...PUBLIC_CLOUD }, source: 'default', warnings };
  }
  const parsed = parseAzCloudShow(answer.value);
  if (!parsed.ok)
    return { endpoints: PUBLIC_CLOUD, source: 'default', warnings: [`${parsed.reason}; using AzureCloud`] };
  return { endpoints: parsed.cloud, source: flag ? 'flag' : 'az', warnings: [] };
}

function unknownIdentity(): TokenIdentity {
  return {
    user: undefined,
    userType: 'unknown',
    objectId: undefined,
    tenantId: undefined,
    appId: undefined,
    expiresOnMs: undefined,
    audience: undefined,
  };
}
