/**
 * The app's service-principal secret: `SC_DOCTOR_APP_CLIENT_SECRET` or a masked prompt, never
 * `AZURE_CLIENT_SECRET` (the operator's own sign-in), and never the same secret as that one. Both
 * where the steps read it (`servicePrincipalSecret`) and where the setup flow asks for it before the
 * plan (a session whose doctor is fake).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Prompter } from '../../source/core/prompter.ts';
import { refusingPrompter } from '../../source/core/prompter.ts';
import type { Services } from '../../source/core/services.ts';
import { UsageError } from '../../source/core/usage-error.ts';
import { SP_SECRET_ENV, servicePrincipalSecret } from '../../source/setup/app/sp-secret.ts';
import { setupHarness } from '../setup/setup-world.ts';

const CLIENT_ID = '7e57a000-0000-4000-8000-0000000000a1';

function services(env: Record<string, string>, prompter?: Partial<Prompter>): Services {
  return {
    env,
    exec: async () => ({}) as never,
    now: Date.now,
    prompter: prompter as Prompter,
  } as unknown as Services;
}

function asking(answer: string | undefined): { prompter: Partial<Prompter>; asked: { flag?: string } } {
  const asked: { flag?: string } = {};
  return {
    asked,
    prompter: {
      interactive: true,
      secret: async (question) => {
        asked.flag = question.flag;
        return answer;
      },
    },
  };
}

test('the app secret is SC_DOCTOR_APP_CLIENT_SECRET, never AZURE_CLIENT_SECRET', async () => {
  assert.equal(SP_SECRET_ENV, 'SC_DOCTOR_APP_CLIENT_SECRET');
  assert.equal(
    await servicePrincipalSecret(services({ SC_DOCTOR_APP_CLIENT_SECRET: 'app~1' }), CLIENT_ID),
    'app~1',
  );
  // The operator's own secret is not the app's: without the app's variable and no one to ask, exit 2.
  const refused = await servicePrincipalSecret(
    services({ AZURE_CLIENT_SECRET: 'operator~1' }),
    CLIENT_ID,
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(refused instanceof UsageError, String(refused));
  assert.match(refused.message, /set SC_DOCTOR_APP_CLIENT_SECRET in the environment/);
  assert.doesNotMatch(`${refused.message} ${refused.hints.join(' ')}`, /operator~1/);
});

test('without the variable, a masked prompt naming it; the typed secret is used', async () => {
  const { prompter, asked } = asking('typed~1');
  assert.equal(await servicePrincipalSecret(services({}, prompter), CLIENT_ID), 'typed~1');
  assert.match(asked.flag ?? '', /^SC_DOCTOR_APP_CLIENT_SECRET/);
});

test('a secret equal to AZURE_CLIENT_SECRET is refused (exit 2) without printing either', async () => {
  for (const given of [
    services({ AZURE_CLIENT_SECRET: 'same~1', SC_DOCTOR_APP_CLIENT_SECRET: 'same~1' }),
    services({ AZURE_CLIENT_SECRET: 'same~1' }, asking('same~1').prompter),
  ]) {
    const error = await servicePrincipalSecret(given, CLIENT_ID).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof UsageError, String(error));
    assert.match(error.message, /is the same as the secret you sign in with \(AZURE_CLIENT_SECRET\)/);
    assert.doesNotMatch(`${error.message} ${error.hints.join(' ')}`, /same~1/);
  }
});

test('setup refuses before the plan: no variable in plain mode names it; the same secret as the sign-in is refused', async () => {
  const missing = await runWith({});
  assert.ok(missing.error instanceof UsageError, String(missing.error));
  assert.match(missing.error.message, /SC_DOCTOR_APP_CLIENT_SECRET/);
  assert.equal(missing.planned, false, 'no plan was built');
  const same = await runWith({ AZURE_CLIENT_SECRET: 'same~2', SC_DOCTOR_APP_CLIENT_SECRET: 'same~2' });
  assert.ok(same.error instanceof UsageError, String(same.error));
  assert.match(same.error.message, /the app would be given your own credential/);
  assert.equal(same.planned, false, 'no plan was built');
  const own = await runWith({ AZURE_CLIENT_SECRET: 'operator~2', SC_DOCTOR_APP_CLIENT_SECRET: 'app~2' });
  assert.equal(own.error, undefined, String(own.error));
  assert.equal(own.planned, true);
});

async function runWith(env: Record<string, string>) {
  const harness = setupHarness({
    steps: [],
    request: { auth: { kind: 'sp', clientId: CLIENT_ID } },
    prompter: refusingPrompter('plain'),
    env,
  });
  const error = await harness.session.setup!()
    .then(() => undefined)
    .catch((e: unknown) => e);
  return { error, planned: harness.input() !== undefined };
}
