/**
 * `signin`: a token can be had for ARM and for Graph through the credential chain; on failure, why
 * (AADSTS code explained, not signed in, no az) and the fix. Tokens never reach the result.
 */
import type { CredentialSourceName } from '../azure/credential.ts';
import type { TokenIdentity } from '../azure/jwt.ts';
import type { SignInDiagnosis } from '../azure/signin-error.ts';
import type { CheckResult, CheckStatus } from '../core/types.ts';
import type { DoctorCheck } from './check.ts';
import { published } from './facts.ts';

const USER_TYPE_WORDS: Record<TokenIdentity['userType'], string> = {
  user: 'user',
  servicePrincipal: 'service principal',
  managedIdentity: 'managed identity',
  unknown: 'unknown type',
};

export const signinCheck: DoctorCheck = {
  id: 'signin',
  title: 'Signed in',
  async run({ services, options, signal }): Promise<CheckResult> {
    const { azure } = services;
    // ARM and Graph tokens are independent questions: ask both at once.
    const graphAttempt = azure
      .cloud(signal)
      .then((cloud) => azure.credential.tryGetToken(cloud.graphScope, signal));
    const [state, graph, resolved] = await Promise.all([
      azure.signIn(signal),
      graphAttempt,
      azure.resolveCloud(signal),
    ]);
    const cloudDetails = resolved.warnings;

    if (!state.ok) {
      return failed(state.diagnosis, [
        ...cloudDetails,
        ...(options.verbose ? attemptLines(state.attempts) : []),
      ]);
    }

    // A token got through a managed-identity endpoint is that identity's, whatever its claims suggest.
    const identity =
      state.credential === 'managed-identity' && state.identity.userType !== 'user'
        ? { ...state.identity, userType: 'managedIdentity' as const }
        : state.identity;
    const data = published('signin', {
      user: identity.user ?? null,
      userType: identity.userType,
      tenantId: identity.tenantId ?? null,
      objectId: identity.objectId ?? null,
      defaultSubscriptionId: state.defaultSubscriptionId ?? null,
      credential: state.credential,
      cloud: resolved.endpoints.name,
    });
    const who = `${identity.user ?? 'unknown account'} (${USER_TYPE_WORDS[identity.userType]})`;
    const message = `${who} · tenant ${identity.tenantId ?? 'unknown'}`;
    const via = `credential: ${credentialWords(state.credential)} · cloud ${resolved.endpoints.name}`;

    if (!graph.ok) {
      const { diagnosis } = graph;
      const reason = diagnosis.code ? `AADSTS${diagnosis.code}` : diagnosis.message;
      return {
        status: 'warn',
        message: `${message} · no Graph token (${reason})`,
        details: [
          `ARM works, but a Microsoft Graph token was refused: ${diagnosis.message}.`,
          'Checks that read Entra ID (admins, app roles) will be limited.',
          ...diagnosis.details,
          via,
          ...cloudDetails,
        ],
        remediation: diagnosis.remediation,
        data,
      };
    }
    return { status: 'pass', message, details: [via, ...cloudDetails], data };
  },
};

function failed(diagnosis: SignInDiagnosis, extra: string[]): CheckResult {
  const status: CheckStatus =
    diagnosis.kind === 'timeout' ? 'timeout' : diagnosis.kind === 'cancelled' ? 'skip' : 'fail';
  return {
    status,
    message: diagnosis.message,
    details: [...diagnosis.details, ...extra],
    remediation: diagnosis.remediation,
    // Without a token setup can change nothing, and signing in is the user's to do (or, for
    // Conditional Access, the admin's): setup refuses rather than starting and failing.
    blocking: status === 'fail',
    data: published('signin', {
      failure: diagnosis.kind,
      ...(diagnosis.code ? { aadsts: diagnosis.code } : {}),
      ...diagnosis.trace,
    }),
  };
}

function attemptLines(attempts: string[]): string[] {
  return attempts.length > 1 ? attempts.map((line) => `tried ${line}`) : [];
}

function credentialWords(source: CredentialSourceName): string {
  switch (source) {
    case 'azure-cli':
      return 'Azure CLI';
    case 'azure-developer-cli':
      return 'Azure Developer CLI';
    case 'environment':
      return 'service principal from the environment';
    case 'managed-identity':
      return 'managed identity';
  }
}
