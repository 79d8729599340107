/**
 * Undo records and everything else the journal keeps must survive a round trip through JSON exactly:
 * a record that loses a field on disk would undo the wrong thing after a crash.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Thrown when a value would not come back from JSON as it went in. */
export class NotPlainJsonError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(
      `${path} is ${problem}; undo records must be plain JSON (strings, numbers, booleans, null, arrays, objects)`,
    );
    this.name = 'NotPlainJsonError';
  }
}

/** Throws `NotPlainJsonError` naming the first value that JSON would drop or change. */
export function assertPlainJson(value: unknown, path = 'record'): asserts value is JsonValue {
  walk(value, path, new Set());
}

function walk(value: unknown, path: string, seen: Set<object>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotPlainJsonError(path, `the number ${value}`);
    return;
  }
  if (typeof value !== 'object') throw new NotPlainJsonError(path, `a ${typeof value}`);
  if (seen.has(value)) throw new NotPlainJsonError(path, 'a circular reference');
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, `${path}[${index}]`, seen);
    });
  } else {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new NotPlainJsonError(path, `a ${value.constructor?.name ?? 'class'} instance`);
    }
    for (const [key, item] of Object.entries(value)) walk(item, `${path}.${key}`, seen);
  }
  seen.delete(value);
}

/** True for `{...}` (not arrays, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
