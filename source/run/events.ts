/**
 * Every event of a run, as its bus carries them to the front-ends: the doctor's (source/core), the
 * engine's (source/engine) and the setup flow's (source/setup). A command that brings events of its
 * own adds them to this union.
 */
import type { CheckEvent, DoctorEvent, EventBus } from '../core/events.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { SetupEvent } from '../setup/events.ts';

export type RunEvent = DoctorEvent | CheckEvent | EngineEvent | SetupEvent;

/** The bus of one run. */
export type RunBus = EventBus<RunEvent>;
