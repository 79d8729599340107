// `sc-doctor snippet` as a user runs it from the built bundle: the generator's lazily loaded chunk,
// the code written with --out runs where it lands (Node.js parses it), and no secret leaks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { builtCli, runCli, tempDir } from '../helpers/build.ts';

before(() => {
  builtCli();
});

test('snippet --json from the bundle: one document with the snippet, nothing on stderr', async () => {
  const result = await runCli(['snippet', 'mysql', '--client-type', 'nodejs', '--auth', 'user', '--json']);
  assert.equal(result.code, 0);
  assert.equal(result.stderr, '');
  const document = JSON.parse(result.stdout);
  assert.equal(document.command, 'snippet');
  assert.equal(document.snippets[0].files[0].path, 'db.js');
  assert.match(document.snippets[0].files[0].content, /enableCleartextPlugin: true/);
});

test('snippet --out writes files that parse, and says where', async () => {
  const out = join(tempDir('snippet-out-'), 'src');
  const result = await runCli(['snippet', 'sql', '--client-type', 'nodejs', '--auth', 'sp', '--out', out], {
    AZURE_SQL_CLIENTSECRET: 'do-not-print-this-secret',
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\nWritten\n {2}.*src\/db\.js\n$/);
  assert.ok(!result.stdout.includes('do-not-print-this-secret'));
  const file = join(out, 'db.js');
  assert.equal(spawnSync(process.execPath, ['--check', file]).status, 0);
  assert.match(readFileSync(file, 'utf8'), /type: 'token-credential'/);
});

test('snippet with a bad value exits 2 naming the flag, with no stack trace', async () => {
  const result = await runCli(['snippet', 'postgres', '--client-type', 'cobol']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^sc-doctor: --client-type must be one of java, springBoot, /);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});
