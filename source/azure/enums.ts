/**
 * Azure's enums are strings whose case Azure itself does not keep: the specs declare them
 * `modelAsString`, and answers differ from the documented spelling (Azure SQL's connection policy
 * comes as `"redirect"` in the spec example `ServerConnectionPoliciesGet.json`, not `Redirect`). Every
 * comparison with an Azure enum goes through these functions, never `===`.
 */

/** Whether `value` is the Azure enum value `expected`, ignoring case. */
export function enumIs(value: unknown, expected: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === expected.toLowerCase();
}

/** Whether `value` is one of the Azure enum values `expected`, ignoring case. */
export function enumIn(value: unknown, ...expected: string[]): boolean {
  return expected.some((one) => enumIs(value, one));
}

/**
 * `value` in the documented spelling from `known` when it matches one ignoring case (so the rest of
 * the code and the messages see one spelling), else as Azure sent it.
 */
export function canonicalEnum<T extends string>(value: string, known: readonly T[]): T | string {
  return known.find((one) => enumIs(value, one)) ?? value;
}
