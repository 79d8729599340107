/**
 * Every kind's descriptor, by kind: the data half of the registry, light enough for the argument
 * parser and the snippets. A new kind is registered here and in index.ts.
 */
import type { DatabaseDescriptor } from './descriptor.ts';
import { DATABASE_KINDS, type DatabaseKind } from './kind.ts';
import { mysqlDescriptor } from './mysql/descriptor.ts';
import { postgresDescriptor } from './postgres/descriptor.ts';
import { sqlDescriptor } from './sql/descriptor.ts';

const DESCRIPTORS: Record<DatabaseKind, DatabaseDescriptor> = {
  postgres: postgresDescriptor,
  mysql: mysqlDescriptor,
  sql: sqlDescriptor,
};

/** The descriptor of `kind`. */
export function descriptorOf(kind: DatabaseKind): DatabaseDescriptor {
  return DESCRIPTORS[kind];
}

/** Every descriptor, in the kinds' order. */
export function allDescriptors(): DatabaseDescriptor[] {
  return DATABASE_KINDS.map(descriptorOf);
}

/** The kind whose servers have the ARM type `armType` (compared without case), or undefined. */
export function kindOfArmType(armType: string): DatabaseKind | undefined {
  return allDescriptors().find((d) => d.armType.toLowerCase() === armType.toLowerCase())?.kind;
}
