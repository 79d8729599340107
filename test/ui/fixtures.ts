/** Outcomes of a signed-out machine, as the checks report them. */
import type { CheckOutcome } from '../../source/core/types.ts';
import { outcome } from '../helpers/render-ui.tsx';

export const azCliPass: CheckOutcome = outcome({
  id: 'az-cli',
  title: 'Azure CLI',
  status: 'pass',
  message: '2.67.0',
});

export const signinFail: CheckOutcome = outcome({
  id: 'signin',
  title: 'Signed in',
  status: 'fail',
  message: 'not signed in',
  details: ['az account show said: Please run "az login" to setup account.'],
  remediation: {
    summary: 'sign in to the Azure CLI, then run sc-doctor again',
    commands: ['az login'],
    docsUrl: 'https://learn.microsoft.com/cli/azure/authenticate-azure-cli',
    fixable: false,
  },
});

export const subscriptionSkip: CheckOutcome = outcome({
  id: 'subscription',
  title: 'Subscription',
  status: 'skip',
  message: 'needs signed in (fail)',
});

export const signinPass: CheckOutcome = outcome({
  id: 'signin',
  title: 'Signed in',
  status: 'pass',
  message: 'dana@contoso.com (user)',
  data: { user: 'dana@contoso.com', userType: 'user', tenantId: 'contoso.onmicrosoft.com' },
});

export const subscriptionPass: CheckOutcome = outcome({
  id: 'subscription',
  title: 'Subscription',
  status: 'pass',
  message: 'Contoso Dev · Enabled',
  data: {
    subscriptionId: '0b1f6471-1bf0-4dda-aec3-111122223333',
    displayName: 'Contoso Dev',
    state: 'Enabled',
  },
});

export const signedOut = [azCliPass, signinFail, subscriptionSkip];
export const allPass = [azCliPass, signinPass, subscriptionPass];
