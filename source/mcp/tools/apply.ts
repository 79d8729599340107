/**
 * `apply` (destructive, listed only with `--allow-write`): applies a plan by its handle. In order:
 * the handle must be one this process sealed, unexpired and unused; the client must be able to ask
 * the person (else the refusal gives the terminal command that runs the same plan, unless the server
 * was started with `--dangerously-apply-without-consent`); the world is read again and the plan made
 * again, and a different digest or principal is refused; the person is asked (every step, every ⚠
 * item) and only an explicit accept goes on. Then the engine runs as `sc-doctor setup` runs it:
 * journalled, a progress notification per step, and the client's cancellation handled as Ctrl-C (the
 * first undoes what was applied, a second stops waiting).
 */
import type { McpServer } from '@modelcontextprotocol/server';
import type { CheckOutcome } from '../../core/types.ts';
import { jsonSetup } from '../../output/setup-json.ts';
import { setupExitCode } from '../../setup/engine.ts';
import type { PlannedStepView } from '../../setup/engine-events.ts';
import { Interrupts } from '../../setup/interrupts.ts';
import { terminalCommand, validatePlan } from '../arguments.ts';
import { askConsent, clientCanElicit, consentAnswer } from '../consent.ts';
import { applyConsentMessage, changingSteps } from '../consent-text.ts';
import type { McpContext } from '../context.ts';
import { refusal, structured } from '../results.ts';
import { applyOutput, handleInput } from '../schemas.ts';
import { runSetupFlow } from '../session-run.ts';
import { guarded, progressLine, progressReporter } from '../tool-kit.ts';
import { planDigest, principalOf } from '../world.ts';
import type { PlanClaims } from './plan.ts';

/** What the gate found when the flow reached "Apply this plan?". */
type Verdict =
  | { kind: 'go' }
  | { kind: 'spent' }
  | { kind: 'changed' }
  | { kind: 'principal' }
  | { kind: 'ask'; title: string; plan: PlannedStepView[] };

export function registerApply(server: McpServer, context: McpContext): void {
  server.registerTool(
    'apply',
    {
      title: 'Apply a setup plan (asks the person first)',
      description:
        'Applies a plan from the plan tool, by its handle. Reads the world again and refuses if it changed since the ' +
        'plan; asks the person through the client (every step and every ⚠ item) and proceeds only on their explicit ' +
        'accept. Changes Azure (Entra settings and admins, firewall rules, app identity and settings, database users); ' +
        'every change is journalled and undone if a step fails or the call is cancelled. Returns the run id (undo takes it).',
      inputSchema: handleInput,
      outputSchema: applyOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    guarded(context, async ({ handle }: { handle: string }, ctx) => {
      const unsealed = context.sealer.unseal<PlanClaims>(handle, 'plan');
      if (!unsealed.ok)
        return refusal(`This plan handle is refused: ${unsealed.problem}. Nothing was changed.`, [
          'Call plan again and apply the handle it returns.',
        ]);
      const claims = unsealed.claims;
      if (context.usedHandles.has(claims.id))
        return refusal('This plan handle was applied already; a handle applies once. Nothing was changed.', [
          'Call plan again for a new handle (a second identical setup writes nothing that is in place).',
        ]);
      const { request, options, words } = validatePlan(claims.args, context.options, context.env);
      const command = terminalCommand(words, context.serverWords);

      const canAsk = clientCanElicit(ctx, () => server.server.getClientCapabilities());
      if (!canAsk && !context.settings.applyWithoutConsent)
        return refusal(
          'This client cannot ask the person for consent (it declared no form elicitation), so sc-doctor will not change Azure from here. Nothing was changed.',
          ['Run the same plan in a terminal, where sc-doctor shows it and asks:', `  ${command}`],
        );

      const answer = consentAnswer(ctx, context, 'apply-consent', claims.id);
      if (answer.kind === 'invalid')
        return refusal(`${answer.problem}. Nothing was changed.`, ['Call apply again with the handle.']);
      if (answer.kind === 'no') return refusal(`Not applied: ${answer.why}. Nothing was changed.`);
      // A yes counts only for the digest it was given for; the server's flag stands in for a client that cannot ask.
      const consented = answer.kind === 'yes' || !canAsk;

      let verdict: Verdict | undefined;
      let plan: PlannedStepView[] = [];
      let title = '';
      let doctor: readonly CheckOutcome[] = [];
      const report = progressReporter(ctx, context);
      const interrupts = new Interrupts();
      ctx.mcpReq.signal.addEventListener('abort', () => interrupts.interrupt(), { once: true });
      const gate = async (): Promise<boolean> => {
        const principal = principalOf(doctor);
        if (
          principal?.objectId !== claims.principal.objectId ||
          principal.tenantId !== claims.principal.tenantId
        ) {
          verdict = { kind: 'principal' };
          return false;
        }
        if (planDigest(words, plan, doctor) !== claims.digest) {
          verdict = { kind: 'changed' };
          return false;
        }
        if (answer.kind === 'yes' && answer.claims.digest !== claims.digest) {
          verdict = { kind: 'changed' };
          return false;
        }
        if (!consented) {
          verdict = { kind: 'ask', title, plan };
          return false;
        }
        // Another call with the same handle got here first (the journal's lock would stop it too).
        if (context.usedHandles.has(claims.id)) {
          verdict = { kind: 'spent' };
          return false;
        }
        // From here the handle is spent: the engine starts and the run is journalled.
        context.usedHandles.add(claims.id);
        verdict = { kind: 'go' };
        report(`consent given; applying ${changingSteps(plan).length} changes`);
        return true;
      };
      const run = runSetupFlow(context, {
        request: { ...request, yes: false, dryRun: false, commandLine: command },
        options,
        gate,
        interrupts,
        onEvent: (event) => {
          if (event.type === 'doctor:end') doctor = event.outcomes;
          if (event.type === 'setup:plan') {
            plan = event.steps;
            title = event.title;
          }
          const line = progressLine(event);
          if (line) report(line);
        },
      });
      // A shutdown (stdin closed, SIGTERM) interrupts this run like Ctrl-C and waits for its rollback.
      const outcome = await context.work.track(run, interrupts);

      if (outcome.kind === 'refused')
        return refusal(
          'Not applied: the doctor now finds what setup cannot fix, so the world changed since the plan. Nothing was changed.',
          [...outcome.reasons.map((reason) => `  ${reason}`)],
        );
      if (outcome.kind === 'declined' || outcome.kind === 'planned') {
        const found = verdict as Verdict | undefined;
        if (found?.kind === 'ask')
          return askConsent(
            context,
            { kind: 'apply-consent', subject: claims.id, digest: claims.digest },
            applyConsentMessage(found.title, found.plan),
            `Apply these ${changingSteps(found.plan).length} changes to Azure`,
          );
        if (found?.kind === 'spent')
          return refusal('This plan handle was applied already; a handle applies once. Nothing was changed.');
        if (found?.kind === 'principal')
          return refusal(
            'Not applied: someone else is signed in to Azure than when the plan was made. Nothing was changed.',
            ['Call plan again as the person who will apply it.'],
          );
        return refusal(
          'Not applied: the world changed since the plan (Azure, the plan or the doctor’s findings differ). Nothing was changed.',
          ['Call plan again, show the person the new plan, and apply its handle.'],
        );
      }
      const { result } = outcome;
      if (outcome.connection) context.connections.set(result.runId, outcome.connection);
      const setup = jsonSetup(outcome);
      const value = {
        runId: result.runId,
        status: result.status,
        exitCode: setupExitCode(result.status, result.cancelled),
        title: outcome.title,
        steps: setup.steps,
        notDone: setup.notDone,
        handedOff: setup.handedOff,
        resume: setup.resume,
        rollback: setup.rollback,
        connectionCode:
          outcome.connection !== undefined &&
          (result.status === 'succeeded' || result.status === 'handed-off'),
      };
      return structured(value, `Run ${result.runId}: ${result.status}.`);
    }),
  );
}
