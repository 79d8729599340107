import { Box, Text, useInput } from 'ink';
import { useState } from 'react';

export interface TextInputProps {
  /** Never echo what is typed, not even its length. */
  masked: boolean;
  initial?: string;
  validate?: (value: string) => string | undefined;
  isActive: boolean;
  onSubmit(value: string): void;
  onBack(): void;
  color: boolean;
}

/** One line of input: typing, backspace, enter submits (after `validate`), esc goes back. */
export function TextInput({
  masked,
  initial = '',
  validate,
  isActive,
  onSubmit,
  onBack,
  color,
}: TextInputProps) {
  const [value, setValue] = useState(initial);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  useInput(
    (input, key) => {
      if (key.escape) onBack();
      else if (key.return) {
        const why = validate?.(value);
        if (why) setProblem(why);
        else onSubmit(value);
      } else if (key.backspace || key.delete) setValue((text) => [...text].slice(0, -1).join(''));
      else if (input && !key.ctrl && !key.meta && !key.tab) {
        setValue((text) => text + input);
        setProblem(undefined);
      }
    },
    { isActive },
  );
  return (
    <Box flexDirection="column">
      <Text>{masked ? '> (hidden as you type)' : `> ${value}_`}</Text>
      {problem ? <Text color={color ? 'red' : undefined}>{problem}</Text> : null}
    </Box>
  );
}
