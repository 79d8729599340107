import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { commandLine, powershellQuote, shellQuote } from '../../source/core/command-line.ts';

const HOSTILE = [
  "o'brien",
  'say "hi"',
  '$(touch /tmp/sc-doctor-pwned)',
  '`id`',
  'a; rm -rf x',
  'line\nbreak',
  'close]bracket',
  'ünïcødé 名前',
  'x'.repeat(130),
  '',
  '-starts-with-dash',
  '*',
  '~root',
  '!bang',
];

test('a POSIX command line hands the program exactly the argv it was built from', () => {
  const line = commandLine(['printf', '%s\\0', ...HOSTILE]);
  const result = spawnSync('sh', ['-c', line], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(result.stdout.split('\0').slice(0, -1), HOSTILE);
});

test('plain words stay bare, so ordinary commands read as a person would type them', () => {
  assert.equal(
    commandLine(['az', 'postgres', 'flexible-server', 'show', '-g', 'rg-orders']),
    'az postgres flexible-server show -g rg-orders',
  );
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

test('PowerShell words are single-quoted with every quote mark doubled, typographic ones too', () => {
  assert.equal(powershellQuote("o'brien"), "'o''brien'");
  assert.equal(powershellQuote('a\u2019b'), "'a\u2019\u2019b'");
  assert.equal(powershellQuote('$(x)'), "'$(x)'");
  assert.equal(
    commandLine(['C:/Program Files/az', 'version'], 'powershell'),
    "& 'C:/Program Files/az' version",
  );
});
