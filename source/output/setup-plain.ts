/**
 * `sc-doctor setup --plain`: the doctor's rows, then the plan, then one line per step as it ends
 * (`✔ 1  title  detail  4.1s`) with progress on stderr, then the rollback newest first, and a closing
 * line that names what is left and how to remove it. Append-only, never a prompt.
 */

import { summarize } from '../core/run-checks.ts';
import { summaryText } from '../core/status-display.ts';
import type { PlannedStepView } from '../engine/events.ts';
import type { RunEvent } from '../run/events.ts';
import type { FrontEnd } from '../run/front-end.ts';
import { snippetOfOutcome } from '../setup/connection-code.ts';
import type { SetupOutcome } from '../setup/flow-types.ts';
import { unfinishedNotice } from '../setup/offer-unfinished.ts';
import { setupOutcomeExitCode } from '../setup/outcome-exit.ts';
import {
  closingLinesOf,
  formatElapsed,
  leftToDoLines,
  type OutcomeLook,
  PLAN_FOOTER,
  ROLLBACK_LOOK,
  STEP_LOOK,
} from '../setup/wording.ts';
import { plainSnippet } from '../snippets/plain.ts';
import { clean, followDoctor, type PlainStyle } from './plain.ts';
import { paint, unicodeSupported } from './terminal.ts';

/** The plan as lines: numbered steps, consent marks, what each will change, and the promise. */
export function planLines(title: string, steps: readonly PlannedStepView[], style: PlainStyle): string[] {
  const warn = style.unicode ? '⚠' : '!';
  const done = style.unicode ? '✔' : '+';
  const lines = [`Plan · ${clean(title)}`];
  steps.forEach((step, index) => {
    const note = step.alreadyDone
      ? `  ${done} ${clean(step.alreadyDone)}`
      : step.consent
        ? `  ${warn} ${clean(step.consent)}`
        : '';
    lines.push(`  ${index + 1}  ${clean(step.title)}${note}`);
    for (const line of step.lines) lines.push(`       ${clean(line)}`);
  });
  lines.push(PLAN_FOOTER);
  return lines;
}

function mark(look: OutcomeLook, style: PlainStyle): string {
  return paint(style.unicode ? look.glyph : look.ascii, look.color, style.color);
}

/** A step still waiting says so at most this often in plain mode (real Azure polls every few seconds). */
export const STILL_WAITING_EVERY_MS = 10_000;

/** Turns setup events into lines; `number` finds a step's place in the plan. */
export class SetupLines {
  #order: string[] = [];
  #titles = new Map<string, string>();
  /** Per step (and per undo): the last detail printed and the step's elapsed time when it was. */
  #said = new Map<string, { detail: string; atMs: number }>();

  constructor(
    private readonly style: PlainStyle,
    private readonly out: (lines: string[]) => void,
    private readonly err: (line: string) => void,
  ) {}

  /** Numbers steps as the plan did (undo from a journal has no plan event). */
  setOrder(ids: readonly string[]): void {
    this.#order = [...ids];
  }

  number(id: string): number {
    return this.#order.indexOf(id) + 1;
  }

  /**
   * A progress line only when the detail changed; the same detail again (another poll of a
   * long-running operation) at most once per `STILL_WAITING_EVERY_MS`, as `still waiting (40s)`.
   */
  #progress(key: string, title: string, detail: string, elapsedMs: number): string | null {
    const said = this.#said.get(key);
    if (said?.detail !== detail) {
      this.#said.set(key, { detail, atMs: elapsedMs });
      return `${title}: ${detail}`;
    }
    if (elapsedMs - said.atMs < STILL_WAITING_EVERY_MS) return null;
    said.atMs = elapsedMs;
    return `${title}: still waiting (${Math.round(elapsedMs / 1000)}s)`;
  }

  handle(event: RunEvent): void {
    const { style } = this;
    const dots = style.unicode ? '…' : '...';
    switch (event.type) {
      case 'setup:unfinished':
        for (const run of event.runs) this.err(clean(unfinishedNotice(run)));
        return;
      case 'setup:refused':
        this.out([
          '',
          'Setup cannot start; nothing was changed:',
          ...event.reasons.map((r) => `  ${clean(r)}`),
        ]);
        return;
      case 'setup:plan':
        this.#order = event.steps.map((step) => step.id);
        this.out(['', ...planLines(event.title, event.steps, style)]);
        if (event.dryRun) this.out(['Dry run: nothing was changed. Run again without --dry-run to apply.']);
        return;
      case 'plan:ready':
        this.#order = event.steps.map((step) => step.id);
        this.out(['', `Applying (run ${event.runId})`]);
        return;
      case 'step:start':
        this.#titles.set(event.id, event.title);
        this.#said.delete(event.id);
        this.err(paint(`${dots} ${clean(event.title)}`, 'dim', style.color));
        return;
      case 'step:progress': {
        const title = this.#titles.get(event.id) ?? event.id;
        const line = this.#progress(event.id, clean(title), clean(event.detail), event.elapsedMs);
        if (line) this.err(paint(`${dots} ${line}`, 'dim', style.color));
        return;
      }
      case 'step:end': {
        const look = STEP_LOOK[event.outcome];
        const detail = event.outcome === 'applied' ? '' : look.word;
        const message = event.message ? `${detail ? ': ' : ''}${clean(event.message)}` : '';
        const tail = `${detail}${message}`;
        this.out([
          `${mark(look, style)} ${this.number(event.id)}  ${clean(event.title)}${tail ? `  ${tail}` : ''}  ${formatElapsed(event.elapsedMs)}`,
        ]);
        return;
      }
      case 'rollback:start':
        if (event.steps.length === 0) return;
        this.out([
          '',
          `${event.reason === 'cancelled' ? 'Cancelled' : event.reason === 'undo' ? 'Undoing' : 'Rolling back'}: undoing ${event.steps.length} change${event.steps.length === 1 ? '' : 's'}, newest first`,
        ]);
        return;
      case 'rollback:step-start':
        this.#titles.set(`undo:${event.id}`, event.title);
        this.#said.delete(`undo:${event.id}`);
        return;
      case 'rollback:progress': {
        const title = this.#titles.get(`undo:${event.id}`) ?? event.id;
        const line = this.#progress(
          `undo:${event.id}`,
          `undo ${clean(title)}`,
          clean(event.detail),
          event.elapsedMs,
        );
        if (line) this.err(paint(`${dots} ${line}`, 'dim', style.color));
        return;
      }
      case 'rollback:step-end': {
        const look = ROLLBACK_LOOK[event.outcome];
        const number = this.number(event.id);
        const reason = event.reason ? `: ${clean(event.reason)}` : '';
        this.out([
          `${mark(look, style)} ${number > 0 ? `${number}  ` : ''}${clean(event.title)}  ${look.word}${reason}  ${formatElapsed(event.elapsedMs)}`,
        ]);
        return;
      }
      default:
        return;
    }
  }
}

/** The closing lines for any setup outcome. */
export function outcomeLines(outcome: SetupOutcome, exitCode: number): string[] {
  const summary = `Doctor: ${summaryText(summarize(outcome.doctor)).replaceAll(' · ', ', ')}`;
  switch (outcome.kind) {
    case 'refused':
      return [summary, `Exit code ${exitCode}: setup did not start.`];
    case 'planned':
      return [`Exit code ${exitCode}: dry run.`];
    case 'declined':
      return ['Nothing was changed.', `Exit code ${exitCode}.`];
    case 'ran': {
      const snippet = snippetOfOutcome(outcome);
      const code = snippet
        ? ['', 'Connection code', '', ...plainSnippet(snippet).trimEnd().split('\n'), '']
        : [];
      const leftToDo = leftToDoLines(outcome.result, outcome.resume);
      return [
        ...closingLinesOf(outcome.result, outcome.plan),
        ...code,
        ...(leftToDo.length > 0 ? ['', ...leftToDo] : []),
        `Exit code ${exitCode}.`,
      ];
    }
  }
}

export function createSetupPlainFrontEnd(unicode: boolean): FrontEnd {
  return async (input) => {
    const style: PlainStyle = { color: input.color, unicode, verbose: input.verbose };
    const writeOut = (lines: string[]) => input.stdout.write(lines.map((line) => `${line}\n`).join(''));
    const lines = new SetupLines(style, writeOut, (line) => input.stderr.write(`${line}\n`));
    const stopDoctor = followDoctor(input.session.bus, style, writeOut, input.stderr);
    const stopSetup = input.session.bus.on((event) => lines.handle(event));
    let outcome: SetupOutcome;
    try {
      if (!input.session.setup) throw new Error('this session cannot run setup');
      outcome = await input.session.setup();
    } finally {
      stopDoctor();
      stopSetup();
    }
    const exitCode = setupOutcomeExitCode(outcome, input.cancel.signal.aborted);
    writeOut(['', ...outcomeLines(outcome, exitCode)]);
    return exitCode;
  };
}

export const runSetupPlain: FrontEnd = (input) =>
  createSetupPlainFrontEnd(unicodeSupported(process.env, process.platform))(input);
