/**
 * `plan` (read-only): the setup plan for a database kind, a target and an auth type, exactly as
 * `sc-doctor setup ... --dry-run` makes it (the doctor first, then every step with what it changes),
 * and a plan handle for `apply`: random, expiring, sealed with this process's key, bound to the
 * signed-in principal and to the digest of the plan and the world it was read from.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { summarize } from '../../core/run-checks.ts';
import { Interrupts } from '../../setup/interrupts.ts';
import { type PlanArguments, terminalCommand, validatePlan } from '../arguments.ts';
import { changingSteps } from '../consent-text.ts';
import type { McpContext } from '../context.ts';
import { refusal, structured } from '../results.ts';
import { planInput, planOutput } from '../schemas.ts';
import { randomId } from '../seal.ts';
import { runSetupFlow } from '../session-run.ts';
import { guarded } from '../tool-kit.ts';
import { type Principal, planDigest, principalOf } from '../world.ts';

/** How long a plan handle is accepted: long enough to read a plan, short enough that the world holds. */
export const PLAN_TTL_MS = 15 * 60_000;

/** What a plan handle carries (signed, not encrypted: no secret is in it). */
export interface PlanClaims {
  kind: 'plan';
  /** Random; a handle applies once. */
  id: string;
  expiresAt: number;
  /** The plan's arguments, validated again when it is applied. */
  args: PlanArguments;
  principal: Principal;
  /** `planDigest` of the plan and the world it was read from. */
  digest: string;
}

export function registerPlan(server: McpServer, context: McpContext): void {
  server.registerTool(
    'plan',
    {
      title: 'Plan a passwordless setup',
      description:
        'Reads the world (runs the doctor) and returns the setup plan for an app and a PostgreSQL flexible, MySQL ' +
        'flexible or Azure SQL database: every step, what it changes, the items that need explicit consent (⚠), ' +
        'and a plan handle. Changes nothing. Show the plan to the person; apply (when the server allows writes) takes ' +
        'the handle, checks the world has not changed and asks the person before any change.',
      inputSchema: planInput,
      outputSchema: planOutput,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    guarded(context, async (args: PlanArguments, ctx) => {
      const { request, options, words } = validatePlan(args, context.options, context.env);
      const command = terminalCommand(words, context.serverWords);
      const interrupts = new Interrupts();
      ctx.mcpReq.signal.addEventListener('abort', () => interrupts.interrupt(), { once: true });
      const outcome = await runSetupFlow(context, {
        request: { ...request, commandLine: command },
        options,
        gate: async () => false,
        interrupts,
      });
      if (outcome.kind === 'refused')
        return refusal(
          'sc-doctor will not plan this setup: the doctor found what setup cannot fix. Nothing was changed.',
          [
            ...outcome.reasons.map((reason) => `  ${reason}`),
            'The doctor tool shows every check with its remedy.',
          ],
        );
      if (outcome.kind !== 'planned') return refusal('The plan was not made; nothing was changed.');
      const principal = principalOf(outcome.doctor);
      if (!principal)
        return refusal('Nobody is signed in to Azure, so there is no plan to bind. Run az login first.');
      const claims: PlanClaims = {
        kind: 'plan',
        id: randomId(),
        expiresAt: context.now() + PLAN_TTL_MS,
        args,
        principal,
        digest: planDigest(words, outcome.plan, outcome.doctor),
      };
      const steps = outcome.plan.map((step) => ({
        id: step.id,
        title: step.title,
        resource: step.resource,
        after: step.after,
        lines: step.lines,
        consent: step.consent,
        alreadyDone: step.alreadyDone ?? null,
        readOnly: step.readOnly === true,
      }));
      const consentItems = outcome.plan.flatMap((step) =>
        step.consent ? [{ step: step.id, title: step.title, reason: step.consent }] : [],
      );
      const changes = changingSteps(outcome.plan).length;
      return structured(
        {
          handle: context.sealer.seal(claims),
          expiresAt: new Date(claims.expiresAt).toISOString(),
          title: outcome.title,
          kind: args.kind,
          steps,
          consentItems,
          changes,
          terminalCommand: command,
          doctor: summarize(outcome.doctor),
        },
        `Plan · ${outcome.title}: ${changes} change${changes === 1 ? '' : 's'}, ${consentItems.length} needing explicit consent.` +
          (context.settings.allowWrite
            ? ' Apply takes the handle and asks the person first.'
            : ' This server is read-only: run the terminal command to apply it.'),
      );
    }),
  );
}
