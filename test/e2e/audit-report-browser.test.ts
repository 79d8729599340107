/**
 * The HTML report escapes everything it shows: names and messages that look like markup stay text in
 * a real browser (Debian's Chromium), nothing runs, nothing loads. The pairs are made up here with
 * hostile text in every field Azure or a check can fill.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PairResult } from '../../source/audit/check-pair.ts';
import type { AuditRequest, AuditSummary } from '../../source/audit/types.ts';
import { openReportFile } from '../../source/output/audit/report-file.ts';
import { openFileInChromium } from '../helpers/browser.ts';
import { tempDir } from '../helpers/build.ts';

const HOSTILE = `<img src=x onerror="document.title='pwned'">"'</td></tr><script>document.title='pwned'</script>&amp;`;

function hostilePair(verdict: PairResult['verdict']): PairResult {
  const app = {
    id: `/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Web/sites/${HOSTILE}`,
    key: 'x',
    kind: 'webapp' as const,
    name: HOSTILE,
    platformKind: null,
    subscriptionId: '00000000-0000-4000-8000-000000000001',
    resourceGroup: HOSTILE,
    identity: { system: null, users: [] },
  };
  return {
    app,
    plan: {
      database: {
        kind: 'postgres',
        serverId: `/subscriptions/x/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${HOSTILE}`,
        serverName: HOSTILE,
        subscriptionId: app.subscriptionId,
        resourceGroup: 'rg',
        database: HOSTILE,
        foundIn: 'resource-graph',
      },
      linkers: [],
      settings: [HOSTILE],
    },
    verdict,
    causes: verdict === 'pass' ? [] : ['server'],
    checks: [
      {
        outcome: {
          id: 'server',
          title: HOSTILE,
          status: verdict === 'pass' ? 'pass' : 'fail',
          durationMs: 1,
          message: HOSTILE,
          details: [HOSTILE],
          remediation: {
            summary: HOSTILE,
            commands: [`az postgres flexible-server show --name '${HOSTILE}'`],
            fixable: false,
          },
          data: {},
          blocking: false,
        },
        refusals: [{ method: 'GET', path: `/x/${HOSTILE}`, status: 403, code: HOSTILE }],
      },
    ],
  };
}

test('the HTML report shows hostile names as text in a real browser: nothing runs, nothing loads', async () => {
  const dir = tempDir('sc-doctor-report-');
  const path = join(dir, 'report.html');
  const request: AuditRequest = {
    scope: { kind: 'all' },
    kinds: ['postgres', 'mysql', 'sql'],
    resourceGroup: 'rg',
    tags: [{ key: HOSTILE, value: HOSTILE }],
    checkUser: false,
    concurrency: 4,
  };
  const report = openReportFile(path, request, { tool: 'sc-doctor', version: HOSTILE }, new Date(0));
  report.pair(hostilePair('fail'));
  report.pair(hostilePair('pass'));
  report.app({ app: hostilePair('fail').app, status: 'undetermined', reason: HOSTILE });
  const counts = { fail: 1, unknown: 0, warn: 0, pass: 1 };
  const summary = {
    pairs: 2,
    verdicts: counts,
    causes: { [HOSTILE]: 1 },
    bySubscription: { [HOSTILE]: counts },
    byDatabaseKind: {
      postgres: counts,
      mysql: { fail: 0, unknown: 0, warn: 0, pass: 0 },
      sql: { fail: 0, unknown: 0, warn: 0, pass: 0 },
    },
    apps: { audited: 2, withoutDatabase: 0, undetermined: 1, gone: 0, outsideScope: 0 },
    servers: 1,
    privateEndpoints: 0,
    identities: 0,
    subscriptions: 1,
    resourceGraph: { queries: 1, pages: 1, quotaWaitMs: 0, subscriptionLimitHit: false },
    requests: { requests: 1, cacheHits: 0, throttled: 0, retried: 0, longestPauseMs: 0, peakInFlight: 1 },
    durationMs: 1,
  } as AuditSummary;
  report.finish(summary, null, 1);
  // Nothing of the hostile text reaches the file unescaped.
  assert.ok(!readFileSync(path, 'utf8').includes('<img'));

  const opened = await openFileInChromium(path);
  try {
    const { page } = opened;
    assert.equal(await page.title(), 'sc-doctor audit');
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 0);
    // Both pairs are rows of their own (a `</tr>` in a name closed nothing).
    assert.equal(await page.locator('tr.pair').count(), 2);
    const text = (await page.locator('body').textContent()) ?? '';
    assert.ok(text.includes(HOSTILE.replace('&amp;', '&amp;')), 'the hostile text is shown as written');
    assert.ok(((await page.locator('pre code').first().textContent()) ?? '').includes(`'${HOSTILE}'`));
    assert.deepEqual(opened.requests.length, 1);
  } finally {
    await opened.close();
  }
});
