import { Box, Text } from 'ink';
import { formatElapsed, ROLLBACK_LOOK, STEP_LOOK } from '../../setup/wording.ts';
import { KeyHints } from '../components/KeyHints.tsx';
import { Spinner } from '../components/Spinner.tsx';
import type { RollbackStepState, SetupState, SetupStepState } from '../state/setup-state.ts';

export interface ApplyScreenProps {
  state: SetupState;
  /** UI clock, for elapsed times. */
  now: number;
  color: boolean;
  /** Closing lines once the run ended (what is left and how to remove it). */
  closing: string[];
}

/**
 * Live progress: a row per step with spinner, detail and elapsed time. Once a rollback starts the
 * list turns into the rollback, newest first, each undo with its own status.
 */
export function ApplyScreen({ state, now, color, closing }: ApplyScreenProps) {
  const numbers = new Map(state.steps.map((step, index) => [step.id, index + 1]));
  const finished = state.outcome !== null;
  const elapsed = state.applyStartedAt === null ? 0 : now - state.applyStartedAt;
  return (
    <Box flexDirection="column">
      {state.rollback ? (
        <>
          <Text bold>
            {state.rollback.reason === 'cancelled'
              ? 'Cancelled: undoing what was done, newest first'
              : 'A step failed: undoing what was done, newest first'}
          </Text>
          {state.rollback.steps.map((step) => (
            <UndoRow key={step.id} step={step} number={numbers.get(step.id) ?? 0} now={now} color={color} />
          ))}
          {state.steps
            .filter((step) => step.outcome === 'failed')
            .map((step) => (
              <StepRow key={step.id} step={step} number={numbers.get(step.id) ?? 0} now={now} color={color} />
            ))}
        </>
      ) : (
        state.steps.map((step) => (
          <StepRow key={step.id} step={step} number={numbers.get(step.id) ?? 0} now={now} color={color} />
        ))
      )}
      {finished ? (
        closing.map((line) => <Text key={line}>{line}</Text>)
      ) : (
        <KeyHints
          hints={`elapsed ${formatElapsed(elapsed).replace(/\.\ds$/, 's')} · Ctrl-C ${state.rollback ? 'again stops waiting and lists what is left' : 'cancels and undoes everything done so far'}`}
          color={color}
        />
      )}
    </Box>
  );
}

function Mark({
  phase,
  look,
  color,
}: {
  phase: string;
  look: { glyph: string; color: string } | null;
  color: boolean;
}) {
  if (phase === 'running') return <Spinner color={color} />;
  if (!look) return <Text> </Text>;
  return <Text color={color ? look.color : undefined}>{look.glyph}</Text>;
}

function Row(props: {
  mark: React.ReactNode;
  number: number;
  title: string;
  detail: string | null;
  time: string;
  color: boolean;
}) {
  return (
    <Box>
      <Box width={2} flexShrink={0}>
        {props.mark}
      </Box>
      <Box width={3} flexShrink={0}>
        <Text>{props.number > 0 ? String(props.number) : ''}</Text>
      </Box>
      <Box flexGrow={1} flexShrink={1}>
        <Text wrap="truncate-end">{props.title}</Text>
      </Box>
      {props.detail ? (
        <Box flexShrink={1} marginLeft={2}>
          <Text dimColor={props.color} wrap="truncate-end">
            {props.detail}
          </Text>
        </Box>
      ) : null}
      <Box width={8} flexShrink={0} justifyContent="flex-end">
        <Text dimColor={props.color}>{props.time}</Text>
      </Box>
    </Box>
  );
}

function StepRow({
  step,
  number,
  now,
  color,
}: {
  step: SetupStepState;
  number: number;
  now: number;
  color: boolean;
}) {
  const look = step.outcome ? STEP_LOOK[step.outcome] : null;
  const time =
    step.elapsedMs !== null
      ? formatElapsed(step.elapsedMs)
      : step.startedAt !== null
        ? formatElapsed(now - step.startedAt)
        : '';
  const detail =
    step.outcome && step.outcome !== 'applied'
      ? `${look!.word}${step.detail ? `: ${step.detail}` : ''}`
      : step.phase === 'running'
        ? step.detail
        : null;
  return (
    <Row
      mark={<Mark phase={step.phase} look={look} color={color} />}
      number={number}
      title={step.title}
      detail={detail}
      time={time}
      color={color}
    />
  );
}

function UndoRow({
  step,
  number,
  now,
  color,
}: {
  step: RollbackStepState;
  number: number;
  now: number;
  color: boolean;
}) {
  const look = step.outcome ? ROLLBACK_LOOK[step.outcome] : null;
  const time =
    step.elapsedMs !== null
      ? formatElapsed(step.elapsedMs)
      : step.startedAt !== null
        ? formatElapsed(now - step.startedAt)
        : '';
  const detail = look ? `${look.word}${step.detail ? `: ${step.detail}` : ''}` : step.detail;
  return (
    <Row
      mark={<Mark phase={step.phase} look={look} color={color} />}
      number={number}
      title={step.title}
      detail={detail}
      time={time}
      color={color}
    />
  );
}
