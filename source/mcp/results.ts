/**
 * Tool results, and the last look every one of them gets before it leaves: the values of the secrets
 * the server holds (the app's secret, the owner's password, the operator's own secret) and anything
 * shaped like a token are replaced, wherever they would appear. The tools never put one there; this
 * makes sure a message quoted from Azure or a driver cannot carry one either.
 */
import { redactTokens } from '../azure/redact.ts';
import { UsageError } from '../core/usage-error.ts';
import { OWNER_PASSWORD_ENV } from '../setup/postgres/owner-password.ts';
import { OPERATOR_SECRET_ENV, SP_SECRET_ENV } from '../setup/postgres/sp-secret.ts';
import { RunLockedError } from '../setup/run-lock.ts';

/** A tool result as the SDK takes it. */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** A result with `value` as structured content and, for older clients, as JSON text. */
export function structured(value: Record<string, unknown>, summary?: string): ToolResult {
  const json = JSON.stringify(value, null, 2);
  return {
    content: [{ type: 'text', text: summary ? `${summary}\n\n${json}` : json }],
    structuredContent: value,
  };
}

/** A refusal or failure the model can act on: what happened, then what to do. */
export function refusal(message: string, hints: readonly string[] = []): ToolResult {
  return { content: [{ type: 'text', text: [message, ...hints].join('\n') }], isError: true };
}

/** The result for an error a tool could not handle itself: a usage error's words, or what failed. */
export function errorResult(error: unknown): ToolResult {
  if (error instanceof UsageError) return refusal(error.message, error.hints);
  if (error instanceof RunLockedError) return refusal(error.message);
  const text = error instanceof Error ? error.message : String(error);
  return refusal(`sc-doctor could not finish this: ${text}`, [
    'Nothing was changed unless the result of an apply or undo said so; the runs tool lists every run.',
  ]);
}

const SECRET_VARIABLES = [SP_SECRET_ENV, OWNER_PASSWORD_ENV, OPERATOR_SECRET_ENV] as const;
const BEARER = /\bbearer\s+[A-Za-z0-9._~+/-]{16,}/gi;

/** Replaces every secret `env` holds, and anything token-shaped, in every string of `value`. */
export function scrubSecrets<T>(value: T, env: Readonly<Record<string, string | undefined>>): T {
  const secrets = SECRET_VARIABLES.map((name) => env[name]).filter(
    (secret): secret is string => typeof secret === 'string' && secret.length >= 4,
  );
  const scrub = (item: unknown): unknown => {
    if (typeof item === 'string') {
      let text = redactTokens(item).replace(BEARER, 'Bearer [redacted]');
      for (const secret of secrets) text = text.split(secret).join('[redacted]');
      return text;
    }
    if (Array.isArray(item)) return item.map(scrub);
    if (item !== null && typeof item === 'object')
      return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, scrub(entry)]));
    return item;
  };
  return scrub(value) as T;
}
