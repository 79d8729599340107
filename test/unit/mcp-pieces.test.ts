/**
 * The pieces of `sc-doctor mcp` that decide what may happen: sealed handles (an edited, foreign,
 * expired or misused token is refused), the world digest (stable for the same world, different for a
 * changed one), tool arguments validated exactly as the CLI validates flags (no name can smuggle SQL
 * or shell words), the prompter (nothing is asked; only the gate answers the plan), the consent
 * wording (every step and every ⚠ item) and the last-line secret scrub.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandLine } from '../../source/core/command-line.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import { UsageError } from '../../source/core/usage-error.ts';
import { type PlanArguments, setupWords, terminalCommand, validatePlan } from '../../source/mcp/arguments.ts';
import { mcpSettingsFrom } from '../../source/mcp/command.ts';
import { applyConsentMessage, changingSteps } from '../../source/mcp/consent-text.ts';
import { mcpPrompter } from '../../source/mcp/prompter.ts';
import { scrubSecrets } from '../../source/mcp/results.ts';
import { Sealer } from '../../source/mcp/seal.ts';
import { canonicalJson, planDigest, principalOf } from '../../source/mcp/world.ts';
import type { PlannedStepView } from '../../source/setup/engine-events.ts';
import { PLAN_QUESTION_ID } from '../../source/setup/plan-question.ts';

test('a sealed token comes back only as it was made, by the same sealer, for its kind, before it expires', () => {
  let now = 1_000;
  const sealer = new Sealer({ now: () => now });
  const token = sealer.seal({ kind: 'plan', expiresAt: 2_000, id: 'abc' });
  assert.deepEqual(sealer.unseal(token, 'plan'), {
    ok: true,
    claims: { kind: 'plan', expiresAt: 2_000, id: 'abc' },
  });

  const [body, mac] = token.split('.');
  const edited = Buffer.from(JSON.stringify({ kind: 'plan', expiresAt: 9_999_999, id: 'abc' })).toString(
    'base64url',
  );
  assert.match(
    String((sealer.unseal(`${edited}.${mac}`, 'plan') as { problem: string }).problem),
    /not made by this server/,
  );
  assert.equal(sealer.unseal(`${body}.${mac}x`, 'plan').ok, false);
  assert.equal(sealer.unseal(`${body}`, 'plan').ok, false);
  assert.equal(sealer.unseal(42, 'plan').ok, false);
  assert.match(
    String((sealer.unseal(token, 'apply-consent') as { problem: string }).problem),
    /plan token, not a apply-consent/,
  );
  assert.match(
    String((new Sealer().unseal(token, 'plan') as { problem: string }).problem),
    /not made by this server/,
  );
  now = 2_001;
  assert.match(String((sealer.unseal(token, 'plan') as { problem: string }).problem), /expired/);
});

function outcome(
  id: string,
  status: CheckOutcome['status'],
  data: Record<string, unknown> = {},
): CheckOutcome {
  return {
    id,
    title: id,
    status,
    durationMs: 12,
    message: `${id} message`,
    details: [],
    remediation: null,
    data,
    blocking: false,
  };
}

const SERVER = {
  kind: 'postgres',
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg',
  name: 'pg',
  authConfig: { activeDirectoryAuth: 'Disabled', passwordAuth: 'Enabled' },
};
const doctorOf = (auth = 'Disabled', durationMs = 12): CheckOutcome[] => [
  {
    ...outcome('signin', 'pass', { objectId: 'dana-oid', user: 'dana@contoso', tenantId: 't1' }),
    durationMs,
  },
  outcome('server', 'pass', {
    server: { ...SERVER, authConfig: { ...SERVER.authConfig, activeDirectoryAuth: auth } },
  }),
];
const STEPS: PlannedStepView[] = [
  {
    id: 'entra-auth',
    title: 'Entra authentication',
    resource: 'pg',
    after: [],
    lines: ['turn it on'],
    consent: null,
  },
  {
    id: 'entra-admin',
    title: 'Entra admin',
    resource: 'pg',
    after: ['entra-auth'],
    lines: ['make Dana admin'],
    consent: 'replaces the admin Avery',
  },
  {
    id: 'app-identity',
    title: 'App identity',
    resource: 'app',
    after: [],
    lines: ['on'],
    consent: null,
    alreadyDone: 'already on',
  },
  {
    id: 'verify',
    title: 'Check',
    resource: 'pg',
    after: ['entra-admin'],
    lines: ['log in'],
    consent: null,
    readOnly: true,
  },
];

test('the plan digest: the same world a minute later gives the same digest; a changed fact or plan does not', () => {
  const words = ['setup', 'postgres'];
  const first = planDigest(words, STEPS, doctorOf());
  assert.equal(planDigest(words, STEPS, doctorOf('Disabled', 9_999)), first, 'durations are not the world');
  assert.notEqual(planDigest(words, STEPS, doctorOf('Enabled')), first, 'Entra turned on is a changed world');
  assert.notEqual(planDigest(words, STEPS.slice(1), doctorOf()), first);
  assert.notEqual(planDigest(['setup', 'mysql'], STEPS, doctorOf()), first);
  assert.deepEqual(principalOf(doctorOf()), { objectId: 'dana-oid', tenantId: 't1' });
  assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), '{"a":{"c":3,"d":2},"b":1}');
});

const PLAN: PlanArguments = {
  kind: 'postgres',
  resourceGroup: 'rg-orders',
  app: 'orders-api',
  target: 'webapp',
  server: 'pg-orders',
  database: 'orders',
  auth: 'user-identity',
  clientId: '1b2c3d4e-0000-4000-8000-000000000001',
  clientType: 'nodejs',
};

test('plan arguments are the setup command line, validated by the CLI, and printed for a terminal with commandLine', () => {
  const { request, words } = validatePlan(PLAN, { verbose: false, target: {} }, {});
  assert.deepEqual(request.auth, { kind: 'user', clientId: '1b2c3d4e-0000-4000-8000-000000000001' });
  assert.equal(request.dryRun, true);
  assert.equal(request.yes, false);
  assert.deepEqual(words, setupWords(PLAN));
  assert.equal(
    terminalCommand(words, ['--cloud', 'AzureUSGovernment']),
    commandLine(['sc-doctor', ...words, '--cloud', 'AzureUSGovernment']),
  );
  assert.match(
    terminalCommand(words, []),
    /^sc-doctor setup postgres .* --user-identity client-id=1b2c3d4e-\S+ --client-type nodejs$/,
  );
});

test('no argument smuggles SQL, a flag or shell words past the CLI’s own rules; nothing runs', () => {
  const refused = (args: Partial<PlanArguments>) =>
    assert.throws(() => validatePlan({ ...PLAN, ...args }, { verbose: false, target: {} }, {}), UsageError);
  refused({ database: "orders'; drop table users; --" });
  refused({ server: 'pg-orders; rm -rf ~' });
  refused({ dbUser: 'x'.repeat(64) });
  refused({ clientId: 'not-a-guid' });
  refused({ app: undefined, sourceId: undefined });
  // A value starting with a dash is a value, never a flag (it is checked like any other name).
  const { words } = validatePlan({ ...PLAN, database: '-orders' }, { verbose: false, target: {} }, {});
  assert.ok(words.includes('--database=-orders'));
});

test('mcp flags: --dangerously-apply-without-consent needs --allow-write; --json and --plain are refused', () => {
  assert.deepEqual(mcpSettingsFrom({ flags: new Map() }), { allowWrite: false, applyWithoutConsent: false });
  assert.deepEqual(mcpSettingsFrom({ flags: new Map([['allow-write', true]]) }), {
    allowWrite: true,
    applyWithoutConsent: false,
  });
  assert.throws(
    () => mcpSettingsFrom({ flags: new Map([['dangerously-apply-without-consent', true]]) }),
    /only means something with --allow-write/,
  );
  assert.throws(() => mcpSettingsFrom({ flags: new Map([['json', true]]) }), /not for sc-doctor mcp/);
});

test('the MCP prompter asks nobody: the gate answers the plan, step consents follow it, other questions name their argument', async () => {
  let gateAnswer = false;
  const prompter = mcpPrompter(async () => gateAnswer);
  assert.equal(prompter.interactive, false);
  const consent = { message: 'Entra admin: replaces Avery. Go ahead?', flag: '--yes' };
  assert.equal(
    await prompter.confirm({ id: PLAN_QUESTION_ID, message: 'Apply this plan?', flag: '--yes' }),
    false,
  );
  assert.equal(await prompter.confirm(consent), false, 'no step consent without the plan’s yes');
  gateAnswer = true;
  assert.equal(
    await prompter.confirm({ id: PLAN_QUESTION_ID, message: 'Apply this plan?', flag: '--yes' }),
    true,
  );
  assert.equal(await prompter.confirm(consent), true);
  const hinted = (hint: RegExp) => (error: UsageError) => error.hints.some((line) => hint.test(line));
  await assert.rejects(
    prompter.pick({ message: 'Which container?', flag: '--container', choices: [] }),
    hinted(/Give the argument container/),
  );
  await assert.rejects(
    prompter.secret({ message: 'Password of pgadmin', flag: 'SC_DOCTOR_PG_OWNER_PASSWORD (environment)' }),
    hinted(/Set SC_DOCTOR_PG_OWNER_PASSWORD \(environment\) for the server/),
  );
});

test('the consent question lists every step, what is already done, and every ⚠ item with its reason', () => {
  const message = applyConsentMessage('orders-api → pg/orders · system identity', STEPS);
  assert.match(message, /orders-api → pg\/orders/);
  assert.match(message, /^2 changes,/m);
  for (const step of STEPS) assert.ok(message.includes(step.title));
  assert.match(message, /App identity · app \(already done: already on\)/);
  assert.match(message, /Check · pg \(check only\)/);
  assert.match(message, /^⚠ Entra admin: replaces the admin Avery$/m);
  assert.deepEqual(
    changingSteps(STEPS).map((step) => step.id),
    ['entra-auth', 'entra-admin'],
  );
});

test('the last look at every result: held secrets and token-shaped text are replaced wherever they are', () => {
  const env = {
    SC_DOCTOR_APP_CLIENT_SECRET: 'app-secret-123',
    SC_DOCTOR_PG_OWNER_PASSWORD: 'Owner-Pw-1',
    AZURE_CLIENT_SECRET: 'op-secret-9',
  };
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiJ4In0.c2lnbmF0dXJl';
  const scrubbed = scrubSecrets(
    {
      content: [
        {
          type: 'text',
          text: `failed: app-secret-123 / Owner-Pw-1 / ${jwt} / Bearer abcdefghijklmnopqrstuvwxyz`,
        },
      ],
      list: ['op-secret-9'],
      n: 3,
    },
    env,
  );
  const text = JSON.stringify(scrubbed);
  for (const secret of [...Object.values(env), jwt, 'abcdefghijklmnopqrstuvwxyz'])
    assert.ok(!text.includes(secret), secret);
  assert.equal(scrubbed.n, 3);
});
