/**
 * The app's service-principal secret: `SC_DOCTOR_APP_CLIENT_SECRET` from the environment, else asked
 * with the prompter's masked `secret()`. Never `AZURE_CLIENT_SECRET`: that variable is the operator's
 * own sign-in (the credential chain reads it), and taking it would register the operator's secret as
 * the app's. A run where the two would be the same secret is refused. Never in argv, the journal, a
 * log or output.
 */
import type { Services } from '../../core/services.ts';
import { UsageError } from '../../core/usage-error.ts';

/** The app's secret; other front-ends and helpers name this variable too. */
export const SP_SECRET_ENV = 'SC_DOCTOR_APP_CLIENT_SECRET';
/** The operator's own service-principal secret (the environment credential's), never the app's. */
export const OPERATOR_SECRET_ENV = 'AZURE_CLIENT_SECRET';

/** What the prompter and a refusal name as the way to give the secret without a prompt. */
export const SP_SECRET_FLAG = `${SP_SECRET_ENV} (environment)`;

/**
 * Refuses (exit 2) a secret that is the operator's own sign-in secret. Neither value is printed.
 */
export function assertNotOperatorSecret(env: Services['env'], secret: string): void {
  const operator = env[OPERATOR_SECRET_ENV];
  if (!operator || operator !== secret) return;
  throw new UsageError(
    `The app's client secret (${SP_SECRET_ENV}) is the same as the secret you sign in with (${OPERATOR_SECRET_ENV}): the app would be given your own credential.`,
    [
      `Set ${SP_SECRET_ENV} to a secret of the app's service principal, or leave it unset and type it at the masked prompt.`,
    ],
  );
}

/** The usage error for a run that cannot ask for the secret and was not given it. */
export function missingSecretError(clientId: string): UsageError {
  return new UsageError(
    `The client secret of the service principal ${clientId} is needed: set ${SP_SECRET_ENV} in the environment.`,
    [
      `sc-doctor reads the app's secret only from ${SP_SECRET_ENV} or a masked prompt, never from the command line or ${OPERATOR_SECRET_ENV} (your own sign-in).`,
    ],
  );
}

/** The app's secret from its variable or a masked prompt; refuses the operator's own secret. */
export async function servicePrincipalSecret(
  services: Services,
  clientId: string,
  signal?: AbortSignal,
): Promise<string> {
  const fromEnv = services.env[SP_SECRET_ENV];
  if (fromEnv) {
    assertNotOperatorSecret(services.env, fromEnv);
    return fromEnv;
  }
  const prompter = services.prompter;
  if (!prompter?.interactive) throw missingSecretError(clientId);
  const asked = await prompter.secret(
    { message: `Client secret of the service principal ${clientId}`, flag: SP_SECRET_FLAG },
    signal,
  );
  if (!asked) throw missingSecretError(clientId);
  assertNotOperatorSecret(services.env, asked);
  return asked;
}
