import { type Dispatch, useEffect } from 'react';
import type { RunBus } from '../../run/events.ts';
import type { DoctorAction } from '../state/doctor-state.ts';

/**
 * Feeds every core event into the reducer, stamped with the UI clock. Declare it before the hook
 * that calls `run()`: effects run in declaration order, so the subscription exists before the
 * first event.
 */
export function useDoctorEvents(bus: RunBus, dispatch: Dispatch<DoctorAction>, now: () => number): void {
  useEffect(() => bus.on((event) => dispatch({ type: 'event', event, at: now() })), [bus, dispatch, now]);
}
