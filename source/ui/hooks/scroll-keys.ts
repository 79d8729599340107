import type { Key } from 'ink';
import type { ScrollKey } from '../state/scroll.ts';

/** The scroll key a keypress means, if any: ↑↓, PgUp PgDn (space pages down too), Home End. */
export function scrollKeyOf(input: string, key: Key): ScrollKey | undefined {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp) return 'page-up';
  if (key.pageDown || input === ' ') return 'page-down';
  if (key.home) return 'home';
  if (key.end) return 'end';
  return undefined;
}
