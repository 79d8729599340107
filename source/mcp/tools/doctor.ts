/**
 * `doctor` (read-only): the checks for this machine, the account and, given a target, the app and
 * server pair. Its structured result is `sc-doctor doctor --json`'s document, field for field.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { TOOL_NAME, toolVersion } from '../../cli/version.ts';
import { exitCodeFor } from '../../core/exit-codes.ts';
import { summarize } from '../../core/run-checks.ts';
import { jsonDocument } from '../../output/json.ts';
import { type DoctorArguments, doctorWords, optionsFor } from '../arguments.ts';
import type { McpContext } from '../context.ts';
import { structured } from '../results.ts';
import { doctorInput, doctorOutput } from '../schemas.ts';
import { runDoctorChecks } from '../session-run.ts';
import { guarded } from '../tool-kit.ts';

export function registerDoctor(server: McpServer, context: McpContext): void {
  server.registerTool(
    'doctor',
    {
      title: 'Diagnose a passwordless database connection',
      description:
        "Runs sc-doctor's checks: the Azure CLI and sign-in, the subscription and, given an app and a server, " +
        'network path, firewall, RBAC, Entra configuration, the app identity and its settings. Changes nothing. ' +
        'The result is the same JSON document as `sc-doctor doctor --json`; each failing check carries its remedy.',
      inputSchema: doctorInput,
      outputSchema: doctorOutput,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    guarded(context, async (args: DoctorArguments, ctx) => {
      const options = optionsFor(doctorWords(args), context.options, context.env);
      const outcomes = await runDoctorChecks(context, options, ctx.mcpReq.signal);
      const summary = summarize(outcomes);
      const exitCode = exitCodeFor({ doctor: summary, cancelled: ctx.mcpReq.signal.aborted });
      const document = jsonDocument(
        { tool: TOOL_NAME, version: toolVersion(), command: 'doctor' },
        outcomes,
        exitCode,
      );
      const failing = document.doctor.checks.filter(
        (check) => check.status !== 'pass' && check.status !== 'skip',
      );
      return structured(
        document as unknown as Record<string, unknown>,
        `${summary.pass} passed, ${summary.warn} warnings, ${summary.fail + summary.error + summary.timeout} failed` +
          (failing.length > 0
            ? `: ${failing.map((check) => `${check.id} (${check.status})`).join(', ')}`
            : ''),
      );
    }),
  );
}
