/**
 * Sealed tokens the server hands to an agent and gets back: plan handles and the state a consent
 * round carries (MCP's `requestState`). Both round-trip through the client, so both are
 * attacker-controlled on the way back: each is its claims as base64url JSON plus an HMAC-SHA256 over
 * them with a key made at start and held only in this process. Signed, not encrypted: the claims
 * never hold a secret. A token from another process, an edited one or an expired one is refused.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Why a token was refused; `problem` is said to the agent as it is. */
export type Unsealed<T> = { ok: true; claims: T } | { ok: false; problem: string };

/** Claims every sealed token carries: what it is for and when it stops being good. */
export interface SealedClaims {
  /** What the token is for (`plan`, `apply-consent`, `undo-consent`): one kind never passes for another. */
  kind: string;
  /** Milliseconds since the epoch after which the token is refused. */
  expiresAt: number;
}

/** A sealer with its own random key. */
export class Sealer {
  readonly #key: Buffer;
  readonly #now: () => number;

  constructor(options: { key?: Buffer; now?: () => number } = {}) {
    this.#key = options.key ?? randomBytes(32);
    this.#now = options.now ?? Date.now;
  }

  /** The token for `claims`: `<claims as base64url JSON>.<HMAC as base64url>`. */
  seal<T extends SealedClaims>(claims: T): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.#mac(body)}`;
  }

  /** The claims of a token this sealer made for `kind`, unless it was edited or has expired. */
  unseal<T extends SealedClaims>(token: unknown, kind: T['kind']): Unsealed<T> {
    const refused = (problem: string): Unsealed<T> => ({ ok: false, problem });
    if (typeof token !== 'string' || token.length > 8192)
      return refused('it is not a token this server made');
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return refused('it is not a token this server made');
    const expected = Buffer.from(this.#mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return refused('it was not made by this server (or it was changed since)');
    let claims: T;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      return refused('it is not a token this server made');
    }
    if (claims.kind !== kind) return refused(`it is a ${String(claims.kind)} token, not a ${kind} one`);
    if (typeof claims.expiresAt !== 'number' || this.#now() > claims.expiresAt)
      return refused('it has expired');
    return { ok: true, claims };
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}

/** A random id: 128 bits, base64url. */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}
