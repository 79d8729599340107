/** The setup screens as the router mounts them: state from context, keys live only when focused. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { useInput } from 'ink';
import type { FrontEndInput } from '../../core/front-end.ts';
import { type Clipboard, createClipboard, feedProgram } from '../../services/clipboard.ts';
import type { SetupOutcome } from '../../setup/flow-types.ts';
import { closingLinesOf, leftToDoLines } from '../../setup/wording.ts';
import { useAppActions, useAppState } from '../context.tsx';
import { usePlanKeys } from '../hooks/use-plan-keys.ts';
import { isPlanQuestion } from '../state/app-state.ts';
import { ApplyScreen } from './ApplyScreen.tsx';
import { DoneScreen } from './DoneScreen.tsx';
import { PlanScreen } from './PlanScreen.tsx';

export function PlanRoute({ focused, color }: { focused: boolean; color: boolean }) {
  const state = useAppState();
  const actions = useAppActions();
  const question = state.prompts.find(isPlanQuestion);
  usePlanKeys(
    {
      apply: () => question && actions.answer(question.id, true),
      back: () => question && actions.answer(question.id, false),
      toggleDetails: actions.toggleSetupDetails,
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
  return <PlanScreen state={state.setup} color={color} awaitingAnswer={question !== undefined} />;
}

export function ApplyRoute({ focused, color, now }: { focused: boolean; color: boolean; now: number }) {
  const { setup } = useAppState();
  const actions = useAppActions();
  useInput(
    (input) => {
      if (input === 'q') actions.finishSetup();
    },
    { isActive: focused && setup.outcome !== null },
  );
  return <ApplyScreen state={setup} now={now} color={color} closing={closingOf(setup.outcome)} />;
}

/** What to say after the run, in words: what was done, or why it did not start. */
export function closingOf(outcome: SetupOutcome | null): string[] {
  if (!outcome) return [];
  if (outcome.kind === 'ran')
    return [...closingLinesOf(outcome.result), ...leftToDoLines(outcome.result, outcome.resume)];
  if (outcome.kind === 'refused') return ['Setup cannot start; nothing was changed:', ...outcome.reasons];
  if (outcome.kind === 'planned') return ['Dry run: nothing was changed.'];
  return ['Nothing was changed.'];
}

export function DoneRoute({ focused, input }: { focused: boolean; input: FrontEndInput }) {
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
      saveFile={input.saveFile ?? saveInCurrentFolder}
      onQuit={actions.finishSetup}
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

/** Writes the file next to the project, never over an existing one. */
async function saveInCurrentFolder(fileName: string, content: string): Promise<string> {
  const target = path.resolve(process.cwd(), path.basename(fileName));
  await writeFile(target, content.endsWith('\n') ? content : `${content}\n`, { flag: 'wx' });
  return target;
}
