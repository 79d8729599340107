import { type Dispatch, useEffect, useRef } from 'react';
import type { CheckOutcome } from '../../core/types.ts';
import { type DoctorAction, runFailed } from '../state/doctor-state.ts';

/**
 * Starts the doctor exactly once per mount; a rejected run becomes a visible error, not a crash (a
 * usage error with its fix, exit 2).
 */
export function useRunOnce(run: () => Promise<CheckOutcome[]>, dispatch: Dispatch<DoctorAction>): void {
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    run().catch((error: unknown) => dispatch(runFailed(error)));
  }, [run, dispatch]);
}
