/**
 * A scrollable view over lines that each take exactly one terminal row: which lines show in a given
 * height, and where the keys move the view. Pure, so the screens and their tests share it.
 */

/** What a height shows of `total` lines from `offset`: lines [start, end) and how many are hidden. */
export interface ScrollWindow {
  start: number;
  end: number;
  above: number;
  below: number;
}

/** The keys every scrollable screen answers to. */
export type ScrollKey = 'up' | 'down' | 'page-up' | 'page-down' | 'home' | 'end';

/** An offset that always shows the end (the newest lines), however many arrive. */
export const FOLLOW_END = Number.MAX_SAFE_INTEGER;

/**
 * Lines the view shows when they do not all fit: two rows of `height` are kept for the "more above"
 * and "more below" marks, so the view never grows past `height`.
 */
export function scrollRoom(total: number, height: number): number {
  return total <= height ? total : Math.max(1, height - 2);
}

export function scrollWindow(total: number, height: number, offset: number): ScrollWindow {
  if (total <= height) return { start: 0, end: total, above: 0, below: 0 };
  const room = scrollRoom(total, height);
  const start = Math.max(0, Math.min(offset, total - room));
  const end = start + room;
  return { start, end, above: start, below: total - end };
}

/** The offset after a key: by a line, by a page, or to either end; always within the lines. */
export function scrollBy(offset: number, key: ScrollKey, total: number, height: number): number {
  const room = scrollRoom(total, height);
  const current = scrollWindow(total, height, offset).start;
  const last = Math.max(0, total - room);
  const next =
    key === 'up'
      ? current - 1
      : key === 'down'
        ? current + 1
        : key === 'page-up'
          ? current - room
          : key === 'page-down'
            ? current + room
            : key === 'home'
              ? 0
              : last;
  return Math.max(0, Math.min(next, last));
}
