/**
 * The fidelity table (testing/fidelity.ts) is true and FIDELITY.md shows it: every fixture it names
 * exists and is compared with an answer by some twin test, every refusal test it names exists, and the
 * rendered table equals the committed FIDELITY.md (`UPDATE_FIDELITY=1` rewrites it).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { type Evidence, FIDELITY, renderFidelity } from './testing/fidelity.ts';

const here = new URL('./', import.meta.url);
const TABLE = new URL('FIDELITY.md', here);
/** The twin's test sources (this file excluded: naming a title here proves nothing). */
const sources = readdirSync(here)
  .filter((file) => file.endsWith('.test.ts') && file !== 'fidelity.test.ts')
  .map((file) => readFileSync(new URL(file, here), 'utf8'));

/** A fixture counts when it exists and a test names its file (the shape helpers load it by path). */
function fixtureUsed(path: string): boolean {
  const name = path.split('/').pop()!;
  return existsSync(new URL(`fixtures/${path}`, here)) && sources.some((source) => source.includes(name));
}

/** A refusal test counts when a test with exactly that title exists. */
function testExists(title: string): boolean {
  const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The title as a quoted string right after `test(`, whatever the formatter put between them.
  const call = new RegExp(`\\btest\\(\\s*(['"\`])${escaped.replace(/'/g, "\\\\?'")}\\1`);
  return sources.some((source) => call.test(source));
}

function found(evidence: Evidence): boolean {
  if ('fixture' in evidence) return fixtureUsed(evidence.fixture);
  if ('test' in evidence) return testExists(evidence.test);
  return true;
}

test('every fixture and refusal test the fidelity table names exists and is used', () => {
  const missing = FIDELITY.flatMap((row) =>
    [row.shape, row.refusal]
      .filter((evidence) => !found(evidence))
      .map((evidence) => `${row.area} ${row.operation}: ${JSON.stringify(evidence)}`),
  );
  assert.deepEqual(missing, []);
  assert.ok(FIDELITY.length >= 38, 'the doctor and setup use at least 38 operations');
});

test('FIDELITY.md is the rendered table (run with UPDATE_FIDELITY=1 to refresh it)', () => {
  const rendered = renderFidelity(found);
  if (process.env.UPDATE_FIDELITY === '1') writeFileSync(TABLE, rendered);
  assert.equal(existsSync(TABLE) ? readFileSync(TABLE, 'utf8') : '', rendered);
});
