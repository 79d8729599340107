/**
 * A service principal's secret: `AZURE_CLIENT_SECRET` from the environment, else asked with the
 * prompter's masked `secret()`. Never in argv, the journal, a log or output.
 */
import type { Services } from '../../core/services.ts';

export const SP_SECRET_ENV = 'AZURE_CLIENT_SECRET';

export async function servicePrincipalSecret(
  services: Services,
  clientId: string,
  signal?: AbortSignal,
): Promise<string> {
  const fromEnv = services.env[SP_SECRET_ENV];
  if (fromEnv) return fromEnv;
  const asked = await services.prompter?.secret(
    { message: `Client secret of the service principal ${clientId}`, flag: SP_SECRET_ENV },
    signal,
  );
  if (!asked)
    throw new Error(
      `the service principal's secret is needed: set ${SP_SECRET_ENV} (never pass it on the command line)`,
    );
  return asked;
}
