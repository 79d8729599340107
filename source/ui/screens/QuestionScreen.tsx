import { Box, Spacer, Text } from 'ink';
import type { OpenPrompt } from '../../core/prompter.ts';
import { KeyHints } from '../components/KeyHints.tsx';
import { useAppActions, useAppState } from '../context.tsx';
import { pickKey, screenQuestions } from '../state/app-state.ts';
import { Confirm } from '../widgets/Confirm.tsx';
import { Select } from '../widgets/Select.tsx';
import { TextInput } from '../widgets/TextInput.tsx';

const HINTS: Record<OpenPrompt['kind'], string> = {
  pick: '↑↓ move  type to filter  enter choose  esc back',
  confirm: 'y yes  n no  esc back',
  text: 'enter accept  esc back',
};

/**
 * One question of the running flow (choose the target, later the auth type...): the first open
 * question with the widget its kind needs. The flag that answers it is shown, for the next run.
 */
export function QuestionScreen({ focused, color }: { focused: boolean; color: boolean }) {
  const state = useAppState();
  const prompt = screenQuestions(state)[0];
  const { answer } = useAppActions();
  if (!prompt) return null;
  const reply = (value: unknown, label?: string) =>
    label === undefined ? answer(prompt.id, value) : answer(prompt.id, value, label);
  const back = () => answer(prompt.id, undefined);
  return (
    <Box flexDirection="column">
      <QuestionTitle question={prompt.question} color={color} />
      {/* key: a new question gets a fresh widget (its own filter and highlight). */}
      <QuestionWidget
        key={prompt.id}
        prompt={prompt}
        remembered={state.picked[pickKey(prompt.question)]}
        focused={focused}
        color={color}
        reply={reply}
        back={back}
      />
      <Text dimColor={color}>{`next time: ${prompt.question.flag}`}</Text>
      <KeyHints hints={HINTS[prompt.kind]} color={color} />
    </Box>
  );
}

/** `Which database server?            step 1 of 3`: the step, when there are several, on the right. */
function QuestionTitle({ question, color }: { question: OpenPrompt['question']; color: boolean }) {
  const { step } = question;
  return (
    <Box>
      <Text bold>{question.message}</Text>
      <Spacer />
      {step ? <Text dimColor={color}>{`  step ${step.index} of ${step.total}`}</Text> : null}
    </Box>
  );
}

function QuestionWidget({
  prompt,
  remembered,
  focused,
  color,
  reply,
  back,
}: {
  prompt: OpenPrompt;
  remembered: string | undefined;
  focused: boolean;
  color: boolean;
  reply: (value: unknown, label?: string) => void;
  back: () => void;
}) {
  switch (prompt.kind) {
    case 'pick':
      return (
        <Select
          choices={prompt.question.choices}
          remembered={remembered}
          isActive={focused}
          onSubmit={reply}
          onBack={back}
          color={color}
        />
      );
    case 'confirm':
      return (
        <Confirm defaultAnswer={prompt.question.default} isActive={focused} onAnswer={reply} onBack={back} />
      );
    case 'text':
      return (
        <TextInput
          masked={prompt.masked}
          initial={prompt.question.default}
          validate={prompt.question.validate}
          isActive={focused}
          onSubmit={reply}
          onBack={back}
          color={color}
        />
      );
  }
}
