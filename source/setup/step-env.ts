/**
 * What every setup step's undo is given beyond its context and record, the same in the run and from
 * a journal: the services, and this process's `--connect-to` (an undo that logs in to the server
 * again goes where it says). See engine/step-registry.ts.
 */
import type { ConnectToMap } from '../core/connect-to.ts';
import type { Services } from '../core/services.ts';
import type { UndoContext, UndoRecord } from '../engine/step.ts';
import type { StepDefinition } from '../engine/step-registry.ts';

export interface SetupEnv {
  services: Services;
  connectTo: ConnectToMap | undefined;
}

/** A setup step's definition (`E`: what else its undo may be given in the run, e.g. passwords it was told). */
export type SetupStep<R extends UndoRecord, E = unknown> = StepDefinition<R, SetupEnv & E>;

/** The context a setup step's undo runs in. */
export type SetupUndoContext = UndoContext & SetupEnv;

/** The env of a run: its services and `--connect-to`. */
export function envOf(services: Services, input: { connectTo?: ConnectToMap | undefined }): SetupEnv {
  return { services, connectTo: input.connectTo };
}
