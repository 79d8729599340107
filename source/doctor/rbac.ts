/**
 * `rbac`: can the signed-in caller do everything setup will do? Evaluated from the caller's effective
 * permissions on the server, on the app and on each of its user-assigned identities. A missing action
 * blocks setup (only someone who can assign roles can fix it); a permissions list that cannot be read
 * is "cannot evaluate", never "missing".
 */
import { listPermissions, missingActions } from '../azure/permissions.ts';
import { lastSegment, resourceGroupIdOf } from '../azure/resource-id.ts';
import type { CheckResult } from '../core/types.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import type { DoctorCheck, DoctorContext } from './check.ts';
import { factsOf } from './facts.ts';
import { appFactsOf, serverFactsOf } from './facts-of.ts';
import { roleAssignmentCommand } from './remedy-commands.ts';
import { ASSIGN_IDENTITY, appActions, type NeededAction, serverActions } from './setup-actions.ts';

/** The prefix of the Service Connector actions (the link itself). */
const LINKER_ACTIONS = 'Microsoft.ServiceLinker/';

/** One scope evaluated: what was needed there and what came back. */
interface ScopeVerdict {
  label: string;
  scope: string;
  needed: NeededAction[];
  /** Missing actions, or null when the permissions list could not be read. */
  missing: NeededAction[] | null;
  unreadable?: string;
}

export const rbacCheck: DoctorCheck = {
  id: 'rbac',
  title: 'Permissions (RBAC)',
  needs: ['signin'],
  phase: 'target',
  // Without an app (or when the app check failed) the server part is still worth evaluating; and a
  // server Azure refuses to show is exactly when the missing permissions must be named.
  wants: ['server', 'app-identity'],
  async run(ctx): Promise<CheckResult> {
    const plans = serverPlans(ctx);
    if (!plans) return { status: 'skip', message: 'no database server to evaluate' };
    const app = appFactsOf(ctx);

    if (app) {
      plans.push({ label: `app ${app.name}`, scope: app.id, needed: appActions(app.kind, app) });
      // Only a request that carries a user-assigned identity needs assign/action on it: setup writes the
      // app's identity only to switch the system-assigned one on, and that request re-sends the
      // user-assigned ones the app keeps. With the system identity on, none is involved.
      const involved = app.systemIdentity ? [] : app.userIdentities;
      for (const identity of involved) {
        plans.push({
          label: `identity ${lastSegment(identity.id)}`,
          scope: identity.id,
          needed: [ASSIGN_IDENTITY],
        });
      }
    }
    const verdicts = await Promise.all(plans.map((plan) => evaluate(ctx, plan)));
    const data = {
      scopes: verdicts.map((v) => ({
        scope: v.scope,
        evaluated: v.missing !== null,
        missing: v.missing?.map((m) => m.action) ?? [],
      })),
    };
    const appOutcome = ctx.outcomeOf('app-identity');
    const appNote = app
      ? []
      : [
          appOutcome && appOutcome.status !== 'skip'
            ? 'The app could not be read: only the server part was evaluated.'
            : 'No app chosen: only the server part was evaluated.',
        ];
    const caveat = 'Deny assignments and role-assignment conditions are not evaluated.';

    const missing = verdicts.filter((v) => v.missing && v.missing.length > 0);
    if (missing.length > 0) {
      const lines = missing.flatMap((v) => [
        `missing on ${v.label}:`,
        ...v.missing!.map((m) => `  ${m.action} (${m.why})`),
      ]);
      const grants = roleSuggestions(missing);
      const signIn = await ctx.services.azure.signIn();
      const assignee = (signIn.ok && signIn.identity.objectId) || '<your-object-id>';
      const count = missing.reduce((n, v) => n + v.missing!.length, 0);
      // Service Connector's link is the one part setup can do without: --no-linker writes the settings.
      const linkerOnly = missing.every((v) => v.missing!.every((m) => m.action.startsWith(LINKER_ACTIONS)));
      if (linkerOnly) {
        return {
          status: 'warn',
          message: `${count} Service Connector action${count === 1 ? '' : 's'} missing on ${missing.map((v) => v.label).join(', ')}`,
          details: [...lines, ...unreadableLines(verdicts), ...appNote, caveat],
          remediation: {
            summary: `Run setup with --no-linker (it writes the app settings itself, without a Service Connector link), or ask an Owner or User Access Administrator for ${grants.map((g) => g.words).join(', ')}.`,
            commands: grants.map((g) => roleAssignmentCommand(assignee, g.role, g.scope)),
            fixable: false,
          },
          data,
        };
      }
      return {
        status: 'fail',
        message: `${count} action${count === 1 ? '' : 's'} missing on ${missing.map((v) => v.label).join(', ')}`,
        details: [...lines, ...unreadableLines(verdicts), ...appNote, caveat],
        remediation: {
          summary: `Ask an Owner or User Access Administrator for ${grants.map((g) => g.words).join(', ')}.`,
          commands: grants.map((g) => roleAssignmentCommand(assignee, g.role, g.scope)),
          fixable: false,
        },
        blocking: true,
        data,
      };
    }
    const unreadable = verdicts.filter((v) => v.missing === null);
    if (unreadable.length > 0) {
      return {
        status: 'warn',
        message: `cannot evaluate permissions on ${unreadable.map((v) => v.label).join(', ')}`,
        details: [...unreadableLines(verdicts), ...appNote, caveat],
        remediation: {
          summary:
            'Ask for Reader (any role with Microsoft.Authorization/permissions/read) to have your permissions evaluated; otherwise setup finds out when it acts.',
          commands: [],
          fixable: false,
        },
        data,
      };
    }
    const total = verdicts.reduce((n, v) => n + v.needed.length, 0);
    return {
      status: 'pass',
      message: `all ${total} actions setup needs are allowed`,
      details: [
        ...verdicts.map(
          (v) => `${v.label}: ${v.needed.length} action${v.needed.length === 1 ? '' : 's'} allowed`,
        ),
        ...appNote,
        caveat,
      ],
      data,
    };
  },
};

/**
 * What to evaluate for the server: its own actions at its id, or, when the `server` check was refused
 * the server (403), the actions of each type it could not read (reading first among them) at the
 * scope that refused: the permissions list answers there even when the resources cannot be read.
 */
function serverPlans(ctx: DoctorContext): Omit<ScopeVerdict, 'missing'>[] | null {
  const server = serverFactsOf(ctx);
  if (server)
    return [{ label: `server ${server.name}`, scope: server.id, needed: serverActions(server.kind, server) }];
  const unreadable = factsOf(ctx, 'server')?.unreadable;
  if (!unreadable) return null;
  return unreadable.kinds.map((kind) => ({
    label: `${unreadable.kinds.length > 1 ? `${descriptorOf(kind).label} ` : 'server '}${unreadable.name}`,
    scope: unreadable.scope,
    needed: serverActions(kind),
  }));
}

async function evaluate(ctx: DoctorContext, plan: Omit<ScopeVerdict, 'missing'>): Promise<ScopeVerdict> {
  const answer = await listPermissions(ctx.services.azure, plan.scope, ctx.signal);
  if (!answer.ok) {
    return { ...plan, missing: null, unreadable: `${answer.status}${answer.code ? ` ${answer.code}` : ''}` };
  }
  const missing = new Set(
    missingActions(
      answer.entries,
      plan.needed.map((n) => n.action),
    ),
  );
  return { ...plan, missing: plan.needed.filter((n) => missing.has(n.action)) };
}

function unreadableLines(verdicts: ScopeVerdict[]): string[] {
  return verdicts
    .filter((v) => v.missing === null)
    .map((v) => `cannot read your permissions on ${v.label} (${v.unreadable}): not evaluated`);
}

/**
 * One role per scope, then only what is not already covered: Contributor on a resource group grants
 * every action these checks ask for on anything inside it (it only lacks role assignment itself).
 */
function roleSuggestions(missing: ScopeVerdict[]): { role: string; scope: string; words: string }[] {
  const out: { role: string; scope: string; words: string }[] = [];
  for (const verdict of missing) {
    const roles = new Set(verdict.missing!.map((m) => m.role));
    const role = roles.has('Contributor') ? 'Contributor' : [...roles][0]!;
    const isIdentity = verdict.missing!.every((m) => m.action === ASSIGN_IDENTITY.action);
    const scope = isIdentity ? verdict.scope : (resourceGroupIdOf(verdict.scope) ?? verdict.scope);
    if (out.some((o) => o.role === role && o.scope.toLowerCase() === scope.toLowerCase())) continue;
    out.push({ role, scope, words: `${role} on ${lastSegment(scope)}` });
  }
  const contributorScopes = out.filter((o) => o.role === 'Contributor').map((o) => o.scope.toLowerCase());
  return out.filter(
    (o) =>
      o.role === 'Contributor' ||
      !contributorScopes.some(
        (c) => o.scope.toLowerCase() === c || o.scope.toLowerCase().startsWith(`${c}/`),
      ),
  );
}
