/** The setup screens as the router mounts them: state from context, keys live only when focused. */
import { useInput } from 'ink';
import { useState } from 'react';
import type { FrontEndInput } from '../../run/front-end.ts';
import { type Clipboard, createClipboard, feedProgram } from '../../services/clipboard.ts';
import type { SetupOutcome } from '../../setup/flow-types.ts';
import { closingLinesOf, leftToDoLines } from '../../setup/wording.ts';
import { useAppActions, useAppState } from '../context.tsx';
import { scrollKeyOf } from '../hooks/scroll-keys.ts';
import { usePlanKeys } from '../hooks/use-plan-keys.ts';
import { saveInFolder } from '../save-file.ts';
import { isPlanQuestion } from '../state/app-state.ts';
import { scrollBy } from '../state/scroll.ts';
import { closingScreenLines } from '../text/closing.ts';
import { ApplyScreen, closingHeight } from './ApplyScreen.tsx';
import { DoneScreen } from './DoneScreen.tsx';
import { PlanScreen, planLines, planListHeight } from './PlanScreen.tsx';

export function PlanRoute({
  focused,
  color,
  columns,
  rows,
}: {
  focused: boolean;
  color: boolean;
  columns: number;
  rows: number;
}) {
  const state = useAppState();
  const actions = useAppActions();
  const question = state.prompts.find(isPlanQuestion);
  const [offset, setOffset] = useState(0);
  usePlanKeys(
    {
      apply: () => question && actions.answer(question.id, true),
      back: () => question && actions.answer(question.id, false),
      toggleDetails: actions.toggleSetupDetails,
      scroll: (key) =>
        setOffset((current) =>
          scrollBy(
            current,
            key,
            planLines(state.setup, columns).length,
            planListHeight(state.setup, columns, rows),
          ),
        ),
    },
    { isActive: focused },
  );
  // A dry run ends on the plan: q leaves.
  useInput(
    (input) => {
      if (input === 'q') actions.finishSetup();
    },
    { isActive: focused && !question && state.setup.outcome !== null },
  );
  return (
    <PlanScreen
      state={state.setup}
      color={color}
      awaitingAnswer={question !== undefined}
      columns={columns}
      rows={rows}
      offset={offset}
    />
  );
}

export function ApplyRoute({
  focused,
  color,
  now,
  columns,
  rows,
}: {
  focused: boolean;
  color: boolean;
  now: number;
  columns: number;
  rows: number;
}) {
  const { setup } = useAppState();
  const actions = useAppActions();
  const [offset, setOffset] = useState(0);
  const closing = closingOf(setup.outcome);
  useInput(
    (input, key) => {
      const scroll = scrollKeyOf(input, key);
      if (scroll)
        setOffset((current) =>
          scrollBy(current, scroll, closingScreenLines(closing, columns).length, closingHeight(setup, rows)),
        );
      else if (input === 'q') actions.finishSetup();
    },
    { isActive: focused && setup.outcome !== null },
  );
  return (
    <ApplyScreen
      state={setup}
      now={now}
      color={color}
      closing={closing}
      columns={columns}
      rows={rows}
      offset={offset}
    />
  );
}

/** What to say after the run, in words: what was done, or why it did not start. */
export function closingOf(outcome: SetupOutcome | null): string[] {
  if (!outcome) return [];
  if (outcome.kind === 'ran')
    return [
      ...closingLinesOf(outcome.result, outcome.plan),
      ...leftToDoLines(outcome.result, outcome.resume),
    ];
  if (outcome.kind === 'refused') return ['Setup cannot start; nothing was changed:', ...outcome.reasons];
  if (outcome.kind === 'planned') return ['Dry run: nothing was changed.'];
  return ['Nothing was changed.'];
}

export function DoneRoute({
  focused,
  input,
  columns,
  rows,
}: {
  focused: boolean;
  input: FrontEndInput;
  columns: number;
  rows: number;
}) {
  const { setup } = useAppState();
  const actions = useAppActions();
  const outcome = setup.outcome;
  const code = outcome && input.snippetsFor ? input.snippetsFor(outcome) : null;
  return (
    <DoneScreen
      code={code}
      summary={closingOf(outcome)}
      focused={focused}
      color={input.color}
      clipboard={input.clipboard ?? terminalClipboard(input)}
      saveFile={input.saveFile ?? saveInFolder(process.cwd())}
      onQuit={actions.finishSetup}
      columns={columns}
      rows={rows}
    />
  );
}

function terminalClipboard(input: FrontEndInput): Clipboard {
  return createClipboard({
    platform: process.platform,
    env: process.env,
    feed: feedProgram,
    writeTerminal: (data) => input.stdout.write(data),
  });
}
