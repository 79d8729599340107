/**
 * The journal lives on disk for weeks: it must never hold a token, a password or a client secret.
 * Records are refused outright (a step that puts a secret in its undo record is a bug to find in
 * tests, not to hide), while free text from errors is redacted before it is kept.
 */
import { redactTokens } from '../core/redact.ts';

/** Thrown when something bound for the journal looks like a secret; names where, never the value. */
export class SecretInJournalError extends Error {
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(`refusing to write ${path} to the journal: ${why}`);
    this.name = 'SecretInJournalError';
  }
}

const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;
/** `password=...`, `Pwd=...`, `client_secret=...`, `AccountKey=...` as in connection strings. */
const SECRET_WORD = String.raw`\b(password|passwd|pwd|secret|client_?secret|account_?key|shared_?access_?key|sig)(\s*[=:]\s*)`;
/** A redacted value starts with `[`, so redacted text passes the check it was redacted for. */
const SECRET_ASSIGNMENT = new RegExp(`${SECRET_WORD}[^\\s;&'"\\[]`, 'i');
const SECRET_ASSIGNMENT_VALUE = new RegExp(`${SECRET_WORD}[^\\s;&'"\\[]+`, 'gi');
const BEARER = /\bbearer\s+[A-Za-z0-9._~+/-]{16,}/i;
/**
 * A key whose name ends in one of these words holds a secret (`clientSecret`, `AZURE_..._PASSWORD`,
 * `accessToken`); `passwordAuth` (a PostgreSQL setting, Enabled/Disabled) does not.
 */
const SECRET_KEY_ENDINGS = ['password', 'passwd', 'secret', 'token', 'apikey', 'accountkey', 'connectionkey'];

/** Why `text` looks like a secret, or undefined when it does not. */
export function secretInText(text: string): string | undefined {
  if (JWT_SHAPED.test(text)) return 'it contains a JWT-shaped token';
  if (BEARER.test(text)) return 'it contains a bearer token';
  if (SECRET_ASSIGNMENT.test(text)) return 'it contains a password or secret assignment';
  return undefined;
}

/** Why a key of this name would hold a secret, or undefined. */
export function secretKey(key: string): string | undefined {
  const squashed = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (squashed === 'pwd' || SECRET_KEY_ENDINGS.some((ending) => squashed.endsWith(ending))) {
    return `the key "${key}" names a secret`;
  }
  return undefined;
}

/** Throws `SecretInJournalError` for the first key or string in `value` that looks like a secret. */
export function assertNoSecrets(value: unknown, path = 'journal'): void {
  if (typeof value === 'string') {
    const why = secretInText(value);
    if (why) throw new SecretInJournalError(path, why);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      assertNoSecrets(item, `${path}[${index}]`);
    });
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const why = secretKey(key) ?? secretInText(key);
      // An empty or null value under a secret-looking key carries nothing ("no password was set").
      if (why && item !== null && item !== '' && item !== undefined) {
        throw new SecretInJournalError(`${path}.${key}`, why);
      }
      assertNoSecrets(item, `${path}.${key}`);
    }
  }
}

/** Free text (an error message) made safe to keep: tokens and secret assignments replaced. */
export function redactSecrets(text: string): string {
  return redactTokens(text)
    .replace(new RegExp(BEARER.source, 'gi'), 'Bearer [redacted]')
    .replace(SECRET_ASSIGNMENT_VALUE, '$1$2[redacted]');
}
