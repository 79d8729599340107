/**
 * `subscription`: which subscription is in use and where that choice came from, that the signed-in
 * account can see it, that it is Enabled, and that it belongs to the tenant the token is for.
 */

import { type ArmResponse, armError } from '../azure/arm.ts';
import { enumIn, enumIs } from '../azure/enums.ts';
import type { AzureSession } from '../azure/session.ts';
import { getSubscription, listSubscriptions } from '../azure/subscriptions.ts';
import type { CheckResult } from '../core/types.ts';
import type { DoctorCheck, DoctorContext } from './check.ts';
import { published } from './facts.ts';
import { loginTenantCommand } from './remedy-commands.ts';

const AZ_CHOICE = ['az account list -o table', 'az account set --subscription <id>'];
const FLAG_CHOICE = [
  'sc-doctor doctor --subscription <subscription-id>',
  'export AZURE_SUBSCRIPTION_ID=<subscription-id>',
];

const SOURCE_WORDS = {
  flag: 'from --subscription',
  env: 'from AZURE_SUBSCRIPTION_ID',
  'az-default': "az's default",
} as const;

export const subscriptionCheck: DoctorCheck = {
  id: 'subscription',
  title: 'Subscription',
  needs: ['signin'],
  async run(context): Promise<CheckResult> {
    const result = await checkSubscription(context);
    // Every failure here leaves setup without a subscription to change, and none is setup's to fix.
    return result.status === 'fail' ? { ...result, blocking: true } : result;
  },
};

async function checkSubscription({ services, signal }: DoctorContext): Promise<CheckResult> {
  const { azure } = services;
  const [choice, signIn] = await Promise.all([azure.subscription(signal), azure.signIn(signal)]);
  const user = signIn.ok ? (signIn.identity.user ?? 'the signed-in account') : 'the signed-in account';
  const tokenTenant = signIn.ok ? signIn.identity.tenantId : undefined;
  // `az account set` only steers the Azure CLI: a managed identity, azd or a service principal
  // takes its subscription from the flag or the environment.
  const viaAz = !signIn.ok || signIn.credential === 'azure-cli';
  const chooseCommands = viaAz ? AZ_CHOICE : FLAG_CHOICE;
  if (!choice) {
    return {
      status: 'fail',
      message: 'no subscription chosen',
      details: ['Neither --subscription, AZURE_SUBSCRIPTION_ID nor a default subscription of az names one.'],
      remediation: {
        summary: viaAz
          ? "Pick a subscription with --subscription, or make one az's default."
          : 'Name the subscription with --subscription or AZURE_SUBSCRIPTION_ID (az account set changes only the Azure CLI, which this sign-in does not use).',
        commands: chooseCommands,
        fixable: false,
      },
    };
  }
  const from = SOURCE_WORDS[choice.source];
  // --subscription and AZURE_SUBSCRIPTION_ID outrank az's default: `az account set` would not help.
  const chosenCommands =
    !viaAz || choice.source === 'az-default'
      ? chooseCommands
      : ['az account list -o table', choice.source === 'flag' ? FLAG_CHOICE[0]! : FLAG_CHOICE[1]!];
  let response: ArmResponse;
  try {
    response = await getSubscription(azure, choice.id, signal);
  } catch (error) {
    return {
      status: 'fail',
      message: `could not reach Azure Resource Manager`,
      details: [
        error instanceof Error ? error.message : String(error),
        `subscription ${choice.id} (${from})`,
      ],
      remediation: {
        summary: 'Check the network path to Azure Resource Manager (proxy, VPN).',
        commands: [],
        fixable: false,
      },
      data: published('subscription', { subscriptionId: choice.id, source: choice.source }),
    };
  }

  // ARM answers the GET for anyone it lists the subscription for (a role on one resource group is
  // enough). Should it refuse the GET while the list, which `az account list` shows, still has the
  // subscription, the list is trusted: "not visible" would skip every target check for nothing.
  let insideOnly = false;
  if (response.status === 403) {
    const listed = await visibleInList(azure, choice.id, signal);
    if (listed) {
      response = { ...response, status: 200, body: listed };
      insideOnly = true;
    }
  }
  if (response.status === 404 || response.status === 403) {
    const error = armError(response.body);
    return {
      status: 'fail',
      message: `${choice.id} is not visible to ${user}`,
      details: [
        `Subscription ${choice.id} (${from}) was not found or is not shared with ${user}.`,
        ...(error ? [`${error.code}: ${error.message}`] : []),
      ],
      remediation: {
        summary: 'Use a subscription you have access to, or sign in to the tenant that owns this one.',
        commands: chosenCommands,
        fixable: false,
      },
      data: published('subscription', { subscriptionId: choice.id, source: choice.source }),
    };
  }
  if (response.status !== 200) {
    const error = armError(response.body);
    return {
      status: 'fail',
      message: `Azure Resource Manager answered ${response.status}${error ? ` ${error.code}` : ''}`,
      details: [
        ...(error ? [error.message] : []),
        ...(response.requestId ? [`request id ${response.requestId}`] : []),
      ],
      remediation: {
        summary: 'Try again; if it persists, the request id helps Azure support.',
        commands: [],
        fixable: false,
      },
      data: published('subscription', { subscriptionId: choice.id, source: choice.source }),
    };
  }

  const body = (response.body ?? {}) as { displayName?: string; state?: string; tenantId?: string };
  const name = body.displayName ?? choice.id;
  const state = body.state ?? 'Unknown';
  const data = published('subscription', {
    subscriptionId: choice.id,
    displayName: body.displayName ?? null,
    state,
    tenantId: body.tenantId ?? null,
    source: choice.source,
  });
  const message = `${name} · ${state}`;
  const details = [
    `${choice.id} (${from})`,
    ...(insideOnly
      ? [`${user} has access only inside it (resource groups or resources), not on the subscription.`]
      : []),
  ];

  if (body.tenantId && tokenTenant && body.tenantId.toLowerCase() !== tokenTenant.toLowerCase()) {
    return {
      status: 'fail',
      message: `${name} belongs to tenant ${body.tenantId}, not ${tokenTenant}`,
      details: [
        ...details,
        'The token is for another tenant, so every change in this subscription would be refused.',
      ],
      remediation: {
        summary: 'Sign in to the tenant that owns the subscription.',
        commands: [loginTenantCommand(body.tenantId)],
        fixable: false,
      },
      data,
    };
  }
  if (enumIs(state, 'Enabled')) return { status: 'pass', message, details, data };
  if (enumIn(state, 'Warned', 'PastDue')) {
    return {
      status: 'warn',
      message,
      details: [
        ...details,
        `The subscription is ${state}: it still works but may be disabled soon (billing).`,
      ],
      remediation: {
        summary: 'Ask the subscription owner to check its billing.',
        commands: [],
        fixable: false,
      },
      data,
    };
  }
  return {
    status: 'fail',
    message,
    details: [...details, `The subscription is ${state}: resources in it cannot be changed.`],
    remediation: {
      summary: 'Use an enabled subscription, or ask its owner to re-enable this one.',
      commands: chosenCommands,
      fixable: false,
    },
    data,
  };
}

/** The subscription as `GET /subscriptions` lists it for the caller, or undefined. */
async function visibleInList(
  azure: AzureSession,
  subscriptionId: string,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  try {
    const listed = await listSubscriptions(azure, signal);
    if (!listed.ok) return undefined;
    return listed.items.find(
      (item) =>
        (item as { subscriptionId?: unknown }).subscriptionId?.toString().toLowerCase() ===
        subscriptionId.toLowerCase(),
    );
  } catch {
    return undefined;
  }
}
