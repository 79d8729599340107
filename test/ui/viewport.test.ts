import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RowState } from '../../source/ui/state/doctor-state.ts';
import { rowNotes } from '../../source/ui/state/row-notes.ts';
import {
  rowHeight,
  rowLayout,
  visibleRows,
  wrappedLineCount,
  wrapWords,
} from '../../source/ui/state/viewport.ts';
import { outcome } from '../helpers/render-ui.tsx';
import { signinFail } from './fixtures.ts';

const row = (patch: Partial<RowState>): RowState => ({
  id: 'x',
  title: 'X',
  phase: 'done',
  startedAt: null,
  slow: false,
  outcome: null,
  expanded: false,
  ...patch,
});

test('wrapWords breaks between words without leading spaces, and long words hard', () => {
  assert.deepEqual(wrapWords('native az signs in', 9), ['native az', 'signs in']);
  assert.deepEqual(wrapWords('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
});

test("wrapWords keeps a line's own indent, on every line it wraps to (an indented list stays one)", () => {
  assert.deepEqual(wrapWords('  Microsoft.Web/sites/write (switch it on)', 30), [
    '  Microsoft.Web/sites/write',
    '  (switch it on)',
  ]);
  assert.deepEqual(wrapWords('  a b c d', 5), ['  a b', '  c d']);
});

const wraps: [string, number, number][] = [
  ['', 10, 1],
  ['short', 10, 1],
  ['exactly 10', 10, 1],
  ['two words that wrap', 10, 2],
  ['two words that wrap now', 10, 3],
  ['averyveryverylongword', 10, 3],
  ['a averyveryverylongword', 10, 4],
];
for (const [text, width, lines] of wraps) {
  test(`wrappedLineCount(${JSON.stringify(text)}, ${width}) = ${lines}`, () => {
    assert.equal(wrappedLineCount(text, width), lines);
  });
}

const windows: {
  name: string;
  heights: number[];
  selected: number;
  budget: number;
  expect: [number, number];
}[] = [
  { name: 'everything fits', heights: [1, 1, 1], selected: 2, budget: 3, expect: [0, 3] },
  { name: 'top of a long list', heights: [1, 1, 1, 1, 1, 1], selected: 0, budget: 5, expect: [0, 3] },
  { name: 'bottom of a long list', heights: [1, 1, 1, 1, 1, 1], selected: 5, budget: 5, expect: [3, 6] },
  {
    name: 'in the middle, rows before the selection come first',
    heights: [1, 1, 1, 1, 1, 1],
    selected: 3,
    budget: 5,
    expect: [1, 4],
  },
  {
    name: 'a tall selected row is shown alone, cut',
    heights: [1, 9, 1],
    selected: 1,
    budget: 5,
    expect: [1, 2],
  },
  { name: 'the last row shown may be cut', heights: [2, 2, 2, 2], selected: 0, budget: 5, expect: [0, 2] },
];
for (const { name, heights, selected, budget, expect } of windows) {
  test(`visibleRows: ${name}`, () => {
    const { start, end, height, cut } = visibleRows(heights, selected, budget);
    assert.deepEqual([start, end], expect);
    const shown = heights.slice(start, end).reduce((sum, h) => sum + h, 0);
    if (heights.reduce((sum, h) => sum + h, 0) <= budget) assert.equal(height, null);
    else {
      assert.ok(height !== null && height <= budget - 2, 'room is kept for the more above/below notes');
      assert.equal(cut, shown > height);
    }
  });
}

test('rowHeight counts the message, the details and the fix lines at the given width', () => {
  const layout = rowLayout(100, ['Signed in']);
  assert.equal(
    rowHeight(row({ outcome: signinFail }), layout),
    1 + rowNotes(row({ outcome: signinFail })).length,
  );
  const narrow = rowLayout(40, ['Signed in']);
  assert.ok(
    rowHeight(row({ outcome: signinFail }), narrow) > rowHeight(row({ outcome: signinFail }), layout),
  );
});

test('rowNotes: a collapsed pass has nothing, an open one has its timing', () => {
  const pass = outcome({ id: 'az-cli', status: 'pass', details: ['from /usr/bin/az'] });
  assert.deepEqual(rowNotes(row({ outcome: pass })), []);
  const open = rowNotes(row({ outcome: pass, expanded: true }));
  assert.deepEqual(
    open.map((n) => n.kind),
    ['detail', 'meta'],
  );
});
