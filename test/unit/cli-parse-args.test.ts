import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstWord, parseArgs } from '../../source/cli/parse-args.ts';
import { closestMatch, editDistance } from '../../source/cli/suggest.ts';
import { UsageError } from '../../source/cli/usage-error.ts';

test('parses a command, on/off flags, long and short value flags, and --flag=value', () => {
  const parsed = parseArgs(['doctor', '--json', '-g', 'rg1', '--app=web', '--subscription', 'abc']);
  assert.equal(parsed.command, 'doctor');
  assert.deepEqual(parsed.operands, []);
  assert.deepEqual(Object.fromEntries(parsed.flags), {
    json: true,
    'resource-group': 'rg1',
    app: 'web',
    subscription: 'abc',
  });
});

test('no positional means no command', () => {
  assert.equal(parseArgs(['--plain']).command, undefined);
});

test('a value flag without a value names the flag and its placeholder', () => {
  assert.throws(
    () => parseArgs(['--subscription']),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, '--subscription needs a value: --subscription <id>');
      return true;
    },
  );
  // The next flag is not taken as the value.
  assert.throws(() => parseArgs(['--server', '--json']), /--server needs a value/);
});

test('an on/off flag with a value is refused', () => {
  assert.throws(() => parseArgs(['--json=yes']), /--json takes no value; got 'yes'/);
});

test('an unknown flag is named with the closest valid flag', () => {
  const cases: [string, string][] = [
    ['--jsn', 'unknown flag --jsn. Did you mean --json?'],
    ['--subscripton', 'unknown flag --subscripton. Did you mean --subscription?'],
    ['-json', 'unknown flag -json. Did you mean --json?'],
    ['--sub', 'unknown flag --sub. Did you mean --subscription?'],
    ['--zzzzzzzz', 'unknown flag --zzzzzzzz.'],
    ['-x', 'unknown flag -x.'],
  ];
  for (const [flag, message] of cases) {
    assert.throws(
      () => parseArgs([flag]),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.equal(error.message, message);
        assert.deepEqual(error.hints, ['Run sc-doctor --help to see every command and flag.']);
        return true;
      },
    );
  }
});

test('everything after -- is positional', () => {
  assert.deepEqual(parseArgs(['doctor', '--', '--json']).operands, ['--json']);
});

test('firstWord skips the values of known flags and never throws', () => {
  assert.equal(firstWord(['--server', 'setup', 'doctor']), 'doctor');
  assert.equal(firstWord(['--jsn', 'setup', 'postgres']), 'setup');
  assert.equal(firstWord(['--cloud=AzureCloud', 'undo']), 'undo');
  assert.equal(firstWord(['--json']), undefined);
});

test('edit distance and closest match', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(closestMatch('docter', ['doctor', 'setup', 'undo']), 'doctor');
  assert.equal(closestMatch('snipet', ['doctor', 'snippet']), 'snippet');
  assert.equal(closestMatch('banana', ['doctor', 'setup']), undefined);
});
