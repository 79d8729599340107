import { useAnimation } from 'ink';

/**
 * The current time, re-read every 100 ms while `active` (a check is running) so elapsed times
 * count up; idle screens do not re-render.
 */
export function useUiClock(active: boolean, now: () => number): number {
  useAnimation({ interval: 100, isActive: active });
  return now();
}
