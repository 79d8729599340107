import { Box, Text } from 'ink';
import { formatElapsed, ROLLBACK_LOOK, STEP_LOOK } from '../../setup/wording.ts';
import { KeyHints } from '../components/KeyHints.tsx';
import { Line, ScrollView } from '../components/ScrollView.tsx';
import { Spinner } from '../components/Spinner.tsx';
import {
  ctrlCWords,
  type RollbackStepState,
  type SetupState,
  type SetupStepState,
} from '../state/setup-state.ts';
import { closingScreenLines } from '../text/closing.ts';

export interface ApplyScreenProps {
  state: SetupState;
  /** UI clock, for elapsed times. */
  now: number;
  color: boolean;
  /** Closing lines once the run ended (what is left and how to remove it). */
  closing: string[];
  /** Terminal width: every row fits it (titles and details are cut, closing lines wrap). */
  columns: number;
  /**
   * Terminal rows for the live screen: the closing lines scroll within them. Absent for the report
   * left in the scrollback, which shows everything once.
   */
  rows?: number;
  /** First closing line shown, when they scroll. */
  offset?: number;
  /** Words for the header while undoing a finished run (`sc-doctor undo`). */
  undoTitle?: string;
  /** The run has ended (undo has no setup outcome); by default, once the setup's outcome is in. */
  ended?: boolean;
  /** What Ctrl-C does now, for the key hints; the setup's words by default. */
  ctrlC?: string;
}

/** What the closing lines may take on the live screen: rows minus the list, the hints and a spare row. */
export function closingHeight(state: SetupState, rows: number): number {
  const list = state.rollback
    ? 1 + state.rollback.steps.length + state.steps.filter((step) => step.outcome === 'failed').length
    : state.steps.length;
  return Math.max(3, rows - list - 2);
}

/**
 * Live progress: one row per step with spinner, detail and elapsed time, each cut to the width. Once
 * a rollback starts the list turns into the rollback, newest first, each undo with its own status.
 */
export function ApplyScreen({
  state,
  now,
  color,
  closing,
  columns,
  rows,
  offset = 0,
  undoTitle,
  ended,
  ctrlC,
}: ApplyScreenProps) {
  const numbers = new Map(state.steps.map((step, index) => [step.id, index + 1]));
  // The plan's titles name the resource (`Database role aad_x on pg-orders`); an undo from the
  // journal only knows its step's kind (`Database role`).
  const titles = new Map(state.steps.map((step) => [step.id, step.title]));
  const finished = ended ?? state.outcome !== null;
  const elapsed = state.applyStartedAt === null ? 0 : now - state.applyStartedAt;
  const closingLines = finished ? closingScreenLines(closing, columns) : [];
  return (
    <Box flexDirection="column" width={columns}>
      {state.rollback ? (
        <>
          <Text bold wrap="truncate-end">
            {state.rollback.reason === 'cancelled'
              ? 'Cancelled: undoing what was done, newest first'
              : state.rollback.reason === 'undo'
                ? (undoTitle ?? 'Undoing what the run changed, newest first')
                : 'A step failed: undoing what was done, newest first'}
          </Text>
          {state.rollback.steps.map((step) => (
            <UndoRow
              key={step.id}
              step={{ ...step, title: titles.get(step.id) ?? step.title }}
              number={numbers.get(step.id) ?? 0}
              now={now}
              color={color}
              columns={columns}
            />
          ))}
          {state.steps
            .filter((step) => step.outcome === 'failed')
            .map((step) => (
              <StepRow
                key={step.id}
                step={step}
                number={numbers.get(step.id) ?? 0}
                now={now}
                color={color}
                columns={columns}
              />
            ))}
        </>
      ) : (
        state.steps.map((step) => (
          <StepRow
            key={step.id}
            step={step}
            number={numbers.get(step.id) ?? 0}
            now={now}
            color={color}
            columns={columns}
          />
        ))
      )}
      {finished ? (
        rows === undefined ? (
          closingLines.map((line, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: closing lines can repeat
            <Line key={index} line={line} color={color} />
          ))
        ) : (
          <ScrollView
            lines={closingLines}
            height={closingHeight(state, rows)}
            offset={offset}
            color={color}
          />
        )
      ) : (
        <KeyHints
          hints={`elapsed ${formatElapsed(elapsed).replace(/\.\ds$/, 's')} · Ctrl-C ${ctrlC ?? ctrlCWords(state)}`}
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

/** Mark, number and time take 13 columns; the title and the detail share the rest. */
const ROW_FIXED = 2 + 3 + 8;

/**
 * How wide the title and the detail may be on one row: both whole when they fit; else the title
 * keeps at least about half the room (a step is named first) and the detail is cut.
 */
export function rowWidths(
  columns: number,
  title: string,
  detail: string | null,
): { title: number; detail: number } {
  const room = Math.max(10, columns - ROW_FIXED);
  const titleLength = [...title].length;
  const detailLength = detail ? [...detail].length + 2 : 0;
  if (titleLength + detailLength <= room) return { title: room - detailLength, detail: detailLength };
  const titleWidth = Math.min(titleLength, Math.max(Math.ceil(room * 0.55), room - detailLength));
  return { title: titleWidth, detail: room - titleWidth };
}

function Row(props: {
  mark: React.ReactNode;
  number: number;
  title: string;
  detail: string | null;
  time: string;
  color: boolean;
  columns: number;
}) {
  const widths = rowWidths(props.columns, props.title, props.detail);
  return (
    <Box flexShrink={0}>
      <Box width={2} flexShrink={0}>
        {props.mark}
      </Box>
      <Box width={3} flexShrink={0}>
        <Text>{props.number > 0 ? String(props.number) : ''}</Text>
      </Box>
      <Box width={widths.title} flexShrink={0}>
        <Text wrap="truncate-end">{props.title}</Text>
      </Box>
      {props.detail && widths.detail > 2 ? (
        <Box width={widths.detail} flexShrink={0} paddingLeft={2}>
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
  columns,
}: {
  step: SetupStepState;
  number: number;
  now: number;
  color: boolean;
  columns: number;
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
      columns={columns}
    />
  );
}

function UndoRow({
  step,
  number,
  now,
  color,
  columns,
}: {
  step: RollbackStepState;
  number: number;
  now: number;
  color: boolean;
  columns: number;
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
      columns={columns}
    />
  );
}
