/**
 * A relay in front of the twin's managed-identity endpoint that makes tokens short-lived, so a test
 * can open a connection, wait until that token has expired, and require the next connection to
 * sign in with a new one. Every request is passed to the twin unchanged (header check, identity
 * resolution, client_id), then the answer is shortened:
 *
 * - `remint`: the token itself is issued again with iat/nbf = now and exp = now + lifetime, signed
 *   with the twin's key. The twin's MySQL front checks exp, so an expired token is refused there
 *   exactly as Azure refuses it.
 * - `report`: the token is kept and only `expires_on` is shortened. The twin's PostgreSQL stores
 *   each principal's token as its role password, so it can only accept the one deterministic token;
 *   there the test proves that a new token was fetched for the second connection.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueToken, type TokenClaims, type TokenConfig } from '../azure-twin/tokens.ts';

export interface ShortLivedMsi {
  endpoint: string;
  /** Tokens handed out, in order (tests assert on them; never printed). */
  issued: string[];
  close(): Promise<void>;
}

export async function startShortLivedMsi(options: {
  target: string;
  config: TokenConfig;
  lifetimeSeconds: number;
  mode: 'remint' | 'report';
}): Promise<ShortLivedMsi> {
  const issued: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const forwarded = new URL(options.target);
    forwarded.search = new URL(req.url ?? '/', 'http://relay').search;
    const upstream = await fetch(forwarded, {
      headers: { 'X-IDENTITY-HEADER': String(req.headers['x-identity-header'] ?? '') },
    });
    const text = await upstream.text();
    if (!upstream.ok) {
      res.writeHead(upstream.status, { 'Content-Type': 'application/json' }).end(text);
      return;
    }
    const body = JSON.parse(text) as { access_token: string; expires_on: string };
    const now = Math.floor(Date.now() / 1000);
    if (options.mode === 'remint') {
      const claims = JSON.parse(
        Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString(),
      ) as TokenClaims;
      body.access_token = issueToken(
        { ...options.config, t0: now, lifetimeSeconds: options.lifetimeSeconds },
        { objectId: claims.oid, tenantId: claims.tid, idtyp: claims.idtyp },
        claims.aud,
        false,
      );
    }
    body.expires_on = String(now + options.lifetimeSeconds);
    issued.push(body.access_token);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}/msi/token`,
    issued,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
