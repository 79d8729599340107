/**
 * AADSTS codes a developer meets when az (or @azure/identity) asks Entra ID for a token, as data:
 * what each means and what fixes it. Source: Microsoft's error-code reference plus Azure CLI issues
 * (docs/architecture.md, "Where the facts come from"). Microsoft says the text may change, so we key on the
 * number and always show the raw text and the lookup link as well.
 *
 * Remedy commands may contain `{scope}` (the scope az asked for) and `{tenant}` (the tenant, or
 * `<tenant-id>`); the diagnosis fills them in.
 */

export interface AadstsEntry {
  /** Short words for the one-line message, e.g. `device must be managed`. */
  title: string;
  /** Microsoft's name for the error. */
  name: string;
  /** Why it happens, in a few sentences (one per line). */
  explanation: string[];
  /** The fix, one sentence. */
  remedy: string;
  commands: string[];
  /** Where a command is to be run, shown above it (see `Remediation.commandLabels`). */
  commandLabels?: Record<string, string>;
}

const BROKER_CHECK = 'az config get core.enable_broker_on_windows';

const MANAGED_DEVICE: Pick<AadstsEntry, 'explanation' | 'remedy' | 'commands' | 'commandLabels'> = {
  // One sentence per entry: front-ends wrap to their own width.
  explanation: [
    "Your organisation's Conditional Access policy only issues tokens to managed (Intune-compliant or Entra-joined) devices.",
    "This machine is not one: WSL, dev containers, Codespaces and cloud VMs are the usual cause (their token requests do not carry the host's device identity).",
    '`az login --use-device-code` will not help: the request still comes from here.',
  ],
  remedy:
    'Run sc-doctor on your managed machine (on Windows, native az signs in through the WAM broker, which proves the device), use a service principal the policy does not cover, or ask your admin for a Conditional Access exception.',
  commands: [BROKER_CHECK],
  commandLabels: { [BROKER_CHECK]: 'on the Windows host: it must not print false' },
};

const SIGN_IN_AGAIN = ['az login --tenant {tenant}'];

export const AADSTS: Readonly<Record<string, AadstsEntry>> = {
  '530003': {
    title: 'device must be managed',
    name: 'Conditional Access: device must be managed',
    ...MANAGED_DEVICE,
  },
  '530033': {
    title: 'device must be managed',
    name: 'Conditional Access: device must be managed (interactive page)',
    ...MANAGED_DEVICE,
  },
  '53000': {
    title: 'device not compliant',
    name: 'DeviceNotCompliant',
    explanation: [
      'A Conditional Access policy requires a compliant device, and this one is not (or its compliance cannot be seen).',
      'Containers, WSL and cloud VMs cannot present the host device, just as for AADSTS530003.',
    ],
    remedy: 'Enrol the device in Intune and make it compliant, or run from a compliant managed machine.',
    commands: [],
  },
  '53001': {
    title: 'device not domain-joined',
    name: 'DeviceNotDomainJoined',
    explanation: ['A Conditional Access policy requires a (hybrid) Entra-joined device.'],
    remedy: 'Run from a joined device, or ask your admin for an exception.',
    commands: [],
  },
  '53003': {
    title: 'blocked by Conditional Access',
    name: 'BlockedByConditionalAccess',
    explanation: [
      'A Conditional Access policy blocks this sign-in (location, app, platform or risk).',
      'Only the sign-in log says which policy: your admin can find it from the correlation id below.',
    ],
    remedy: 'Give your admin the trace and correlation ids below and ask which policy blocked the sign-in.',
    commands: [],
  },
  '50005': {
    title: 'platform not allowed',
    name: 'DevicePolicyError',
    explanation: ['A Conditional Access policy does not support this device platform.'],
    remedy: 'Sign in from a platform the policy allows, or ask your admin for an exception.',
    commands: [],
  },
  '50097': {
    title: 'device authentication required',
    name: 'DeviceAuthenticationRequired',
    explanation: [
      'The policy wants the device itself to authenticate, which needs a registered device and its broker.',
    ],
    remedy: 'Sign in from a registered device (on Windows, native az uses the WAM broker).',
    commands: [],
  },
  '50076': {
    title: 'MFA required',
    name: 'UserStrongAuthClientAuthNRequired',
    explanation: [
      'Multi-factor authentication is required for this resource (Conditional Access, per-user MFA or a new location),',
      "and the cached sign-in did not include it. az's refresh token cannot answer an MFA prompt.",
    ],
    remedy: 'Sign in again interactively for this resource; az will ask for the second factor.',
    commands: ['az login --scope {scope}'],
  },
  '50079': {
    title: 'MFA registration required',
    name: 'UserStrongAuthEnrollmentRequired',
    explanation: [
      'Your account must register multi-factor authentication methods before it can get this token.',
    ],
    remedy: 'Register your security info (https://aka.ms/mysecurityinfo), then sign in again.',
    commands: SIGN_IN_AGAIN,
  },
  '50078': {
    title: 'MFA expired',
    name: 'UserStrongAuthExpired',
    explanation: ['Your multi-factor authentication is too old for this resource.'],
    remedy: 'Sign in again (with MFA).',
    commands: SIGN_IN_AGAIN,
  },
  '700082': {
    title: 'sign-in expired (inactive)',
    name: 'ExpiredOrRevokedGrantInactiveToken',
    explanation: [
      "az's refresh token expired from inactivity: it was not used for longer than its lifetime (90 days by default).",
    ],
    remedy: 'Sign in again.',
    commands: SIGN_IN_AGAIN,
  },
  '70008': {
    title: 'sign-in expired',
    name: 'ExpiredOrRevokedGrant',
    explanation: ["az's refresh token has expired or was revoked."],
    remedy: 'Sign in again.',
    commands: SIGN_IN_AGAIN,
  },
  '50173': {
    title: 'sign-in revoked',
    name: 'FreshTokenNeeded',
    explanation: [
      'Your sessions were revoked (a password change, or you or an admin signed you out everywhere).',
    ],
    remedy: 'Sign in again.',
    commands: SIGN_IN_AGAIN,
  },
  '70043': {
    title: 'sign-in frequency exceeded',
    name: 'BadTokenDueToSignInFrequency',
    explanation: ['A Conditional Access sign-in frequency policy requires you to sign in again.'],
    remedy: 'Sign in again.',
    commands: SIGN_IN_AGAIN,
  },
  '50058': {
    title: 'no sign-in session',
    name: 'UserInformationNotProvided',
    explanation: ['There is no signed-in session to get the token from.'],
    remedy: 'Sign in with the Azure CLI.',
    commands: SIGN_IN_AGAIN,
  },
  '65001': {
    title: 'consent missing',
    name: 'DelegationDoesNotExist',
    explanation: [
      'You (or an admin) have not consented to the client application using this resource for you.',
    ],
    remedy:
      'Ask an admin to grant consent, or use a client application that is already consented (Azure CLI normally is).',
    commands: [],
  },
  '7000112': {
    title: 'Azure CLI app disabled in tenant',
    name: 'UnauthorizedClientApplicationDisabled',
    explanation: [
      'The client application is disabled in your tenant, typically the "Microsoft Azure CLI" enterprise app',
      '(app id 04b07795-8ddb-461a-bbee-02f9e1bf7b46).',
    ],
    remedy: 'Ask your admin to re-enable the app, or sign in with another tool (azd) or a service principal.',
    commands: [],
  },
  '7000215': {
    title: 'invalid client secret',
    name: 'InvalidClientSecret',
    explanation: [
      "The service principal's secret is wrong; a common mistake is using the secret's ID instead of its value.",
    ],
    remedy: 'Set AZURE_CLIENT_SECRET to the secret value (not its ID).',
    commands: [],
  },
  '7000222': {
    title: 'client secret expired',
    name: 'InvalidClientSecretExpiredKeysProvided',
    explanation: ["The service principal's client secret has expired."],
    remedy: 'Create a new secret and update AZURE_CLIENT_SECRET.',
    commands: ['az ad app credential reset --id <client-id> --append'],
  },
  '700016': {
    title: 'application not found in tenant',
    name: 'UnauthorizedClient_DoesNotMatchRequest',
    explanation: [
      'No application with this client id exists in the tenant (wrong client id, wrong tenant, or not provisioned).',
    ],
    remedy:
      'Check AZURE_CLIENT_ID and AZURE_TENANT_ID; a multi-tenant app must be provisioned in this tenant.',
    commands: [],
  },
  '90002': {
    title: 'tenant not found',
    name: 'InvalidTenantName',
    explanation: [
      'The tenant id or domain does not exist here: a typo, or the tenant lives in another cloud.',
    ],
    remedy: 'Check the tenant you sign in to and the active cloud.',
    commands: ['az cloud show --query name', 'az login --tenant <tenant-id>'],
  },
  '50020': {
    title: 'account not in tenant',
    name: 'UserUnauthorized',
    explanation: ['Your account (from another identity provider) is not present in this tenant.'],
    remedy: 'Sign in to the right tenant, or ask to be invited as a guest.',
    commands: SIGN_IN_AGAIN,
  },
  '50034': {
    title: 'account not found in tenant',
    name: 'UserAccountNotFound',
    explanation: ['The account does not exist in this tenant.'],
    remedy: 'Sign in to the right tenant, or ask to be invited as a guest.',
    commands: SIGN_IN_AGAIN,
  },
  '500011': {
    title: 'resource not found in tenant',
    name: 'InvalidResourceServicePrincipalNotFound',
    explanation: [
      'The resource (token audience) asked for does not exist in this tenant. Usual causes: asking for the',
      "server's host name instead of the database audience, a typo in the scope, or a public-cloud scope in a sovereign cloud.",
    ],
    remedy: 'Use the audience of the active cloud (sc-doctor --verbose shows the scopes it uses).',
    commands: ['az cloud show --query name'],
  },
  '50001': {
    title: 'resource disabled or missing',
    name: 'InvalidResource',
    explanation: ['The resource asked for is disabled or does not exist.'],
    remedy: 'Check the scope and the active cloud.',
    commands: ['az cloud show --query name'],
  },
  '70011': {
    title: 'invalid scope',
    name: 'InvalidScope',
    explanation: ['The scope asked for is not valid.'],
    remedy: 'Use a `<resource>/.default` scope.',
    commands: [],
  },
  '28002': {
    title: 'invalid scope',
    name: 'InvalidScope',
    explanation: ['The scope asked for is not valid.'],
    remedy: 'Use a `<resource>/.default` scope.',
    commands: [],
  },
  '50126': {
    title: 'wrong user name or password',
    name: 'InvalidUserNameOrPassword',
    explanation: ['The user name or password is wrong.'],
    remedy: 'Sign in again with the right account.',
    commands: SIGN_IN_AGAIN,
  },
  '50053': {
    title: 'account locked',
    name: 'IdsLocked',
    explanation: ['The account is locked (too many attempts) or the sign-in came from a blocked IP address.'],
    remedy: 'Wait and retry, or ask your admin to unlock the account.',
    commands: [],
  },
  '50057': {
    title: 'account disabled',
    name: 'UserDisabled',
    explanation: ['The user account is disabled.'],
    remedy: 'Ask your admin to enable the account.',
    commands: [],
  },
  '500021': {
    title: 'blocked by tenant restrictions',
    name: 'TenantRestrictions',
    explanation: ['A tenant-restrictions proxy on this network blocks sign-in to this tenant.'],
    remedy: 'Use a network without the restriction, or ask the network admin to allow the tenant.',
    commands: [],
  },
  '500022': {
    title: 'blocked by tenant restrictions',
    name: 'TenantRestrictions',
    explanation: ['Tenant restrictions block access to this tenant from here.'],
    remedy: 'Use a network without the restriction, or ask the network admin to allow the tenant.',
    commands: [],
  },
  '500212': {
    title: 'blocked by cross-tenant access policy',
    name: 'NotAllowedByOutboundPolicyTenant',
    explanation: ["Your home tenant's outbound cross-tenant access policy does not allow this tenant."],
    remedy: 'Ask an admin of your home tenant to allow access to this tenant.',
    commands: [],
  },
  '500213': {
    title: 'blocked by cross-tenant access policy',
    name: 'NotAllowedByInboundPolicyTenant',
    explanation: ["The resource tenant's inbound cross-tenant access policy does not allow your account."],
    remedy: 'Ask an admin of the resource tenant to allow your home tenant.',
    commands: [],
  },
};

/** Microsoft's lookup page for a code. */
export function aadstsLookupUrl(code: string): string {
  return `https://login.microsoftonline.com/error?code=${code}`;
}

/** The first AADSTS code in `text`, as digits. */
export function findAadstsCode(text: string): string | undefined {
  return /AADSTS(\d{5,7})/.exec(text)?.[1];
}
