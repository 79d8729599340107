/**
 * The adapters, by kind: what the doctor, setup and the snippets ask about a database. A new kind is
 * one folder (`<kind>/`) registered here and in descriptors.ts (docs/architecture.md, "Database
 * kinds").
 */
import type { DatabaseAdapter } from './adapter.ts';
import { DATABASE_KINDS, type DatabaseKind } from './kind.ts';
import { mysql } from './mysql/index.ts';
import { postgres } from './postgres/index.ts';
import { sql } from './sql/index.ts';

const ADAPTERS: Record<DatabaseKind, DatabaseAdapter> = { postgres, mysql, sql };

/** The adapter of `kind`. */
export function adapterOf(kind: DatabaseKind): DatabaseAdapter {
  return ADAPTERS[kind];
}

/** Every adapter, in the kinds' order. */
export function allAdapters(): DatabaseAdapter[] {
  return DATABASE_KINDS.map(adapterOf);
}
