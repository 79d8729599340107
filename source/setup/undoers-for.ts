/**
 * The undoers for a run from its journal: PostgreSQL and MySQL share step ids (`entra-admin`,
 * `firewall-temp`) that undo different things, so the run's database kind decides.
 */
import type { ConnectToMap } from '../core/connect-to.ts';
import type { Services } from '../core/services.ts';
import { type DatabaseKind, databaseKindOf } from '../databases/kind.ts';
import type { RunDocument } from '../engine/journal.ts';
import type { StepUndoer } from '../engine/step.ts';
import { undoersOf } from '../engine/step-registry.ts';
import { SETUP_FLOWS } from './flows.ts';

/** Step ids only the MySQL flow plans: a journal written before the kind was recorded is told by them. */
const MYSQL_ONLY_STEPS = new Set(['server-identity', 'database-user']);

/** The kind of database a journalled run set up. */
export function databaseOfRun(run: Pick<RunDocument, 'database' | 'steps'>): DatabaseKind {
  const recorded = databaseKindOf(run.database);
  if (recorded) return recorded;
  return run.steps.some((step) => MYSQL_ONLY_STEPS.has(step.id)) ? 'mysql' : 'postgres';
}

/** The undoers of the run's database kind. */
export function undoersForRun(
  run: Pick<RunDocument, 'database' | 'steps'>,
  services: Services,
  connectTo?: ConnectToMap,
): StepUndoer[] {
  return undoersOf(SETUP_FLOWS[databaseOfRun(run)].definitions, { services, connectTo });
}
