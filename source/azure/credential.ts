/**
 * The credential chain every ARM and Graph client uses: Azure CLI (through the shared az facade, so no
 * extra processes), then Azure Developer CLI, then an environment service principal; managed identity
 * only when asked for explicitly or when an App Service style endpoint (IDENTITY_ENDPOINT) is set, so the
 * instance metadata address is never probed by default. Tokens are cached per scope for the run and
 * asked for again shortly before they expire; a failed or cancelled attempt is never cached, so one
 * check's timeout does not become the next check's answer.
 * @azure/identity is imported only when a source other than az is actually tried.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { Services } from '../core/services.ts';
import { type SharedTask, sharedTask } from '../core/shared-task.ts';
import type { AzFacade } from './az.ts';
import { type CloudEndpoints, KNOWN_CLOUD_NAMES, scopeToResource } from './cloud.ts';
import {
  diagnoseManagedIdentityFailure,
  isAzureVm,
  managedIdentityEndpoint,
  noManagedIdentityHere,
} from './managed-identity.ts';
import { findOnPath } from './path-lookup.ts';
import { azMissing, diagnoseAzFailure, diagnoseSignInText, type SignInDiagnosis } from './signin-error.ts';

export type CredentialSourceName = 'azure-cli' | 'azure-developer-cli' | 'environment' | 'managed-identity';

export type ChainTokenResult =
  | { ok: true; token: AccessToken; source: CredentialSourceName }
  | {
      ok: false;
      /** The most telling failure: the first source that was present and failed for a reason other than "not signed in". */
      diagnosis: SignInDiagnosis;
      /** One line per source tried or skipped, for `--verbose`. */
      attempts: string[];
    };

/** A `TokenCredential` that can also answer without throwing, with a diagnosis. */
export interface CredentialChain extends TokenCredential {
  tryGetToken(scope: string, signal?: AbortSignal): Promise<ChainTokenResult>;
}

export interface CredentialChainOptions {
  az: AzFacade;
  env: Services['env'];
  cloud: () => Promise<CloudEndpoints>;
  now: () => number;
  /** `managed-identity`: use only the managed identity (the `--credential managed-identity` flag). */
  credential?: 'default' | 'managed-identity';
  /**
   * Whether this machine is an Azure VM, where `--credential managed-identity` may ask the instance
   * metadata address (default: its DMI asset tag). Tests pass `async () => false`.
   */
  azureVm?: () => Promise<boolean>;
  /** Extra CA for token endpoints reached over HTTPS (tests: the local twin's CA). */
  tls?: { ca?: string | Buffer };
}

/** Refresh a cached token this long before it expires. */
const EXPIRY_MARGIN_MS = 2 * 60_000;

type SourceAttempt =
  | { kind: 'token'; token: AccessToken }
  | { kind: 'absent'; reason: string }
  | { kind: 'failed'; diagnosis: SignInDiagnosis };

interface Source {
  name: CredentialSourceName;
  get(scope: string, signal?: AbortSignal): Promise<SourceAttempt>;
}

export function createCredentialChain(options: CredentialChainOptions): CredentialChain {
  const sources =
    options.credential === 'managed-identity'
      ? [managedIdentitySource(options)]
      : [
          azureCliSource(options),
          azureDeveloperCliSource(options),
          environmentSource(options),
          ...(options.env.IDENTITY_ENDPOINT ? [managedIdentitySource(options)] : []),
        ];
  const cache = new Map<string, SharedTask<ChainTokenResult>>();

  const resolve = async (scope: string, signal?: AbortSignal): Promise<ChainTokenResult> => {
    const attempts: string[] = [];
    const failures: SignInDiagnosis[] = [];
    for (const source of sources) {
      const attempt = await source.get(scope, signal);
      if (attempt.kind === 'token') return { ok: true, token: attempt.token, source: source.name };
      if (attempt.kind === 'absent') {
        attempts.push(`${source.name}: ${attempt.reason}`);
        continue;
      }
      attempts.push(`${source.name}: ${attempt.diagnosis.message}`);
      failures.push(attempt.diagnosis);
    }
    // "Not signed in" to az says less than a configured service principal's real refusal.
    const telling = failures.find((d) => d.kind !== 'not-signed-in') ?? failures[0];
    return { ok: false, diagnosis: telling ?? azMissing(), attempts };
  };

  const tryGetToken = async (scope: string, signal?: AbortSignal): Promise<ChainTokenResult> => {
    const key = scopeToResource(scope).replace(/\/+$/, '').toLowerCase();
    let task = cache.get(key);
    if (!task) {
      task = sharedTask((stop) => resolve(scope, stop), { keep: (result) => result.ok });
      cache.set(key, task);
    }
    const result = await task.get(signal);
    if (!result.ok || result.token.expiresOnTimestamp - EXPIRY_MARGIN_MS > options.now()) return result;
    // About to expire: ask the sources again (az is asked for a fresh token, not its memoised one).
    task.forget();
    return task.get(signal);
  };

  return {
    tryGetToken,
    async getToken(
      scopes: string | string[],
      getTokenOptions?: GetTokenOptions,
    ): Promise<AccessToken | null> {
      const scope = Array.isArray(scopes) ? scopes[0] : scopes;
      if (!scope) throw new Error('getToken needs a scope');
      const result = await tryGetToken(scope, getTokenOptions?.abortSignal as AbortSignal | undefined);
      if (result.ok) return result.token;
      throw new Error(`${result.diagnosis.message}: ${result.diagnosis.remediation.summary}`);
    },
  };
}

function azureCliSource(options: CredentialChainOptions): Source {
  return {
    name: 'azure-cli',
    async get(scope, signal) {
      const resource = canonicalResource(scopeToResource(scope), await options.cloud());
      const isStale = (expiresOnMs: number) => expiresOnMs - EXPIRY_MARGIN_MS <= options.now();
      let answer = await options.az.accessToken(resource, false, signal);
      if (answer.ok && isStale(answer.value.expiresOnMs))
        answer = await options.az.accessToken(resource, true, signal);
      if (answer.ok) {
        return {
          kind: 'token',
          token: {
            token: answer.value.accessToken,
            expiresOnTimestamp: answer.value.expiresOnMs,
            tokenType: 'Bearer',
          },
        };
      }
      if (answer.failure.kind === 'not-found') return { kind: 'absent', reason: 'az is not on PATH' };
      return { kind: 'failed', diagnosis: diagnoseAzFailure(answer.failure, { scope }) };
    },
  };
}

/**
 * The cloud's own spelling of a resource (`https://graph.microsoft.com/.default` and
 * `https://graph.microsoft.com//.default` are the same audience), so every spelling shares one az answer.
 */
function canonicalResource(resource: string, cloud: CloudEndpoints): string {
  const bare = (url: string) => url.replace(/\/+$/, '').toLowerCase();
  const known = [cloud.armResource, cloud.graphResource, cloud.ossrdbmsResource, cloud.sqlResource];
  return known.find((candidate) => bare(candidate) === bare(resource)) ?? resource;
}

function azureDeveloperCliSource(options: CredentialChainOptions): Source {
  return {
    name: 'azure-developer-cli',
    async get(scope, signal) {
      if (!(await findOnPath('azd', options.env))) return { kind: 'absent', reason: 'azd is not on PATH' };
      const { AzureDeveloperCliCredential } = await import('@azure/identity');
      return viaIdentity(
        new AzureDeveloperCliCredential(),
        scope,
        signal,
        /not logged in|azd auth login|couldn't be found/i,
      );
    },
  };
}

function environmentSource(options: CredentialChainOptions): Source {
  return {
    name: 'environment',
    async get(scope, signal) {
      const {
        AZURE_TENANT_ID: tenantId,
        AZURE_CLIENT_ID: clientId,
        AZURE_CLIENT_SECRET: secret,
      } = options.env;
      if (!tenantId || !clientId || !secret) {
        return {
          kind: 'absent',
          reason: 'AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET are not all set',
        };
      }
      const cloud = await options.cloud();
      const { ClientSecretCredential } = await import('@azure/identity');
      const credential = new ClientSecretCredential(tenantId, clientId, secret, {
        ...tlsOptions(options),
        authorityHost: cloud.authority,
        // A custom cloud's authority is not in Microsoft's instance list; asking for it would leave the machine.
        disableInstanceDiscovery: !(KNOWN_CLOUD_NAMES as readonly string[]).includes(cloud.name),
      });
      return viaIdentity(credential, scope, signal);
    },
  };
}

function managedIdentitySource(options: CredentialChainOptions): Source {
  return {
    name: 'managed-identity',
    async get(scope, signal) {
      // @azure/identity reads the endpoint from process.env, not from the env this chain was given.
      // Without one it would fall back to the instance metadata address, which only an explicit
      // `managed-identity` request on a machine that says it is an Azure VM may reach.
      const endpoint = managedIdentityEndpoint(process.env);
      if (!endpoint) {
        if (options.credential !== 'managed-identity') {
          return { kind: 'absent', reason: 'IDENTITY_ENDPOINT is not set in this process' };
        }
        if (!(await (options.azureVm ?? isAzureVm)())) {
          return { kind: 'failed', diagnosis: noManagedIdentityHere() };
        }
      }
      const { ManagedIdentityCredential } = await import('@azure/identity');
      const clientId = options.env.AZURE_CLIENT_ID;
      const credential = clientId
        ? new ManagedIdentityCredential({ clientId })
        : new ManagedIdentityCredential();
      try {
        const token = await credential.getToken(scope, signal ? { abortSignal: signal } : {});
        if (token) return { kind: 'token', token };
        return {
          kind: 'failed',
          diagnosis: diagnoseManagedIdentityFailure('no token returned', endpoint, scope),
        };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { kind: 'failed', diagnosis: diagnoseManagedIdentityFailure(message, endpoint, scope) };
      }
    },
  };
}

async function viaIdentity(
  credential: TokenCredential,
  scope: string,
  signal: AbortSignal | undefined,
  absentPattern?: RegExp,
): Promise<SourceAttempt> {
  try {
    const token = await credential.getToken(scope, signal ? { abortSignal: signal } : {});
    if (token) return { kind: 'token', token };
    return { kind: 'failed', diagnosis: diagnoseSignInText('the credential returned no token', { scope }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (absentPattern && !/AADSTS\d/.test(message) && absentPattern.test(message)) {
      return { kind: 'absent', reason: message.split('\n')[0] ?? message };
    }
    return { kind: 'failed', diagnosis: diagnoseSignInText(message, { scope }) };
  }
}

function tlsOptions(options: CredentialChainOptions): { tlsOptions?: { ca: string | Buffer } } {
  return options.tls?.ca ? { tlsOptions: { ca: options.tls.ca } } : {};
}
