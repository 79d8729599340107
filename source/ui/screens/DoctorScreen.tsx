import { Box, Text } from 'ink';
import { CheckRow } from '../components/CheckRow.tsx';
import { Header } from '../components/Header.tsx';
import { DOCTOR_KEY_HINTS, KeyHints } from '../components/KeyHints.tsx';
import { Summary } from '../components/Summary.tsx';
import { countRows, type DoctorState, outcomeById } from '../state/doctor-state.ts';
import { rowHeight, rowLayout, visibleRows } from '../state/viewport.ts';

export interface DoctorScreenProps {
  state: DoctorState;
  header: { tool: string; version: string; command: string };
  /** Terminal size; the live region stays at least one line shorter than `rows`. */
  columns: number;
  rows: number;
  /** UI clock for elapsed times. */
  now: number;
  color: boolean;
  /**
   * The last frame, left in scrollback after exit: every row, no selection marker, no key hints
   * (they would be a lie once the program has ended).
   */
  final: boolean;
  /** `s setup` is offered (a setup can start from here). */
  canSetup?: boolean;
  /** The key hints of a screen that shows the doctor inside another (the audit's one-pair view). */
  hints?: string;
}

/** Screen 1 of screens.md: header, one row per check in declared order, summary, key hints. */
export function DoctorScreen({
  state,
  header,
  columns,
  rows,
  now,
  color,
  final,
  canSetup = false,
  hints,
}: DoctorScreenProps) {
  const layout = rowLayout(
    columns,
    state.rows.map((row) => row.title),
  );
  const signin = outcomeById(state, 'signin')?.data ?? null;
  const subscription = outcomeById(state, 'subscription')?.data ?? null;
  const { summary, running, waiting } = countRows(state);

  // header (1-2) + blank + blank + summary + hints, and one spare line so the frame never fills the screen.
  const fixed = (subscription ? 2 : 1) + 3 + (final ? 0 : 1) + 1;
  const window = final
    ? { start: 0, end: state.rows.length, height: null, cut: false }
    : visibleRows(
        state.rows.map((row) => rowHeight(row, layout)),
        state.selected,
        rows - fixed,
      );
  const above = window.start;
  const below = state.rows.length - window.end;

  return (
    <Box flexDirection="column" width={columns}>
      <Header {...header} signin={signin} subscription={subscription} />
      <Text> </Text>
      {above > 0 ? <Text dimColor={color}>{`  ↑ ${above} more above`}</Text> : null}
      {/* A fixed height with hidden overflow is the hard cap; the estimate only picks the rows. */}
      <Box flexDirection="column" height={window.height ?? undefined} overflow="hidden">
        {state.rows.slice(window.start, window.end).map((row, offset) => (
          <CheckRow
            key={row.id}
            row={row}
            layout={layout}
            selected={!final && window.start + offset === state.selected}
            now={now}
            color={color}
            cancelled={state.cancelled}
            final={final}
          />
        ))}
      </Box>
      {below > 0 || window.cut ? (
        <Text dimColor={color}>{below > 0 ? `  ↓ ${below} more below` : '  ↓ more below'}</Text>
      ) : null}
      <Text> </Text>
      <Summary
        summary={summary}
        running={running}
        waiting={waiting}
        cancelled={state.cancelled}
        runError={state.runError}
        usageHints={state.usageHints}
        color={color}
        starting={state.rows.length === 0 && !state.finished}
      />
      {final ? null : (
        <KeyHints
          hints={
            hints ?? (canSetup ? DOCTOR_KEY_HINTS.replace(' q quit', ' s setup  q quit') : DOCTOR_KEY_HINTS)
          }
          color={color}
        />
      )}
    </Box>
  );
}
