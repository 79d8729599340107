/**
 * The pick list. Its keys are its own (use-select.ts) because ink-select-input's SelectInput moves on
 * j/k and jumps on digits, which would swallow those letters from a type-to-filter list of names like
 * `pg-orders-2`; its rows are ink-select-input's exported `Indicator` and `Item`, so a list looks the
 * same as the library's wherever the product shows one.
 */
import { Box, Text } from 'ink';
import { Indicator, Item } from 'ink-select-input';
import type { Choice, ChoiceLoader } from '../../core/prompter.ts';
import { Spinner } from '../components/Spinner.tsx';
import { type SelectState, visibleChoices } from './select-state.ts';
import { useSelect } from './use-select.ts';

export interface SelectProps<T> {
  choices: readonly Choice<T>[] | ChoiceLoader<T>;
  isActive: boolean;
  onSubmit(value: T, label: string): void;
  onBack(): void;
  /** The label picked here before, highlighted again. */
  remembered?: string | undefined;
  color: boolean;
  /** Rows of the list shown at once. */
  limit?: number;
}

/** A pick list with type-to-filter and a spinner while its choices load. */
export function Select<T>({ color, limit = 10, ...options }: SelectProps<T>) {
  const state = useSelect(options);
  return <SelectView state={state} color={color} limit={limit} />;
}

export function SelectView<T>({
  state,
  color,
  limit,
}: {
  state: SelectState<T>;
  color: boolean;
  limit: number;
}) {
  if (state.choices === null) {
    return (
      <Text>
        <Spinner color={color} /> loading…
      </Text>
    );
  }
  if (state.loadError !== null) {
    return <Text color={color ? 'red' : undefined}>{`could not load the list: ${state.loadError}`}</Text>;
  }
  const visible = visibleChoices(state);
  // Keep the highlighted choice in the window.
  const start = Math.max(0, Math.min(state.highlighted - limit + 1, visible.length - limit));
  const shown = visible.slice(start, start + limit);
  const labelWidth = Math.max(0, ...shown.map((choice) => [...choice.label].length)) + 2;
  return (
    <Box flexDirection="column">
      {shown.map((choice, offset) => {
        const selected = start + offset === state.highlighted;
        return (
          <Box key={`${choice.label}\u0000${choice.hint ?? ''}`}>
            <Indicator isSelected={selected} />
            <Item
              isSelected={selected}
              label={`${choice.label.padEnd(labelWidth)}${choice.hint ?? ''}`.trimEnd()}
            />
          </Box>
        );
      })}
      {visible.length === 0 ? (
        <Text dimColor={color}>
          {state.choices.length === 0 ? ' nothing to choose from' : ' nothing matches'}
        </Text>
      ) : null}
      {visible.length > shown.length ? (
        <Text dimColor={color}>{`  ${visible.length - shown.length} more`}</Text>
      ) : null}
      {state.notes.map((note) => (
        <Text key={note} color={color ? 'yellow' : undefined}>{`! ${note}`}</Text>
      ))}
      <Text>{`filter: ${state.filter}_`}</Text>
    </Box>
  );
}
