/**
 * `sc-doctor audit` (the built CLI) against the twin's `fleet` scenario: it finds exactly the pairs of
 * the scenario's ground truth (test/azure-twin/fleet.ts) with the right verdicts and causes, in the
 * JSON document, the plain lines, the Markdown report and the HTML report opened in a real headless
 * browser, and it never writes to Azure.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  FLEET_SUBSCRIPTIONS,
  fleetPlan,
  MANAGEMENT_GROUP,
  MANAGEMENT_GROUP_SUBSCRIPTIONS,
} from '../azure-twin/fleet.ts';
import { IDS } from '../azure-twin/framework/world.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { openFileInChromium } from '../helpers/browser.ts';
import { tempDir } from '../helpers/build.ts';
import { recordWrites, runBuiltCli, twinCliEnv } from '../helpers/twin-cli.ts';

let twin: Twin;
let env: Record<string, string>;
let writes: string[];
const plan = fleetPlan();
const key = (app: string, server: string, database: string | null) =>
  `${app.toLowerCase()}|${server.toLowerCase()}|${(database ?? '').toLowerCase()}`;

before(async () => {
  twin = await startTwin({ scenario: 'fleet' });
  env = twinCliEnv(twin);
  writes = recordWrites(twin);
});
after(async () => {
  await twin?.close();
});

interface DocumentPair {
  app: { id: string };
  database: { serverId: string; name: string | null };
  verdict: string;
  causes: string[];
  checks: { id: string; status: string; remediation: { commands: string[] } | null; refused: unknown[] }[];
}

function expectedPairs(
  scope: (pair: (typeof plan.pairs)[number]) => boolean = () => true,
): Map<string, string> {
  return new Map(
    plan.pairs
      .filter(scope)
      .map((pair) => [key(pair.app, pair.server, pair.database), `${pair.verdict}:${pair.causes.join('+')}`]),
  );
}

function foundPairs(pairs: DocumentPair[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const pair of pairs) {
    const k = key(pair.app.id, pair.database.serverId, pair.database.name);
    assert.ok(!found.has(k), `pair ${k} reported twice`);
    found.set(k, `${pair.verdict}:${pair.causes.join('+')}`);
  }
  return found;
}

/** Compares two maps and names what differs (a diff of 1,700 entries is unreadable otherwise). */
function assertSamePairs(found: Map<string, string>, expected: Map<string, string>): void {
  const missing = [...expected.keys()].filter((k) => !found.has(k)).slice(0, 5);
  const extra = [...found.keys()].filter((k) => !expected.has(k)).slice(0, 5);
  const wrong = [...expected.entries()]
    .filter(([k, v]) => found.has(k) && found.get(k) !== v)
    .slice(0, 5)
    .map(([k, v]) => `${k}: expected ${v}, got ${found.get(k)}`);
  assert.deepEqual({ missing, extra, wrong }, { missing: [], extra: [], wrong: [] });
  assert.equal(found.size, expected.size);
}

/** An app's name as the reports show it (a Spring app's with its service), from its id. */
function appNameOf(id: string): string {
  const spring = /\/Spring\/([^/]+)\/apps\/([^/]+)$/i.exec(id);
  return spring ? `${spring[1]}/${spring[2]}` : id.split('/').pop()!;
}

/**
 * The ground truth as the plain lines and the Markdown name a pair (app name, `server/database`),
 * with its verdict and the check its line gives as the reason (the first cause).
 */
function expectedByName(): Map<string, string> {
  const byName = new Map(
    plan.pairs.map((pair) => [
      `${appNameOf(pair.app)}|${pair.server.split('/').pop()}/${pair.database}`.toLowerCase(),
      `${pair.verdict}:${pair.verdict === 'pass' ? '' : pair.causes[0]}`,
    ]),
  );
  assert.equal(byName.size, plan.pairs.length, 'names tell the fleet’s pairs apart');
  return byName;
}

const VERDICT_OF_WORD: Record<string, string> = {
  FAIL: 'fail',
  unknown: 'unknown',
  warn: 'warn',
  pass: 'pass',
};

/** `✖ FAIL    webapp app-7 (rg-fleet-2) → PostgreSQL pg-fleet-003/appdb · server: ...` */
const PLAIN_PAIR =
  /^(?:[✖✔⚠?] )?(FAIL|unknown|warn|pass)\s+(?:webapp|containerapp|spring) (\S+) \([^)]*\) (?:→|->) (?:PostgreSQL|MySQL|Azure SQL) (\S+)(?: · (.*))?$/;

/** The check id a line gives as its reason (`app-settings: ...`); empty for a pass. */
function causeOfReason(verdict: string, reason: string): string {
  return verdict === 'pass' ? '' : (/^([a-z0-9-]+):/.exec(reason)?.[1] ?? reason);
}

function plainPairs(stdout: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = PLAIN_PAIR.exec(line);
    if (!match) continue;
    const [, word, app, database, reason = ''] = match;
    const verdict = VERDICT_OF_WORD[word!]!;
    const key = `${app}|${database}`.toLowerCase();
    assert.ok(!found.has(key), `${key} printed twice`);
    found.set(key, `${verdict}:${causeOfReason(verdict, reason)}`);
  }
  return found;
}

/** The pairs of a Markdown report: each under its verdict's heading. */
function markdownPairs(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  let verdict = '';
  const unescaped = (text: string) => text.replace(/\\(.)/g, '$1');
  for (const line of markdown.split('\n')) {
    const heading = /^## (?:\S+ )?(FAIL|unknown|warn|pass) \(\d+\)$/.exec(line);
    if (heading) verdict = VERDICT_OF_WORD[heading[1]!]!;
    else if (line.startsWith('## ')) verdict = '';
    const pair = /^- \*\*(.+?)\*\* \(.*?\) → \S+(?: SQL)? ` (\S+) `: (.*)$/.exec(line);
    if (!pair || !verdict) continue;
    const key = `${unescaped(pair[1]!)}|${pair[2]}`.toLowerCase();
    assert.ok(!found.has(key), `${key} listed twice`);
    found.set(key, `${verdict}:${causeOfReason(verdict, unescaped(pair[3]!))}`);
  }
  return found;
}

/** Compares two maps and names what differs. */
function assertSameMaps(found: Map<string, string>, expected: Map<string, string>, what: string): void {
  const missing = [...expected.keys()].filter((k) => !found.has(k)).slice(0, 5);
  const extra = [...found.keys()].filter((k) => !expected.has(k)).slice(0, 5);
  const wrong = [...expected.entries()]
    .filter(([k, v]) => found.has(k) && found.get(k) !== v)
    .slice(0, 5)
    .map(([k, v]) => `${k}: expected ${v}, got ${found.get(k)}`);
  assert.deepEqual({ missing, extra, wrong }, { missing: [], extra: [], wrong: [] }, what);
  assert.equal(found.size, expected.size, what);
}

test('audit --all --json finds exactly the fleet’s pairs with their verdicts and causes, and writes nothing', async () => {
  const dir = tempDir('sc-doctor-audit-');
  const connectionsBefore = twin.connections();
  const run = await runBuiltCli(['audit', '--all', '--json', '--out', join(dir, 'report.html')], env);
  assert.equal(run.code, 1, run.stderr);
  const connections = twin.connections() - connectionsBefore;
  const document = JSON.parse(run.stdout);
  assert.equal(document.schemaVersion, 1);
  assert.equal(document.command, 'audit');
  assertSamePairs(foundPairs(document.audit.pairs), expectedPairs());
  // Apps that make no pair: not determinable (Reader cannot list settings) or naming a server elsewhere.
  const entries = new Map<string, string>(
    document.audit.apps.map((entry: { app: { id: string }; status: string }) => [
      entry.app.id.toLowerCase(),
      entry.status,
    ]),
  );
  assert.deepEqual(entries, new Map(plan.appEntries.map((entry) => [entry.app.toLowerCase(), entry.status])));
  const summary = document.audit.summary;
  const verdicts = { fail: 0, unknown: 0, warn: 0, pass: 0 } as Record<string, number>;
  for (const pair of plan.pairs) verdicts[pair.verdict]! += 1;
  assert.deepEqual(summary.verdicts, verdicts);
  assert.equal(summary.pairs, plan.pairs.length);
  assert.equal(summary.apps.withoutDatabase, plan.withoutDatabase);
  assert.equal(summary.servers, plan.servers.length + 3);
  assert.equal(document.exitCode, 1);
  // Every failing check carries a command to run (the fix, or the sc-doctor setup line).
  for (const pair of document.audit.pairs as DocumentPair[])
    for (const check of pair.checks)
      if (check.status === 'fail' && pair.causes.includes(check.id))
        assert.ok((check.remediation?.commands.length ?? 0) > 0, `${pair.app.id} ${check.id} has no command`);
  // "Not determinable" names what Azure refused.
  const unknown = (document.audit.pairs as DocumentPair[]).find((pair) => pair.verdict === 'unknown')!;
  assert.ok(unknown.checks.some((check) => check.refused.length > 0));
  // A server used by many apps was read once: far fewer requests than reads.
  assert.ok(summary.requests.cacheHits > summary.requests.requests, JSON.stringify(summary.requests));
  // Thousands of reads over a few kept-alive connections (at most --concurrency, and the az stand-in's).
  assert.ok(summary.requests.requests > 5000, JSON.stringify(summary.requests));
  assert.ok(connections <= 64, `${connections} connections for ${summary.requests.requests} requests`);
  assert.deepEqual(writes, []);

  assert.doesNotMatch(run.stdout, /Fleet-[a-z0-9-]+-Pw1/);

  // The HTML report, in a real browser: the counts per verdict, subscription and kind, every pair in
  // its verdict's group, and not one request beyond the file itself.
  const opened = await openFileInChromium(join(dir, 'report.html'));
  try {
    const { page } = opened;
    const counts = async (table: string, key: string) =>
      page.$$eval(`#${table} tr[data-key="${key}"] td`, (cells) =>
        cells.map((cell) => Number(cell.textContent)),
      );
    assert.deepEqual(await counts('by-verdict', 'all'), [
      verdicts.fail,
      verdicts.unknown,
      verdicts.warn,
      verdicts.pass,
      plan.pairs.length,
    ]);
    for (const [subscription, perVerdict] of Object.entries(summary.bySubscription) as [
      string,
      Record<string, number>,
    ][]) {
      const total = Object.values(perVerdict).reduce((a, b) => a + b, 0);
      assert.deepEqual(await counts('by-subscription', subscription), [
        perVerdict.fail,
        perVerdict.unknown,
        perVerdict.warn,
        perVerdict.pass,
        total,
      ]);
    }
    const kinds = await page.$$eval('#by-kind tbody tr', (rows) =>
      rows.map((row) => row.getAttribute('data-key')),
    );
    assert.deepEqual(kinds, ['postgres', 'mysql', 'sql']);
    for (const verdict of ['fail', 'unknown', 'pass'])
      assert.equal(await page.locator(`#pairs-${verdict} tr.pair`).count(), verdicts[verdict], verdict);
    // Every pair, with its verdict and causes, in its verdict's group: exactly the ground truth.
    const rows = await page.$$eval('tr.pair', (cells) =>
      cells.map((row) => ({
        group: row.closest('section')?.getAttribute('data-verdict') ?? '',
        verdict: row.getAttribute('data-verdict') ?? '',
        app: row.getAttribute('data-app') ?? '',
        server: row.getAttribute('data-server') ?? '',
        database: row.getAttribute('data-database') ?? '',
        causes: row.getAttribute('data-causes') ?? '',
      })),
    );
    assert.deepEqual(
      rows.filter((row) => row.group !== row.verdict),
      [],
    );
    const inReport = new Map<string, string>();
    for (const row of rows) {
      const k = key(row.app, row.server, row.database);
      assert.ok(!inReport.has(k), `${k} twice in the report`);
      inReport.set(k, `${row.verdict}:${row.causes.split(' ').filter(Boolean).join('+')}`);
    }
    assertSamePairs(inReport, expectedPairs());
    assert.equal(await page.locator('#apps tr.app').count(), plan.appEntries.length);
    const text = (await page.locator('body').textContent()) ?? '';
    assert.match(text, new RegExp(`${plan.pairs.length} pairs from`));
    assert.doesNotMatch(text, /Fleet-[a-z0-9-]+-Pw1/);
    assert.deepEqual(opened.requests, [pathToFileURL(join(dir, 'report.html')).href]);
  } finally {
    await opened.close();
  }
});

test('audit --plain prints a line per pair and the summary; the exit code is 1 when a pair fails', async () => {
  const dir = tempDir('sc-doctor-audit-');
  const run = await runBuiltCli(['audit', '--all', '--plain', '--out', join(dir, 'report.md')], env);
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stdout.split('\n');
  const pairLines = lines.filter(
    (line) => /^(✖ FAIL|✔ pass|⚠ warn|\? unknown|FAIL|pass|warn|unknown) /.test(line) && line.includes('→'),
  );
  assert.equal(pairLines.length, plan.pairs.length);
  // Each line names the app, the server and database, the verdict and the check behind it.
  assertSameMaps(plainPairs(run.stdout), expectedByName(), 'the plain lines');
  const failing = plan.pairs.filter((pair) => pair.verdict === 'fail').length;
  assert.equal(pairLines.filter((line) => line.includes('FAIL')).length, failing);
  assert.ok(lines.some((line) => line.startsWith(`Summary: ${plan.pairs.length} pairs (${failing} FAIL`)));
  assert.match(run.stdout, /Exit code 1: at least one pair failed\./);
  assert.match(run.stderr, /audit: \d+\/\d+ apps · \d+ pairs found · \d+ checked · \d+ failing/);
  assert.doesNotMatch(run.stdout + run.stderr, /Fleet-[a-z0-9-]+-Pw1/);
  assert.match(run.stdout, /Report: .*report\.md/);

  const markdown = readFileSync(join(dir, 'report.md'), 'utf8');
  const count = (verdict: string) => plan.pairs.filter((pair) => pair.verdict === verdict).length;
  assert.match(markdown, new RegExp(`## ✖ FAIL \\(${count('fail')}\\)`));
  assert.match(markdown, new RegExp(`## \\? unknown \\(${count('unknown')}\\)`));
  assert.match(markdown, new RegExp(`## ✔ pass \\(${count('pass')}\\)`));
  assert.equal(
    markdown.split('\n').filter((line) => line.startsWith('- **')).length,
    plan.pairs.length + plan.appEntries.length,
  );
  assertSameMaps(markdownPairs(markdown), expectedByName(), 'the Markdown report');
  assert.doesNotMatch(markdown, /Fleet-[a-z0-9-]+-Pw1/);
});

test('audit --management-group audits the group’s subscriptions only', async () => {
  const run = await runBuiltCli(['audit', '--management-group', MANAGEMENT_GROUP, '--json'], env);
  const document = JSON.parse(run.stdout);
  const inGroup = new Set(MANAGEMENT_GROUP_SUBSCRIPTIONS.map((id) => id.toLowerCase()));
  const subscriptionOf = (id: string) => /\/subscriptions\/([^/]+)/.exec(id)![1]!.toLowerCase();
  assertSamePairs(
    foundPairs(document.audit.pairs),
    expectedPairs((pair) => inGroup.has(subscriptionOf(pair.app))),
  );
});

test('filters: --subscription (repeated), --database and --resource-group narrow the pairs', async () => {
  const [first, second] = [FLEET_SUBSCRIPTIONS[0].subscriptionId, FLEET_SUBSCRIPTIONS[1].subscriptionId];
  const run = await runBuiltCli(
    [
      'audit',
      '--subscription',
      first,
      '--subscription',
      second,
      '--database',
      'postgres',
      '--resource-group',
      'rg-fleet-2',
      '--json',
    ],
    env,
  );
  const document = JSON.parse(run.stdout);
  const wanted = (pair: (typeof plan.pairs)[number]) =>
    /\/subscriptions\/([^/]+)\/resourceGroups\/rg-fleet-2\//i.test(pair.app) &&
    [first, second].some((id) => pair.app.toLowerCase().includes(id)) &&
    /DBforPostgreSQL/i.test(pair.server);
  const expected = expectedPairs(wanted);
  assert.ok(expected.size > 20);
  assertSamePairs(foundPairs(document.audit.pairs), expected);
});

test('exit code 0 when every pair passes (the healthy world’s own subscription)', async () => {
  const run = await runBuiltCli(['audit', '--subscription', IDS.subscriptionId, '--json'], env);
  assert.equal(run.code, 0, run.stderr);
  const document = JSON.parse(run.stdout);
  assert.equal(document.audit.summary.verdicts.pass, 2);
  assert.equal(document.exitCode, 0);
});
