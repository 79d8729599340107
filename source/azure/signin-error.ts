/**
 * Turns what a failed token request said (az's stderr, an @azure/identity message, or an az facade
 * failure) into a diagnosis: what kind of failure, the AADSTS code and its meaning, the fix, and the
 * ids an admin needs. Everything here is redacted: no token ever reaches a diagnosis.
 */
import { commandLine, shellQuote } from '../core/command-line.ts';
import { redactTokens } from '../core/redact.ts';
import type { Remediation } from '../core/types.ts';
import { AADSTS, aadstsLookupUrl, findAadstsCode } from './aadsts.ts';
import { type AzFailure, describeAzFailure } from './az.ts';

export const AZ_INSTALL_DOCS = 'https://aka.ms/azure-cli';
/** How to install az, per platform, as copy-pasteable commands (their platforms in AZ_INSTALL_LABELS). */
export const AZ_INSTALL_COMMANDS = [
  'curl -sL https://aka.ms/InstallAzureCLIDeb | sudo bash',
  'brew install azure-cli',
  'winget install Microsoft.AzureCLI',
];

/** The platform of each of AZ_INSTALL_COMMANDS. */
export const AZ_INSTALL_LABELS: Record<string, string> = {
  'curl -sL https://aka.ms/InstallAzureCLIDeb | sudo bash': 'Debian / Ubuntu',
  'brew install azure-cli': 'macOS',
  'winget install Microsoft.AzureCLI': 'Windows',
};

export type SignInFailureKind =
  | 'az-missing'
  | 'not-signed-in'
  | 'no-managed-identity'
  | 'aadsts'
  | 'timeout'
  | 'non-json'
  | 'cancelled'
  | 'other';

export interface SignInDiagnosis {
  kind: SignInFailureKind;
  /** AADSTS code digits when there is one. */
  code?: string;
  /** One line, e.g. `AADSTS530003 · device must be managed`. */
  message: string;
  details: string[];
  remediation: Remediation;
  trace: { traceId?: string; correlationId?: string; timestamp?: string };
}

export interface DiagnosisContext {
  /** The scope the failing request asked for (goes into `az login --scope`). */
  scope: string;
  /** The tenant to suggest in `az login --tenant`, when known. */
  tenantId?: string;
}

/** Diagnoses a failure of the az facade. */
export function diagnoseAzFailure(failure: AzFailure, context: DiagnosisContext): SignInDiagnosis {
  switch (failure.kind) {
    case 'not-found':
      return azMissing();
    case 'failed':
      return diagnoseSignInText(failure.stderr, context);
    case 'timeout':
      return simple(
        'timeout',
        describeAzFailure(failure),
        ['az may be waiting for something (a proxy, a broker window, a slow network), or it is stuck.'],
        'Run the same command yourself to see what it waits for.',
        [tokenCommand(context.scope)],
      );
    case 'non-json':
      return simple(
        'non-json',
        describeAzFailure(failure),
        ['az answered, but not with JSON: a wrapper script, an alias or a very old az may be in the way.'],
        'Check which az runs and what it prints.',
        ['command -v az', 'az version'],
      );
    case 'cancelled':
      return simple('cancelled', 'cancelled', [], 'Run the doctor again.', []);
  }
}

/** Diagnoses the text of an error (az stderr or an SDK message). */
export function diagnoseSignInText(rawText: string, context: DiagnosisContext): SignInDiagnosis {
  const text = redactTokens(rawText).trim();
  const trace = extractTrace(text);
  const code = findAadstsCode(text);
  const tenant = context.tenantId ?? '<tenant-id>';
  if (code) {
    const entry = AADSTS[code];
    const traceLine = formatTrace(trace);
    // The values go in as shell words: a tenant or scope can never become shell syntax when pasted.
    const fill = (command: string) =>
      command.replaceAll('{scope}', shellQuote(context.scope)).replaceAll('{tenant}', shellQuote(tenant));
    if (entry) {
      return {
        kind: 'aadsts',
        code,
        message: `AADSTS${code} · ${entry.title}`,
        // The lookup page is the docs link below; listing it here as well would show it twice.
        details: [...entry.explanation, ...(traceLine ? [traceLine] : [])],
        remediation: {
          summary: entry.remedy,
          commands: entry.commands.map(fill),
          ...(entry.commandLabels ? { commandLabels: fillKeys(entry.commandLabels, fill) } : {}),
          docsUrl: aadstsLookupUrl(code),
          fixable: false,
        },
        trace,
      };
    }
    return {
      kind: 'aadsts',
      code,
      message: `AADSTS${code} · sign-in refused`,
      details: [...rawLines(text), `lookup: ${aadstsLookupUrl(code)}`],
      remediation: {
        summary: `Entra ID refused the token (AADSTS${code}); the lookup page explains the code.`,
        commands: azSuggestedCommands(text),
        docsUrl: aadstsLookupUrl(code),
        fixable: false,
      },
      trace,
    };
  }
  if (isAzMissingText(text)) return azMissing();
  if (isNotSignedInText(text)) {
    return {
      kind: 'not-signed-in',
      message: 'not signed in',
      details: [firstMeaningfulLine(text)],
      remediation: {
        summary: 'Sign in to Azure with the Azure CLI (add --tenant to pick the right directory).',
        commands: context.tenantId
          ? [commandLine(['az', 'login', '--tenant', context.tenantId])]
          : ['az login', commandLine(['az', 'login', '--tenant', '<tenant-id>'])],
        fixable: false,
      },
      trace,
    };
  }
  return {
    kind: 'other',
    message: `sign-in failed: ${firstMeaningfulLine(text)}`,
    details: rawLines(text),
    remediation: {
      summary: 'Run the token request yourself to see the whole error.',
      commands: azSuggestedCommands(text).length ? azSuggestedCommands(text) : [tokenCommand(context.scope)],
      fixable: false,
    },
    trace,
  };
}

function fillKeys(labels: Record<string, string>, fill: (command: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([command, label]) => [fill(command), label]));
}

/** Sign-in impossible because az is missing and no other credential was available. */
export function azMissing(): SignInDiagnosis {
  return {
    kind: 'az-missing',
    message: 'no credential: az is not installed',
    details: [
      'Signing in needs the Azure CLI (az), the Azure Developer CLI (azd auth login),',
      'or a service principal in AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET.',
    ],
    remediation: {
      summary: 'Install the Azure CLI, then run `az login`.',
      commands: [...AZ_INSTALL_COMMANDS, 'az login'],
      commandLabels: { ...AZ_INSTALL_LABELS, 'az login': 'then, on any platform' },
      docsUrl: AZ_INSTALL_DOCS,
      fixable: false,
    },
    trace: {},
  };
}

function isAzMissingText(text: string): boolean {
  return /Azure CLI could not be found|az:(.*)not found|'az' is not recognized/i.test(text);
}

function isNotSignedInText(text: string): boolean {
  return /Please run 'az login'|Can't find token from MSAL cache|No subscription found\. Run 'az account set'|az login' from a command prompt/i.test(
    text,
  );
}

/** Trace ID / Correlation ID / Timestamp as az and Entra print them. */
export function extractTrace(text: string): SignInDiagnosis['trace'] {
  const pick = (pattern: RegExp) => pattern.exec(text)?.[1]?.trim();
  const trace: SignInDiagnosis['trace'] = {};
  const traceId = pick(/Trace ID:\s*([0-9a-f-]+)/i);
  const correlationId = pick(/Correlation ID:\s*([0-9a-f-]+)/i);
  const timestamp = pick(/Timestamp:\s*([^\r\n]+)/i);
  if (traceId) trace.traceId = traceId;
  if (correlationId) trace.correlationId = correlationId;
  if (timestamp) trace.timestamp = timestamp;
  return trace;
}

function formatTrace(trace: SignInDiagnosis['trace']): string | undefined {
  const parts = [
    trace.traceId && `trace ${trace.traceId}`,
    trace.correlationId && `correlation ${trace.correlationId}`,
    trace.timestamp && trace.timestamp,
  ].filter(Boolean);
  // `support:` like `fix:` and `docs:`: the ids an admin or Microsoft support looks the sign-in up by.
  return parts.length ? `support: ${parts.join(' · ')}` : undefined;
}

/**
 * Commands az itself recommended (the lines after "Please run:"), e.g. `az login --scope ...`: only
 * lines whose every word is plain (nothing a shell would expand or split differently), since they are
 * printed as az wrote them.
 */
function azSuggestedCommands(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => /^az (login|logout)( [A-Za-z0-9_@%+=:,./-]+)*$/.test(line));
}

/** The token request the sign-in made, for a person to run and see the whole error. */
function tokenCommand(scope: string): string {
  return commandLine(['az', 'account', 'get-access-token', '-o', 'json', '--resource', scopeResource(scope)]);
}

function rawLines(text: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
  return lines.length > 12 ? [...lines.slice(0, 12), `… (${lines.length - 12} more lines)`] : lines;
}

function firstMeaningfulLine(text: string): string {
  const line =
    text
      .split(/\r?\n/)
      .find((l) => l.trim() !== '')
      ?.trim() ?? '(no message)';
  return line.replace(/^ERROR:\s*/, '').slice(0, 200);
}

function scopeResource(scope: string): string {
  return scope.replace(/\/\.default$/, '');
}

function simple(
  kind: SignInFailureKind,
  message: string,
  details: string[],
  summary: string,
  commands: string[],
): SignInDiagnosis {
  return { kind, message, details, remediation: { summary, commands, fixable: false }, trace: {} };
}
