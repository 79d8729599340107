import { type Dispatch, useEffect, useRef } from 'react';
import type { CheckOutcome } from '../../core/types.ts';
import type { DoctorAction } from '../state/doctor-state.ts';

/** Starts the doctor exactly once per mount; a rejected run becomes a visible error, not a crash. */
export function useRunOnce(run: () => Promise<CheckOutcome[]>, dispatch: Dispatch<DoctorAction>): void {
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    run().catch((error: unknown) => {
      dispatch({ type: 'run-failed', message: error instanceof Error ? error.message : String(error) });
    });
  }, [run, dispatch]);
}
