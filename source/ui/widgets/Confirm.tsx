import { Text, useInput } from 'ink';

export interface ConfirmProps {
  /** What enter alone answers; without one, enter waits for y or n. */
  defaultAnswer?: boolean;
  isActive: boolean;
  onAnswer(value: boolean): void;
  onBack(): void;
}

/** y or n (enter takes the default, esc goes back). */
export function Confirm({ defaultAnswer, isActive, onAnswer, onBack }: ConfirmProps) {
  useInput(
    (input, key) => {
      if (input === 'y' || input === 'Y') onAnswer(true);
      else if (input === 'n' || input === 'N') onAnswer(false);
      else if (key.return && defaultAnswer !== undefined) onAnswer(defaultAnswer);
      else if (key.escape) onBack();
    },
    { isActive },
  );
  const choices = defaultAnswer === undefined ? 'y/n' : defaultAnswer ? 'Y/n' : 'y/N';
  return <Text>{`(${choices})`}</Text>;
}
