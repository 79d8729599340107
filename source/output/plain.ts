/**
 * The plain front-end (`--plain`, CI, pipes): append-only lines, never a redraw, never a prompt.
 * Progress goes to stderr as it happens; result rows go to stdout in the declared order of the
 * checks (a row waits for the rows above it), so two runs of the same doctor read the same.
 */
import type { CoreEvent, EventBus } from '../core/events.ts';
import { ExitCode, exitCodeFor } from '../core/exit-codes.ts';
import type { FrontEnd } from '../core/front-end.ts';
import { summarize } from '../core/run-checks.ts';
import { STATUS_LOOK, summaryText } from '../core/status-display.ts';
import type { CheckOutcome, CheckStatus, DoctorSummary } from '../core/types.ts';
import { paint, unicodeSupported } from './terminal.ts';

export interface PlainStyle {
  /** ANSI colour; when false the output holds no escape sequence at all. */
  color: boolean;
  /** Glyphs (✔ ⚠ ✖) and `…`; words are always there. */
  unicode: boolean;
  /** Details and remediation under every row, not only under the ones that did not pass. */
  verbose: boolean;
}

const WORD_WIDTH = Math.max(...Object.values(STATUS_LOOK).map((look) => look.word.length));

/** `✔ PASS   ` with a glyph only when colour and Unicode are both available; always the word. */
export function statusCell(status: CheckStatus, style: PlainStyle): string {
  const look = STATUS_LOOK[status];
  const glyph = style.color && style.unicode ? `${look.glyph} ` : '';
  return paint(`${glyph}${look.word.toUpperCase().padEnd(WORD_WIDTH)}`, look.color, style.color);
}

function cellWidth(style: PlainStyle): number {
  return WORD_WIDTH + (style.color && style.unicode ? 2 : 0);
}

/** The row of one finished check followed by its details and remediation when they are shown. */
export function resultLines(outcome: CheckOutcome, titleWidth: number, style: PlainStyle): string[] {
  const message = clean(outcome.message);
  const row = `${statusCell(outcome.status, style)} ${clean(outcome.title).padEnd(titleWidth)}${message ? `  ${message}` : ''}`;
  const lines = [row.trimEnd()];
  if (outcome.status === 'pass' && !style.verbose) return lines;
  const indent = ' '.repeat(cellWidth(style) + 1);
  for (const detail of outcome.details)
    lines.push(
      ...clean(detail)
        .split('\n')
        .map((line) => `${indent}${line}`),
    );
  const { remediation } = outcome;
  if (remediation) {
    lines.push(`${indent}fix: ${clean(remediation.summary)}`);
    for (const command of remediation.commands) {
      // The label is a comment line of its own: a pasted line never runs it, the terminal may wrap it.
      const platform = remediation.commandLabels?.[command];
      if (platform) lines.push(`${indent}  # ${clean(platform)}`);
      lines.push(`${indent}  ${clean(command)}`);
    }
    if (remediation.docsUrl) lines.push(`${indent}docs: ${clean(remediation.docsUrl)}`);
  }
  return lines;
}

/** A progress line for stderr, or undefined for events that have none. */
export function progressLine(event: CoreEvent, style: PlainStyle): string | undefined {
  const dots = style.unicode ? '…' : '...';
  if (event.type === 'check:start')
    return paint(`${dots} checking ${clean(event.title)}`, 'dim', style.color);
  if (event.type === 'check:slow') {
    if (event.detail)
      return paint(`${dots} ${clean(event.title)}: ${clean(event.detail)}`, 'dim', style.color);
    const seconds = Math.max(1, Math.round(event.elapsedMs / 1000));
    return paint(`${dots} ${clean(event.title)}: still running (${seconds}s)`, 'dim', style.color);
  }
  return undefined;
}

/** The summary line and a line that says what the exit code means. */
export function closingLines(
  summary: DoctorSummary,
  exitCode: number,
  strict: boolean,
  style: PlainStyle,
): string[] {
  const counts = summaryText(summary);
  const text = style.unicode ? counts : counts.replaceAll(' · ', ', ');
  return [`Summary: ${text}`, exitLine(summary, exitCode, strict)];
}

function exitLine(summary: DoctorSummary, exitCode: number, strict: boolean): string {
  if (exitCode === ExitCode.Cancelled) return 'Cancelled: exit code 130.';
  if (exitCode === 0) {
    return summary.warn > 0
      ? 'Exit code 0: warnings do not fail the run (add --strict to make them).'
      : 'Exit code 0: no check failed.';
  }
  if (summary.fail + summary.error + summary.timeout === 0 && strict) {
    return `Exit code ${exitCode}: warnings fail the run with --strict.`;
  }
  return `Exit code ${exitCode}: at least one check did not pass.`;
}

/** Drops control characters (escape sequences included) that a check may have copied from a tool. */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '');
}

/** Prints the rows of finished checks in declared order as soon as every row above them is known. */
class OrderedRows {
  #order: string[] = [];
  #titleWidth = 0;
  readonly #finished = new Map<string, CheckOutcome>();
  #next = 0;

  constructor(
    private readonly write: (lines: string[]) => void,
    private readonly style: PlainStyle,
  ) {}

  start(checks: readonly { id: string; title: string }[]): void {
    this.#order = checks.map((check) => check.id);
    this.#titleWidth = Math.max(0, ...checks.map((check) => clean(check.title).length));
  }

  finish(outcome: CheckOutcome): void {
    this.#finished.set(outcome.id, outcome);
    if (!this.#order.includes(outcome.id)) {
      this.write(resultLines(outcome, this.#titleWidth, this.style));
      return;
    }
    while (this.#next < this.#order.length && this.#finished.has(this.#order[this.#next]!)) {
      this.write(resultLines(this.#finished.get(this.#order[this.#next]!)!, this.#titleWidth, this.style));
      this.#next += 1;
    }
  }
}

/**
 * Prints the doctor's rows as they settle (stdout, declared order) and its progress (stderr); returns
 * the unsubscribe. The setup front-end uses it too: setup runs the doctor first.
 */
export function followDoctor(
  bus: EventBus,
  style: PlainStyle,
  writeOut: (lines: string[]) => void,
  stderr: NodeJS.WritableStream,
): () => void {
  const rows = new OrderedRows(writeOut, style);
  return bus.on((event) => {
    const progress = progressLine(event, style);
    if (progress) stderr.write(`${progress}\n`);
    if (event.type === 'doctor:start') rows.start(event.checks);
    if (event.type === 'check:end') rows.finish(event.outcome);
  });
}

/** The plain front-end with an explicit style (tests); `runPlain` derives the Unicode part itself. */
export function createPlainFrontEnd(unicode: boolean): FrontEnd {
  return async (input) => {
    const style: PlainStyle = { color: input.color, unicode, verbose: input.verbose };
    const writeOut = (lines: string[]) => input.stdout.write(lines.map((line) => `${line}\n`).join(''));
    const unsubscribe = followDoctor(input.session.bus, style, writeOut, input.stderr);
    let outcomes: CheckOutcome[];
    try {
      outcomes = await input.session.doctor();
    } finally {
      unsubscribe();
    }
    const summary = summarize(outcomes);
    const exitCode = exitCodeFor({
      doctor: summary,
      strict: input.strict,
      cancelled: input.cancel.signal.aborted,
    });
    writeOut(['', ...closingLines(summary, exitCode, input.strict, style)]);
    return exitCode;
  };
}

export const runPlain: FrontEnd = (input) =>
  createPlainFrontEnd(unicodeSupported(process.env, process.platform))(input);
