/**
 * The setup flow of each database kind, by kind (see flow-kind.ts). A new kind is registered here:
 * its folder `<kind>/` brings its flow, steps and record schemas.
 */
import type { DatabaseKind } from '../databases/kind.ts';
import type { SetupFlowKind } from './flow-kind.ts';
import type { SetupInput } from './input.ts';
import { mysqlFlow } from './mysql/index.ts';
import { postgresFlow } from './postgres/index.ts';
import { sqlFlow } from './sql/index.ts';

/** One entry per database kind `sc-doctor setup` knows. */
export const SETUP_FLOWS: Record<DatabaseKind, SetupFlowKind<SetupInput>> = {
  postgres: postgresFlow,
  mysql: mysqlFlow,
  sql: sqlFlow,
};
