/**
 * `sc-doctor audit` in a terminal: the Ink screen (AuditApp.tsx). Loaded only in
 * interactive mode. On the way out the summary is written to the scrollback as plain lines.
 */
import { render } from 'ink';
import type { AuditFrontEnd } from '../../audit/front-end.ts';
import { runAudit } from '../../audit/run-audit.ts';
import { summaryLines } from '../../audit/summary-lines.ts';
import type { AuditSummary } from '../../audit/types.ts';
import { exitCodeFor } from '../../core/exit-codes.ts';
import { AuditApp } from './AuditApp.tsx';
import { AuditEventSource } from './event-source.ts';

export const runAuditInteractive: AuditFrontEnd = async (input) => {
  const source = new AuditEventSource();
  const ended: { summary: AuditSummary | null; problem: { message: string; details: string[] } | null } = {
    summary: null,
    problem: null,
  };
  let quitWith: number | null = null;
  const run = runAudit(input.request, {
    services: input.services,
    signal: input.cancel.signal,
    onEvent(event) {
      if (event.type === 'audit:pair') input.report?.pair(event.pair);
      else if (event.type === 'audit:app') input.report?.app(event.entry);
      else if (event.type === 'audit:end') ended.summary = event.summary;
      else if (event.type === 'audit:failed') ended.problem = event.problem;
      source.push(event);
    },
  });
  const recheck: Parameters<typeof AuditApp>[0]['recheck'] = async (app, plan, bus) =>
    (await run).recheck(app, plan, bus);
  const stdout = input.stdout as NodeJS.WriteStream;
  const instance = render(
    <AuditApp
      source={source}
      header={input.header}
      color={input.color}
      recheck={recheck}
      onQuit={(code) => {
        quitWith = code;
      }}
    />,
    {
      stdout,
      interactive: stdout.isTTY === true,
      stderr: input.stderr as NodeJS.WriteStream,
      stdin: input.stdin ?? process.stdin,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  await instance.waitUntilExit();
  // Left while the audit ran: stop it (its reads end with the run's signal).
  const { summary, problem } = ended;
  if (summary === null && problem === null) input.cancel.abort(new Error('cancelled'));
  const finished = await run;
  if (input.cancel.signal.aborted && ended.summary === null) {
    input.report?.discard();
    return exitCodeFor({ cancelled: true });
  }
  input.report?.finish(summary, problem, finished.exitCode);
  const lines = summary ? summaryLines(summary, finished.exitCode) : problem ? [problem.message] : [];
  if (input.reportPath) lines.push(`Report: ${input.reportPath}`);
  if (lines.length > 0) stdout.write(`${lines.join('\n')}\n`);
  const cancelled = exitCodeFor({ cancelled: true });
  return quitWith === cancelled && summary === null ? cancelled : finished.exitCode;
};
