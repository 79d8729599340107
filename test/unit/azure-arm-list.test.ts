/**
 * `armList` against a small local HTTPS "ARM": it follows `nextLink` page by page, and never sends
 * the token to a `nextLink` on another host.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { armList } from '../../source/azure/arm.ts';
import type { AzureSession } from '../../source/azure/session.ts';
import { type LocalHttps, startLocalHttps } from '../helpers/local-https.ts';

let arm: LocalHttps;
const seen: { method: string; url: string; authorized: boolean }[] = [];

before(async () => {
  arm = await startLocalHttps((req, res) => {
    const url = new URL(req.url ?? '/', arm.base);
    seen.push({
      method: req.method ?? '',
      url: url.pathname + url.search,
      authorized: !!req.headers.authorization,
    });
    res.setHeader('content-type', 'application/json');
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    if (url.pathname === '/paged') {
      const next = skip < 2 ? `${arm.base}/paged?api-version=2025-08-01&$skiptoken=${skip + 1}` : undefined;
      res.end(JSON.stringify({ value: [{ name: `item-${skip}` }], ...(next ? { nextLink: next } : {}) }));
    } else if (url.pathname === '/foreign') {
      res.end(
        JSON.stringify({ value: [{ name: 'first' }], nextLink: 'https://elsewhere.invalid/steal?page=2' }),
      );
    } else {
      res
        .writeHead(404)
        .end(JSON.stringify({ error: { code: 'ResourceGroupNotFound', message: 'no group' } }));
    }
  }, 'sc-doctor-arm-list-');
});

after(() => arm.close());

/** Just what armList touches of a session: the cloud's ARM endpoint, a token and the TLS CA. */
function session(): AzureSession {
  const cloud = { resourceManager: `${arm.base}/`, armScope: 'https://management.twin.test/.default' };
  return {
    cloud: async () => cloud,
    credential: {
      getToken: async () => ({ token: 'header.payload.sig', expiresOnTimestamp: Date.now() + 3_600_000 }),
    },
    tls: { ca: arm.ca },
  } as unknown as AzureSession;
}

test('armList follows nextLink until the last page and keeps every item in order', async () => {
  seen.length = 0;
  const result = await armList(session(), '/paged', '2025-08-01');
  assert.deepEqual(result, { ok: true, items: [{ name: 'item-0' }, { name: 'item-1' }, { name: 'item-2' }] });
  assert.deepEqual(
    seen.map((r) => r.method),
    ['GET', 'GET', 'GET'],
  );
  assert.ok(seen.every((r) => r.authorized));
});

test('a nextLink to another host is not followed: the token stays with ARM', async () => {
  seen.length = 0;
  const result = await armList(session(), '/foreign', '2025-08-01');
  assert.deepEqual(result, { ok: true, items: [{ name: 'first' }] });
  assert.equal(seen.length, 1);
});

test('a first page that is not a 200 comes back with its status and error', async () => {
  const result = await armList(session(), '/missing', '2025-08-01');
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.response.status, 404);
    assert.deepEqual(result.response.body, { error: { code: 'ResourceGroupNotFound', message: 'no group' } });
  }
});
