/**
 * Compares a twin response with an azure-rest-api-specs example by shape: every key the example has
 * must be present in the response with the same JSON type (recursively; arrays are compared through
 * their first element). Values may differ (ids, names, times); extra keys in the response are allowed
 * because newer api-versions add properties.
 */
import assert from 'node:assert/strict';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Lists every shape difference as `path: expected X, got Y`. */
export function shapeDifferences(
  actual: unknown,
  example: unknown,
  path = '$',
  ignore: ReadonlySet<string> = new Set(),
): string[] {
  if (ignore.has(path)) return [];
  const want = kind(example);
  const got = kind(actual);
  // Azure examples use null for "absent" optional values; any type satisfies them.
  if (want === 'null') return [];
  if (want !== got) return [`${path}: expected ${want}, got ${got}`];
  if (want === 'array') {
    const first = (example as Json[])[0];
    const actualFirst = (actual as Json[])[0];
    if (first === undefined || actualFirst === undefined) return [];
    return shapeDifferences(actualFirst, first, `${path}[0]`, ignore);
  }
  if (want === 'object') {
    const out: string[] = [];
    for (const [key, value] of Object.entries(example as Record<string, Json>)) {
      const childPath = `${path}.${key}`;
      if (ignore.has(childPath)) continue;
      if (!(key in (actual as Record<string, Json>))) {
        out.push(`${childPath}: missing`);
        continue;
      }
      out.push(...shapeDifferences((actual as Record<string, Json>)[key], value, childPath, ignore));
    }
    return out;
  }
  return [];
}

/** Fails with the full list of differences. `ignore` takes JSONPath-like paths such as `$.properties.x`. */
export function assertSameShape(
  actual: unknown,
  example: unknown,
  message = 'shape differs from the spec example',
  ignore: string[] = [],
): void {
  const diffs = shapeDifferences(actual, example, '$', new Set(ignore));
  assert.deepEqual(diffs, [], `${message}:\n  ${diffs.join('\n  ')}`);
}
