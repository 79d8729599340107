/**
 * A twin asked for databases that cannot start fails loudly and leaves nothing behind: `startTwin`
 * rejects and stops every listener it had opened (else the caller's process never ends), and
 * `npm run twin` exits 1 at once with the reason and the fix instead of running without databases.
 * The databases are made unable to start the way a private folder does it: as root, a TMPDIR only
 * root can enter, where the postgres and mysql users cannot reach their data directories.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, tempDir } from '../helpers/build.ts';
import { runInGroup } from '../helpers/processes.ts';

const asRoot = process.getuid?.() === 0;
const needsRoot = asRoot ? false : 'the database servers run as other users only when the tests run as root';

/** An environment whose temp dir the database users cannot enter (tempDir makes it 0700). */
function privateTmp(): NodeJS.ProcessEnv {
  return { ...process.env, TMPDIR: tempDir('sc-doctor-private-tmp-') };
}

test('startTwin with databases that cannot start rejects with the reason and leaves no listener open', {
  skip: needsRoot,
}, async () => {
  // The child must end by itself once startTwin has rejected: an open HTTPS, MSI or token listener
  // would keep it alive, and whoever started it (a test file) would wait for ever.
  const script = [
    "const { startTwin } = await import('./test/azure-twin/index.ts');",
    "try { await startTwin({ scenario: 'healthy', databases: ['postgres', 'sql'] }); console.log('started'); }",
    "catch (error) { console.log('rejected: ' + error.message); }",
  ].join('\n');
  const result = await runInGroup(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: repoRoot,
      env: privateTmp(),
      timeoutMs: 60_000,
    },
  );
  assert.equal(result.timedOut, false, `the process ended by itself:\n${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /^rejected: the 'postgres' user cannot reach .*TMPDIR=\/tmp/m);
  assert.equal(result.code, 0, result.stderr);
});

test('npm run twin whose databases cannot start exits 1 at once with the reason and the fix, writing no env file', {
  skip: needsRoot,
}, async () => {
  const envFile = join(tempDir('sc-doctor-twin-nodb-'), 'env');
  const result = await runInGroup(
    process.execPath,
    ['--import', 'tsx', 'test/azure-twin/main.ts', 'healthy'],
    {
      cwd: repoRoot,
      env: { ...privateTmp(), TWIN_ENV_FILE: envFile },
      timeoutMs: 60_000,
    },
  );
  assert.equal(
    result.timedOut,
    false,
    `the twin stopped instead of running without databases:\n${result.stdout}`,
  );
  assert.equal(result.code, 1, result.stdout);
  assert.match(
    result.stderr,
    /twin: the database servers did not start: the '(postgres|mysql)' user cannot reach/,
  );
  assert.match(result.stderr, /Point TMPDIR at a directory every user can enter/);
  assert.match(result.stderr, /npm run twin -- healthy --no-databases/);
  assert.doesNotMatch(result.stdout, /Azure twin up/);
  assert.equal(existsSync(envFile), false);
});
