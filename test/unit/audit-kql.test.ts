/**
 * The audit's queries carry a user's text only as string literals: whatever a tag or a resource group
 * holds, a Kusto parser (the twin's, which follows Kusto's string rules) reads back exactly that
 * value and the same pipeline stages. A value no literal can hold safely is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appsQuery, KqlValueError, kqlString } from '../../source/audit/kql.ts';
import { parseQuery } from '../azure-twin/framework/kql.ts';

const HOSTILE = [
  "prod' | where 1 == 1 or type =~ 'x",
  "x\\' | take 1 //",
  '" | project id //',
  '\\',
  "\\'",
  "''",
  'a)) | join (resources) on id | where ((1',
  "tags['env'] =~ 'prod'",
  'ünïcødé ✓ 🚀',
  '$(rm -rf /)',
  '`backtick`',
];

test('hostile tag keys and values stay literals: the parsed query has the same stages and exactly those values', () => {
  for (const value of HOSTILE) {
    const query = appsQuery({ resourceGroup: 'rg-orders', tags: [{ key: value, value }] });
    const parsed = parseQuery(query);
    assert.deepEqual(
      parsed.stages.map((stage) => stage.kind),
      ['where', 'where', 'where', 'project', 'order'],
      value,
    );
    const tagStage = parsed.stages[2]!;
    assert.equal(tagStage.kind, 'where');
    if (tagStage.kind !== 'where') continue;
    assert.deepEqual(tagStage.operand.path, ['tags', { key: value }], value);
    assert.equal(tagStage.op, '=~');
    assert.deepEqual(tagStage.values, [value], value);
  }
});

test('kqlString escapes backslashes and both quotes, and refuses control characters', () => {
  assert.equal(kqlString("it's"), "'it\\'s'");
  assert.equal(kqlString('a\\b'), "'a\\\\b'");
  assert.equal(kqlString('say "hi"'), `'say \\"hi\\"'`);
  for (const bad of ['line\nbreak', 'tab\there', 'nul\u0000', 'esc\u001b[31m'])
    assert.throws(() => kqlString(bad), KqlValueError, JSON.stringify(bad));
});
