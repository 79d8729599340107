/**
 * `sc-doctor audit` in a terminal: the Ink screen (source/audit/ui/AuditApp.tsx). Loaded only in
 * interactive mode. On the way out the summary is written to the scrollback as plain lines.
 */
import { render } from 'ink';
import { runAudit } from '../run-audit.ts';
import type { AuditSummary } from '../types.ts';
import { AuditApp } from '../ui/AuditApp.tsx';
import { AuditEventSource } from '../ui/event-source.ts';
import type { AuditFrontEnd } from './input.ts';
import { summaryLines } from './plain.ts';

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
    return 130;
  }
  input.report?.finish(summary, problem, finished.exitCode);
  const lines = summary ? summaryLines(summary, finished.exitCode) : problem ? [problem.message] : [];
  if (input.reportPath) lines.push(`Report: ${input.reportPath}`);
  if (lines.length > 0) stdout.write(`${lines.join('\n')}\n`);
  return quitWith === 130 && summary === null ? 130 : finished.exitCode;
};
