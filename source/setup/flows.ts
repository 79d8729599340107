/**
 * The setup flow of each database kind, as data: what refuses an input before any step exists, the
 * steps, their undoers (by step id, for a journalled run) and the database user the app signs in as.
 * The session flow, `undo` and the connection code pick from this table by the server's kind.
 */
import type { ConnectToMap } from '../core/connect-to.ts';
import type { Services } from '../core/services.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { Step, StepUndoer } from '../engine/step.ts';
import {
  type MysqlSetupInput,
  mysqlProblemsOf,
  mysqlSetupSteps,
  mysqlUndoers,
  mysqlUserNameOf,
} from './mysql/index.ts';
import { postgresSetupSteps, postgresUndoers, problemsOf, roleNameOf } from './postgres/index.ts';
import { plannedUserName } from './sql/identity.ts';
import { sqlProblemsOf, sqlSetupSteps, sqlUndoers } from './sql/index.ts';

export interface SetupFlowKind {
  problemsOf(input: MysqlSetupInput): string[];
  steps(input: MysqlSetupInput, services: Services): Step[];
  undoers(services: Services, connectTo?: ConnectToMap): StepUndoer[];
  /** The database user the app signs in as (the name the plan and the connection code show). */
  userNameOf(input: MysqlSetupInput): string;
}

/** One entry per database kind `sc-doctor setup` knows. */
export const SETUP_FLOWS: Record<DatabaseKind, SetupFlowKind> = {
  postgres: {
    problemsOf,
    steps: postgresSetupSteps,
    undoers: postgresUndoers,
    userNameOf: roleNameOf,
  },
  mysql: {
    problemsOf: mysqlProblemsOf,
    steps: mysqlSetupSteps,
    undoers: mysqlUndoers,
    userNameOf: mysqlUserNameOf,
  },
  sql: {
    problemsOf: sqlProblemsOf,
    steps: sqlSetupSteps,
    undoers: sqlUndoers,
    userNameOf: plannedUserName,
  },
};

/** The kinds, for messages and argument checks. */
