/**
 * The interactive audit: live progress while the audit runs (pairs found, checked, failing, ETA), then
 * the pairs as a table grouped by verdict: type to filter, ↑↓ to move, enter to run that pair's full
 * doctor on the doctor's own screen (DoctorScreen and its reducer, fed by the checks' events), esc to
 * go back. The core runs outside; this component only renders the events it is given.
 */
import { Box, Text, useApp, useInput, useStdin, useWindowSize } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import type { PairResult } from '../../audit/check-pair.ts';
import type { PairPlan } from '../../audit/connections.ts';
import type { AppRow } from '../../audit/inventory.ts';
import type { AuditBusEvent } from '../../audit/types.ts';
import { VERDICT_GLYPHS, VERDICT_WORDS, VERDICTS, type Verdict } from '../../audit/verdict.ts';
import { durationWords, progressText } from '../../audit/words.ts';
import { EventBus } from '../../core/events.ts';
import { exitCodeFor } from '../../core/exit-codes.ts';
import { useCancelKey } from '../hooks/use-cancel-key.ts';
import { DoctorScreen } from '../screens/DoctorScreen.tsx';
import { doctorReducer, initialDoctorState } from '../state/doctor-state.ts';
import {
  type AuditRow,
  type AuditState,
  auditReducer,
  initialAuditState,
  visibleRows,
} from './audit-state.ts';
import type { AuditEventSource } from './event-source.ts';

export interface AuditAppProps {
  source: AuditEventSource;
  header: { tool: string; version: string };
  color: boolean;
  /** Runs one pair's checks again, emitting the doctor's events on `bus`. */
  recheck(app: AppRow, plan: PairPlan, bus: EventBus<AuditBusEvent>): Promise<PairResult>;
  /** The user left: with the exit code (130 while the audit still runs). */
  onQuit(code: number): void;
  size?: { columns: number; rows: number };
}

const COLORS: Record<Verdict, 'red' | 'magenta' | 'yellow' | 'green'> = {
  fail: 'red',
  unknown: 'magenta',
  warn: 'yellow',
  pass: 'green',
};
export const TABLE_HINTS = 'type to filter  ↑↓ move  enter doctor  esc clear filter / quit';
export const DETAIL_HINTS = '↑↓ move  enter details  esc back to the table';

export function AuditApp({ source, header, color, recheck, onQuit, size }: AuditAppProps) {
  const [state, dispatch] = useReducer(auditReducer, undefined, initialAuditState);
  useEffect(() => {
    const drain = () => {
      const batch = source.take();
      if (batch.length > 0) dispatch({ type: 'events', events: batch });
    };
    drain();
    return source.subscribe(drain);
  }, [source]);
  const [detail, setDetail] = useState<AuditRow | null>(null);
  const { isRawModeSupported } = useStdin();
  const terminal = useWindowSize();
  const { columns, rows } = size ?? terminal;
  const { exit } = useApp();
  const running = state.exitCode === null;
  const quit = useCallback(() => {
    onQuit(state.exitCode ?? exitCodeFor({ cancelled: true }));
    exit();
  }, [onQuit, exit, state.exitCode]);
  useCancelKey(quit, isRawModeSupported);
  // Without a keyboard nobody can leave the table: go once the results are in.
  useEffect(() => {
    if (!isRawModeSupported && !running) quit();
  }, [isRawModeSupported, running, quit]);

  useInput(
    (input, key) => {
      if (key.upArrow) dispatch({ type: 'move', delta: -1 });
      else if (key.downArrow) dispatch({ type: 'move', delta: 1 });
      else if (key.pageUp) dispatch({ type: 'move', delta: -(rows - 8) });
      else if (key.pageDown) dispatch({ type: 'move', delta: rows - 8 });
      else if (key.return) {
        const row = visibleRows(state)[state.selected];
        if (row) setDetail(row);
      } else if (key.escape) {
        if (state.filter) dispatch({ type: 'clear-filter' });
        else quit();
      } else if (key.backspace || key.delete) dispatch({ type: 'erase' });
      else if (input && !key.ctrl && !key.meta && !key.tab) dispatch({ type: 'type', text: input });
    },
    { isActive: isRawModeSupported && !running && detail === null },
  );
  useInput(
    (_input, key) => {
      if (key.escape) quit();
    },
    { isActive: isRawModeSupported && running },
  );

  if (detail)
    return (
      <PairDoctor
        row={detail}
        header={header}
        color={color}
        columns={columns}
        rows={rows}
        recheck={recheck}
        onBack={() => setDetail(null)}
        active={isRawModeSupported}
      />
    );
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold>{`${header.tool} ${header.version} · audit`}</Text>
      <ProgressLine state={state} color={color} />
      {state.phase === 'failed' && state.problem ? (
        <Box flexDirection="column">
          <Text color={color ? 'red' : undefined}>{state.problem.message}</Text>
          {state.problem.details.map((line) => (
            <Text key={line}>{`  ${line}`}</Text>
          ))}
        </Box>
      ) : null}
      {running ? (
        <RecentFailures state={state} color={color} />
      ) : (
        <Table state={state} color={color} height={rows - 6} columns={columns} />
      )}
      <Text dimColor={color}>{running ? 'esc stop' : TABLE_HINTS}</Text>
    </Box>
  );
}

function ProgressLine({ state, color }: { state: AuditState; color: boolean }) {
  if (state.phase === 'signin') return <Text dimColor={color}>signing in…</Text>;
  if (state.phase === 'discovery')
    return (
      <Text dimColor={color}>asking Resource Graph for apps, servers, private endpoints and identities…</Text>
    );
  const progress = state.progress;
  const summary = state.summary;
  if (summary)
    return (
      <Text>
        {`${summary.pairs} pairs from ${summary.apps.audited} apps and ${summary.servers} servers in ${durationWords(summary.durationMs)}: `}
        {VERDICTS.map((verdict) => `${summary.verdicts[verdict]} ${VERDICT_WORDS[verdict]}`).join(' · ')}
      </Text>
    );
  return <Text>{progress ? progressText(progress, true) : 'checking…'}</Text>;
}

function RecentFailures({ state, color }: { state: AuditState; color: boolean }) {
  const failing = state.rows.filter((row) => row.verdict === 'fail').slice(-5);
  return (
    <Box flexDirection="column">
      {failing.map((row) => (
        <Text key={`${row.app.key}|${row.database}`} color={color ? 'red' : undefined} wrap="truncate-end">
          {`${VERDICT_GLYPHS.fail} ${row.app.name} → ${row.database} · ${row.reason}`}
        </Text>
      ))}
    </Box>
  );
}

function Table({
  state,
  color,
  height,
  columns,
}: {
  state: AuditState;
  color: boolean;
  height: number;
  columns: number;
}) {
  const visible = visibleRows(state);
  const lines = Math.max(3, height - 2);
  const start = Math.max(0, Math.min(state.selected - Math.floor(lines / 2), visible.length - lines));
  const window = visible.slice(start, start + lines);
  const counts = useMemo(() => {
    const out: Record<Verdict, number> = { fail: 0, unknown: 0, warn: 0, pass: 0 };
    for (const row of visible) out[row.verdict] += 1;
    return out;
  }, [visible]);
  return (
    <Box flexDirection="column">
      <Text>
        {`filter: ${state.filter}_   `}
        {VERDICTS.map(
          (verdict) => `${VERDICT_GLYPHS[verdict]} ${VERDICT_WORDS[verdict]} ${counts[verdict]}`,
        ).join('  ')}
      </Text>
      {visible.length === 0 ? <Text dimColor={color}>no pair matches the filter</Text> : null}
      {window.map((row, offset) => {
        const index = start + offset;
        const previous = visible[index - 1];
        const heading = !previous || previous.verdict !== row.verdict;
        return (
          <Box key={`${row.app.key}|${row.database}`} flexDirection="column">
            {heading && offset > 0 ? (
              <Text
                bold
                color={color ? COLORS[row.verdict] : undefined}
              >{`${VERDICT_GLYPHS[row.verdict]} ${VERDICT_WORDS[row.verdict]}`}</Text>
            ) : null}
            <Text
              wrap="truncate-end"
              color={color ? COLORS[row.verdict] : undefined}
              bold={index === state.selected}
            >
              {`${index === state.selected ? '❯' : ' '} ${VERDICT_GLYPHS[row.verdict]} ${VERDICT_WORDS[row.verdict].padEnd(7)} ${row.app.name} → ${row.database}  ${row.reason}`.slice(
                0,
                columns * 2,
              )}
            </Text>
          </Box>
        );
      })}
      {start + lines < visible.length ? (
        <Text dimColor={color}>{`  ↓ ${visible.length - start - lines} more`}</Text>
      ) : null}
    </Box>
  );
}

/** One pair's full doctor: the doctor's screen, fed by a fresh run of the pair's checks. */
function PairDoctor({
  row,
  header,
  color,
  columns,
  rows,
  recheck,
  onBack,
  active,
}: {
  row: AuditRow;
  header: { tool: string; version: string };
  color: boolean;
  columns: number;
  rows: number;
  recheck: AuditAppProps['recheck'];
  onBack(): void;
  active: boolean;
}) {
  const [doctor, dispatch] = useReducer(doctorReducer, undefined, () => initialDoctorState());
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const bus = new EventBus<AuditBusEvent>();
    const off = bus.on((event) => dispatch({ type: 'event', event, at: Date.now() }));
    let stop = false;
    recheck(row.app, row.plan, bus).catch((error: unknown) => {
      if (!stop)
        dispatch({ type: 'run-failed', message: error instanceof Error ? error.message : String(error) });
    });
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => {
      stop = true;
      off();
      clearInterval(timer);
    };
  }, [row, recheck]);
  useInput(
    (input, key) => {
      if (key.escape || input === 'q') onBack();
      else if (key.upArrow) dispatch({ type: 'move', delta: -1 });
      else if (key.downArrow) dispatch({ type: 'move', delta: 1 });
      else if (key.return) dispatch({ type: 'toggle-details' });
    },
    { isActive: active },
  );
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold>{`${row.app.name} (${row.app.kind}, ${row.app.resourceGroup}) → ${row.database}`}</Text>
      <DoctorScreen
        state={doctor}
        header={{ ...header, command: 'audit · one pair' }}
        columns={columns}
        rows={rows - 1}
        now={now}
        color={color}
        final={false}
        hints={DETAIL_HINTS}
      />
    </Box>
  );
}
