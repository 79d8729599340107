import { Box, Text } from 'ink';
import { PLAN_FOOTER } from '../../setup/wording.ts';
import { KeyHints } from '../components/KeyHints.tsx';
import { type ScreenLine, ScrollView } from '../components/ScrollView.tsx';
import type { SetupState, SetupStepState } from '../state/setup-state.ts';
import { proseLines } from '../text/fit.ts';

export const PLAN_KEY_HINTS = 'enter apply  d details  ↑↓ scroll  esc back';
export const DRY_RUN_KEY_HINTS = 'd details  ↑↓ scroll  q quit';

export interface PlanScreenProps {
  state: SetupState;
  color: boolean;
  /** False once the plan was answered, or for a dry run: no key hints for apply. */
  awaitingAnswer: boolean;
  /** Terminal size: no line is wider than `columns`, and the screen stays shorter than `rows`. */
  columns: number;
  rows: number;
  /** First line of the list shown, when it scrolls. */
  offset: number;
}

/** What the plan screen shows around the list: title, footer, dry-run line, hints, a spare row. */
export function planChrome(state: SetupState, columns: number): { head: string[]; foot: string[] } {
  return {
    head: proseLines(`Plan · ${state.title ?? ''}`, columns),
    foot: [
      ...proseLines(PLAN_FOOTER, columns),
      ...(state.dryRun ? proseLines('Dry run: nothing will be changed.', columns) : []),
    ],
  };
}

/** Rows the list may take on a screen of `rows`. */
export function planListHeight(state: SetupState, columns: number, rows: number): number {
  const { head, foot } = planChrome(state, columns);
  return Math.max(3, rows - head.length - foot.length - 2);
}

/**
 * Every change before anything happens: one numbered line per step, ⚠ with the reason on those that
 * need consent, ✔ on work already in place, the preview lines with `d`, and the promise that all of it
 * is undone on failure. Fitted to the width; the list scrolls when it is taller than the terminal.
 */
export function PlanScreen({ state, color, awaitingAnswer, columns, rows, offset }: PlanScreenProps) {
  const { head, foot } = planChrome(state, columns);
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold>{head.join('\n')}</Text>
      <ScrollView
        lines={planLines(state, columns)}
        height={planListHeight(state, columns, rows)}
        offset={offset}
        color={color}
      />
      <Text>{foot.join('\n')}</Text>
      <KeyHints hints={awaitingAnswer ? PLAN_KEY_HINTS : DRY_RUN_KEY_HINTS} color={color} />
    </Box>
  );
}

/** The plan's list as screen lines: each step's row, then its details when they are shown. */
export function planLines(state: SetupState, columns: number): ScreenLine[] {
  const longest = Math.max(0, ...state.steps.map((step) => [...step.title].length));
  // Notes line up in one column beside the titles, where they fit; else under their title.
  const common = 3 + longest + 2;
  return state.steps.flatMap((step, index) => {
    const number = String(index + 1).padEnd(3);
    const note = noteOf(step);
    const lines: ScreenLine[] = [];
    const title = `${number}${step.title}`;
    const at = note ? Math.min(common, columns - [...note.text].length) : 0;
    if (note && [...title].length + 2 <= at) {
      lines.push({ text: `${title.padEnd(at)}${note.text}` });
    } else {
      lines.push(...proseLines(step.title, columns, number, '   ').map((text) => ({ text })));
      if (note)
        lines.push(
          ...proseLines(note.text, columns, '   ', '     ').map((text) => ({ text, tone: note.tone })),
        );
    }
    if (state.details) {
      for (const line of step.lines)
        lines.push(
          ...proseLines(line, columns, '   ', '     ').map((text): ScreenLine => ({ text, tone: 'dim' })),
        );
    }
    return lines;
  });
}

function noteOf(step: SetupStepState): { text: string; tone: ScreenLine['tone'] } | null {
  if (step.alreadyDone) return { text: `✔ ${step.alreadyDone}`, tone: 'good' };
  if (step.consent) return { text: `⚠ ${step.consent}`, tone: 'warn' };
  return null;
}
