/**
 * The kinds of database sc-doctor connects apps to: one word each, the one union every folder uses
 * (`sc-doctor setup <kind>`, the journal's `database`, `--json`'s `kind`). Each has an adapter in
 * source/databases/<kind>/ and is registered in descriptors.ts and index.ts.
 */
export const DATABASE_KINDS = ['postgres', 'mysql', 'sql'] as const;

export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/** The kind `value` names, or undefined. */
export function databaseKindOf(value: string | undefined): DatabaseKind | undefined {
  return DATABASE_KINDS.find((kind) => kind === value);
}
