/**
 * Where a managed identity can be asked for a token, and what to say when it cannot. A managed
 * identity exists only inside an Azure resource: App Service, Container Apps, Functions, Arc and
 * Service Fabric name their endpoint in IDENTITY_ENDPOINT (Cloud Shell in MSI_ENDPOINT); an Azure VM
 * answers on the instance metadata address, which is asked only on a machine that says it is an
 * Azure VM, so a laptop never sends a request to 169.254.169.254.
 */
import { readFile } from 'node:fs/promises';
import { redactTokens } from '../core/redact.ts';
import { findAadstsCode } from './aadsts.ts';
import { diagnoseSignInText, type SignInDiagnosis } from './signin-error.ts';

/** The DMI chassis asset tag every Azure VM carries (cloud-init's Azure detection reads the same). */
const AZURE_ASSET_TAG = '7783-7084-3265-9085-8269-3286-77';

/** Whether this machine says it is an Azure VM (Linux DMI; false elsewhere or when unreadable). */
export async function isAzureVm(): Promise<boolean> {
  try {
    return (await readFile('/sys/class/dmi/id/chassis_asset_tag', 'utf8')).trim() === AZURE_ASSET_TAG;
  } catch {
    return false;
  }
}

/** The endpoint variable @azure/identity will use, from the process environment it reads. */
export function managedIdentityEndpoint(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT || undefined;
}

const USE_IT_INSIDE: Pick<SignInDiagnosis['remediation'], 'commands' | 'commandLabels'> = {
  commands: [
    'az webapp ssh --resource-group <resource-group> --name <app>',
    'az containerapp exec --resource-group <resource-group> --name <app>',
  ],
  commandLabels: {
    'az webapp ssh --resource-group <resource-group> --name <app>':
      'App Service: a shell inside the app, to run sc-doctor there',
    'az containerapp exec --resource-group <resource-group> --name <app>':
      'Container Apps: a console inside the app, to run sc-doctor there',
  },
};

const INSIDE_SUMMARY =
  'A managed identity signs in only from inside its Azure resource: run sc-doctor there (App Service SSH, the Container Apps console), or drop --credential managed-identity to sign in with the Azure CLI here.';

/** `--credential managed-identity` on a machine with no managed-identity endpoint: nothing was sent. */
export function noManagedIdentityHere(): SignInDiagnosis {
  return {
    kind: 'no-managed-identity',
    message: 'no managed identity on this machine',
    details: [
      'IDENTITY_ENDPOINT is not set and this machine is not an Azure VM, so there is no managed-identity endpoint to ask (the instance metadata address was not tried).',
    ],
    remediation: { summary: INSIDE_SUMMARY, ...USE_IT_INSIDE, fixable: false },
    trace: {},
  };
}

/** A failed managed-identity token request, without the SDK's header dump. */
export function diagnoseManagedIdentityFailure(
  rawMessage: string,
  endpoint: string | undefined,
  scope: string,
): SignInDiagnosis {
  // Entra ID's own refusal relayed by the endpoint is explained like any other AADSTS code.
  if (findAadstsCode(rawMessage)) return diagnoseSignInText(rawMessage, { scope });
  const text = redactTokens(rawMessage);
  const where = endpoint ? describeEndpoint(endpoint) : 'the instance metadata address';
  const unreachable =
    /network[_ ](error|unreachable)|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|is not available|unavailable\b|socket hang up|timed? ?out/i.test(
      text,
    );
  if (unreachable) {
    return {
      kind: 'no-managed-identity',
      message: `no managed-identity endpoint reachable at ${where}`,
      details: [
        'Nothing answered there: this is not the Azure resource the endpoint belongs to, or IDENTITY_ENDPOINT was copied from one.',
      ],
      remediation: { summary: INSIDE_SUMMARY, ...USE_IT_INSIDE, fixable: false },
      trace: {},
    };
  }
  const status = /\b(?:status(?: code)?|HTTP)[ :]*(\d{3})\b/i.exec(text)?.[1];
  // MSAL puts the endpoint's own words after "Description:"; the rest is request ids and headers.
  const reason = /Description:\s*(.+?)\s+-\s+Correlation ID/i.exec(text)?.[1] ?? firstSentence(text);
  return {
    kind: 'other',
    message: `the managed-identity endpoint refused the token request${status ? ` (HTTP ${status})` : ''}`,
    details: [
      reason,
      'The resource may have no managed identity turned on, or AZURE_CLIENT_ID names a user-assigned identity it does not have.',
    ],
    remediation: {
      summary:
        'Turn on the identity of the app (system-assigned, or assign the user-assigned one AZURE_CLIENT_ID names).',
      commands: [
        'az webapp identity assign --resource-group <resource-group> --name <app>',
        'az containerapp identity assign --resource-group <resource-group> --name <app> --system-assigned',
      ],
      commandLabels: {
        'az webapp identity assign --resource-group <resource-group> --name <app>': 'App Service',
        'az containerapp identity assign --resource-group <resource-group> --name <app> --system-assigned':
          'Container Apps',
      },
      fixable: false,
    },
    trace: {},
  };
}

function describeEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.host} (IDENTITY_ENDPOINT)`;
  } catch {
    return 'IDENTITY_ENDPOINT';
  }
}

/** The SDK's first line, before it lists request and response headers. */
function firstSentence(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '(no message)';
  const cut = line.search(/\s(?:Status code|Headers?|Request|Response)\b.*[:{]/i);
  const short = (cut > 0 ? line.slice(0, cut) : line).trim();
  return short.length > 200 ? `${short.slice(0, 199)}…` : short;
}
