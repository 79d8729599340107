/**
 * The first three doctor checks run for real: `runChecks(doctorChecks())` with nodeExec, a real
 * AzureSession and the stand-in az on PATH, against a tiny local HTTPS "ARM" for the subscription.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createAzureSession } from '../../source/azure/session.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import { doctorChecks } from '../../source/doctor/index.ts';
import { NO_TARGET } from '../../source/doctor/target.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { type LocalHttps, startLocalHttps } from '../helpers/local-https.ts';
import { makeEmptyPath, makeStandinAz, type StandinAzOptions } from '../helpers/standin-az.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-111122223333';
const SUBSCRIPTIONS: Record<string, { displayName: string; state: string; tenantId: string }> = {
  [SUBSCRIPTION]: { displayName: 'Contoso Dev', state: 'Enabled', tenantId: TENANT },
  '11111111-1111-1111-1111-111111111111': { displayName: 'Old Sandbox', state: 'Disabled', tenantId: TENANT },
  '22222222-2222-2222-2222-222222222222': { displayName: 'Trial', state: 'Warned', tenantId: TENANT },
  '33333333-3333-3333-3333-333333333333': {
    displayName: 'Fabrikam Prod',
    state: 'Enabled',
    tenantId: 'fabrikam-tenant',
  },
};

/** The local ARM drops every connection that asks for this one. */
const UNREACHABLE = '55555555-5555-5555-5555-555555555555';

let arm: LocalHttps;
let ca: string;
let port: number;
const armRequests: { path: string; authorization: string | undefined }[] = [];

before(async () => {
  arm = await startLocalHttps((req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    armRequests.push({ path: url.pathname, authorization: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    const id = /^\/subscriptions\/([^/]+)$/.exec(url.pathname)?.[1];
    if (
      !req.headers.authorization?.startsWith('Bearer ey') ||
      url.searchParams.get('api-version') !== '2022-12-01'
    ) {
      res
        .writeHead(401)
        .end(JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'no token' } }));
      return;
    }
    if (id === UNREACHABLE) {
      // No answer at all: the connection ends before a status line.
      req.socket.destroy();
      return;
    }
    const sub = id ? SUBSCRIPTIONS[id] : undefined;
    if (!id || !sub) {
      res.writeHead(404).end(
        JSON.stringify({
          error: { code: 'SubscriptionNotFound', message: `The subscription '${id}' could not be found.` },
        }),
      );
      return;
    }
    res.writeHead(200).end(
      JSON.stringify({
        id: `/subscriptions/${id}`,
        subscriptionId: id,
        ...sub,
        authorizationSource: 'RoleBased',
      }),
    );
  }, 'sc-doctor-arm-');
  ({ ca, port } = arm);
});

after(() => arm.close());

/** A custom cloud whose ARM is the local server, so nothing here ever leaves loopback. */
function localCloudJson(): string {
  return readFileSync(new URL('../fixtures/az/cloud-twin.json', import.meta.url), 'utf8').replaceAll(
    'PORT',
    String(port),
  );
}

interface Run {
  byId: Record<string, CheckOutcome>;
  processes: number;
  elapsedMs: number;
}

async function doctor(
  env: Record<string, string>,
  options: { subscription?: string; defaultTimeoutMs?: number; azTimeoutMs?: number; verbose?: boolean } = {},
): Promise<Run> {
  const base = { exec: nodeExec, env, now: Date.now };
  const azure = createAzureSession(base, {
    subscription: options.subscription,
    azTimeoutMs: options.azTimeoutMs,
    tls: { ca },
  });
  const started = Date.now();
  try {
    const outcomes = await runChecks(doctorChecks(), {
      services: { ...base, azure },
      options: { verbose: options.verbose ?? false, target: NO_TARGET, subscription: options.subscription },
      bus: new EventBus<RunEvent>(),
      defaultTimeoutMs: options.defaultTimeoutMs,
    });
    return {
      byId: Object.fromEntries(outcomes.map((o) => [o.id, o])),
      processes: azure.az.processCount(),
      elapsedMs: Date.now() - started,
    };
  } finally {
    azure.dispose();
  }
}

async function withStandin<T>(
  scenario: string,
  body: (env: Record<string, string>, calls: () => Promise<string[]>) => Promise<T>,
  options: StandinAzOptions = {},
) {
  const az = await makeStandinAz(scenario, undefined, options);
  try {
    return await body(az.env({ AZ_STANDIN_CLOUD_JSON: localCloudJson() }), az.calls);
  } finally {
    await az.cleanup();
  }
}

const text = (outcome: CheckOutcome) =>
  [
    outcome.message,
    ...outcome.details,
    outcome.remediation?.summary ?? '',
    ...(outcome.remediation?.commands ?? []),
  ].join('\n');

test('no az: azure-cli fails with how to install it, signin fails saying sign-in needs az', async () => {
  const empty = await makeEmptyPath();
  try {
    const { byId } = await doctor({ PATH: empty.path }, { verbose: true });
    const cli = byId['azure-cli']!;
    assert.equal(cli.status, 'fail');
    assert.equal(cli.message, 'az not found on PATH');
    assert.equal(cli.remediation?.docsUrl, 'https://aka.ms/azure-cli');
    assert.ok(
      cli.remediation?.commands.some((c) =>
        c.startsWith('curl -sL https://aka.ms/InstallAzureCLIDeb | sudo bash'),
      ),
    );
    assert.ok(cli.remediation?.commands.some((c) => c.startsWith('brew install azure-cli')));
    assert.ok(cli.remediation?.commands.some((c) => c.startsWith('winget install Microsoft.AzureCLI')));
    const signin = byId.signin!;
    assert.equal(signin.status, 'fail');
    assert.match(signin.message, /az is not installed/);
    assert.match(text(signin), /azd auth login/);
    assert.match(text(signin), /AZURE_CLIENT_SECRET/);
    // --verbose lists every credential the chain tried.
    assert.ok(signin.details.includes('tried azure-cli: az is not on PATH'));
    assert.ok(signin.details.includes('tried azure-developer-cli: azd is not on PATH'));
    assert.equal(byId.subscription!.status, 'skip');
  } finally {
    await empty.cleanup();
  }
});

test('signed out, az 2.45.0: azure-cli warns about 2.48.1, signin fails with az login', async () => {
  await withStandin('signed-out-2.45.0', async (env) => {
    const { byId } = await doctor(env);
    const cli = byId['azure-cli']!;
    assert.equal(cli.status, 'warn');
    assert.equal(cli.message, '2.45.0 · older than 2.48.1');
    assert.match(cli.details.join(' '), /passwordless extension/);
    const signin = byId.signin!;
    assert.equal(signin.status, 'fail');
    assert.equal(signin.message, 'not signed in');
    assert.ok(signin.remediation?.commands.includes('az login'));
    assert.ok(signin.remediation?.commands.some((c) => c.startsWith('az login --tenant')));
    assert.equal(signin.blocking, true);
    assert.equal(byId.subscription!.status, 'skip');
  });
});

test('an old az is told the upgrade that works for how it was installed, az upgrade never first where it cannot', async () => {
  const firstCommand = async (options: StandinAzOptions, extraEnv: Record<string, string> = {}) =>
    withStandin(
      'signed-out-2.45.0',
      async (env) => {
        const cli = (await doctor({ ...env, ...extraEnv })).byId['azure-cli']!;
        assert.equal(cli.status, 'warn');
        return cli;
      },
      options,
    );
  // Debian's own package: its launcher names no installer, and az upgrade cannot upgrade it.
  const debian = await firstCommand({});
  assert.equal(debian.data.installer, null);
  assert.ok(!debian.remediation?.commands.includes('az upgrade'), 'no az upgrade for an unnamed installer');
  assert.equal(debian.remediation?.commands[0], 'sudo apt-get remove azure-cli');
  assert.match(debian.remediation!.summary, /Debian's azure-cli, which az upgrade cannot upgrade/);
  assert.equal(debian.remediation?.commandLabels?.['brew install azure-cli'], 'macOS');

  const cases: [StandinAzOptions, Record<string, string>, string][] = [
    [{ installer: 'DEB' }, {}, 'sudo apt-get update && sudo apt-get install --only-upgrade azure-cli'],
    [{ installer: 'RPM' }, {}, 'sudo dnf upgrade azure-cli'],
    [{ installer: 'HOMEBREW' }, {}, 'brew update && brew upgrade azure-cli'],
    [{ installer: 'MSI' }, {}, 'az upgrade'],
    [{ installer: 'PIP' }, {}, 'python3 -m pip install --upgrade azure-cli'],
    [{}, { AZ_INSTALLER: 'DOCKER' }, 'docker pull mcr.microsoft.com/azure-cli'],
  ];
  for (const [options, extraEnv, expected] of cases) {
    const cli = await firstCommand(options, extraEnv);
    assert.equal(cli.remediation?.commands[0], expected, JSON.stringify({ options, extraEnv }));
  }
});

test('AADSTS530003: signin names the code, says the device must be managed, gives the remedies', async () => {
  await withStandin('aadsts530003', async (env) => {
    const { byId } = await doctor(env);
    assert.equal(byId['azure-cli']!.status, 'pass');
    const signin = byId.signin!;
    assert.equal(signin.status, 'fail');
    assert.equal(signin.message, 'AADSTS530003 · device must be managed');
    assert.match(text(signin), /WSL,\s+dev containers, Codespaces/);
    assert.match(text(signin), /--use-device-code` will not help/);
    assert.match(text(signin), /managed machine/);
    assert.equal(signin.data.aadsts, '530003');
    assert.equal(signin.data.correlationId, '9a8b7c6d-1111-2222-3333-456789abcdef');
    // Nothing setup does gets past Conditional Access: setup must refuse, not start and fail.
    assert.equal(signin.blocking, true);
  });
});

test('AADSTS50076 (MFA) and 700082 (expired) are explained with their own fix', async () => {
  await withStandin('aadsts50076', async (env) => {
    const signin = (await doctor(env)).byId.signin!;
    assert.equal(signin.message, 'AADSTS50076 · MFA required');
    assert.deepEqual(signin.remediation?.commands, [
      'az login --scope https://management.twin.test//.default',
    ]);
  });
  await withStandin('aadsts700082', async (env) => {
    const signin = (await doctor(env)).byId.signin!;
    assert.equal(signin.message, 'AADSTS700082 · sign-in expired (inactive)');
    assert.match(signin.remediation?.commands[0] ?? '', /^az login --tenant/);
  });
});

test('signed in: pass with user and tenant, the subscription is checked over ARM, at most four az processes', async () => {
  await withStandin('signed-in', async (env, calls) => {
    armRequests.length = 0;
    const { byId, processes } = await doctor(env);
    assert.equal(byId['azure-cli']!.status, 'pass');
    assert.equal(byId['azure-cli']!.message, '2.67.0');
    const signin = byId.signin!;
    assert.equal(signin.status, 'pass', text(signin));
    assert.equal(signin.message, `dana@contoso.com (user) · tenant ${TENANT}`);
    assert.deepEqual(signin.data, {
      user: 'dana@contoso.com',
      userType: 'user',
      tenantId: TENANT,
      objectId: '5b8f0c1e-2d3a-4b6c-9e7f-0a1b2c3d4e5f',
      defaultSubscriptionId: SUBSCRIPTION,
      credential: 'azure-cli',
      cloud: 'TwinCloud',
    });
    const sub = byId.subscription!;
    assert.equal(sub.status, 'pass', text(sub));
    assert.equal(sub.message, 'Contoso Dev · Enabled');
    assert.match(sub.details.join(' '), /az's default/);
    assert.deepEqual(
      armRequests.map((r) => r.path),
      [`/subscriptions/${SUBSCRIPTION}`],
    );

    const lines = await calls();
    assert.equal(processes, lines.length);
    assert.ok(lines.length <= 4, lines.join('\n'));
    assert.deepEqual(lines.map((l) => l.split(' --resource')[0]).sort(), [
      'account get-access-token -o json',
      'account get-access-token -o json',
      'cloud show -o json',
      'version -o json',
    ]);
    assert.ok(!lines.some((l) => l.startsWith('account show')));
    // No token in anything a front-end would print.
    assert.ok(!JSON.stringify(Object.values(byId)).includes('eyJ'));
  });
});

test('subscription: from the flag, from AZURE_SUBSCRIPTION_ID, not visible, disabled, warned, other tenant', async () => {
  await withStandin('signed-in', async (env) => {
    const flagged = (await doctor(env, { subscription: '11111111-1111-1111-1111-111111111111' })).byId
      .subscription!;
    assert.equal(flagged.status, 'fail');
    assert.equal(flagged.message, 'Old Sandbox · Disabled');
    assert.match(flagged.details.join(' '), /from --subscription/);

    const warned = (await doctor({ ...env, AZURE_SUBSCRIPTION_ID: '22222222-2222-2222-2222-222222222222' }))
      .byId.subscription!;
    assert.equal(warned.status, 'warn');
    assert.match(warned.details.join(' '), /from AZURE_SUBSCRIPTION_ID/);

    const missing = (await doctor(env, { subscription: '44444444-4444-4444-4444-444444444444' })).byId
      .subscription!;
    assert.equal(missing.status, 'fail');
    assert.equal(missing.message, '44444444-4444-4444-4444-444444444444 is not visible to dana@contoso.com');
    assert.ok(missing.remediation?.commands.includes('az account list -o table'));
    assert.equal(missing.blocking, true);
    // The flag outranks az's default: `az account set` would change nothing here.
    assert.ok(!missing.remediation?.commands.some((c) => c.startsWith('az account set')));
    assert.ok(missing.remediation?.commands.includes('sc-doctor doctor --subscription <subscription-id>'));

    const foreign = (await doctor(env, { subscription: '33333333-3333-3333-3333-333333333333' })).byId
      .subscription!;
    assert.equal(foreign.status, 'fail');
    assert.match(foreign.message, /belongs to tenant fabrikam-tenant/);
    assert.deepEqual(foreign.remediation?.commands, ['az login --tenant fabrikam-tenant']);
    assert.equal(foreign.blocking, true);
  });
});

test('subscription: no answer from ARM is "could not reach Azure Resource Manager", naming the subscription', async () => {
  await withStandin('signed-in', async (env) => {
    const sub = (await doctor(env, { subscription: UNREACHABLE })).byId.subscription!;
    assert.equal(sub.status, 'fail', text(sub));
    assert.equal(sub.message, 'could not reach Azure Resource Manager');
    assert.ok(sub.details.includes(`subscription ${UNREACHABLE} (from --subscription)`), text(sub));
    assert.match(sub.remediation!.summary, /network path to Azure Resource Manager/);
    assert.equal(sub.blocking, true);
  });
});

test('Graph refused while ARM works: signin warns and names the code', async () => {
  await withStandin('graph-aadsts65001', async (env) => {
    const signin = (await doctor(env)).byId.signin!;
    assert.equal(signin.status, 'warn');
    assert.match(signin.message, /no Graph token \(AADSTS65001\)/);
    assert.match(signin.details.join(' '), /limited/);
  });
});

test('az printing something that is not JSON: a clear message quoting it, no crash', async () => {
  await withStandin('non-json', async (env) => {
    const { byId } = await doctor(env);
    assert.equal(byId['azure-cli']!.status, 'fail');
    assert.match(byId['azure-cli']!.message, /not JSON: Welcome to Azure CLI! <html>not json<\/html>/);
    const signin = byId.signin!;
    assert.equal(signin.status, 'fail');
    assert.match(signin.message, /not JSON: Welcome to Azure CLI!/);
    // The malformed cloud answer fell back to the public cloud with a warning, not a crash.
    assert.match(signin.details.join('\n'), /az cloud show did not print JSON.*using AzureCloud/);
  });
});

test('az hanging: signin ends as timeout within the per-check timeout, and processes are stopped', async () => {
  await withStandin('hang', async (env) => {
    const { byId, elapsedMs } = await doctor(env, { defaultTimeoutMs: 1_500 });
    assert.equal(byId['azure-cli']!.status, 'pass');
    assert.equal(byId.signin!.status, 'timeout');
    assert.ok(elapsedMs < 5_000, `took ${elapsedMs} ms`);
  });
  await withStandin('hang', async (env) => {
    const { byId } = await doctor(env, { azTimeoutMs: 700 });
    assert.equal(byId.signin!.status, 'timeout');
    assert.equal(byId.signin!.message, 'az did not answer in 0.7s');
  });
});

test('an SDK asking for https://graph.microsoft.com/.default shares the az answer for the Graph audience', async () => {
  await withStandin('signed-in', async (env, calls) => {
    const azure = createAzureSession({ exec: nodeExec, env, now: Date.now }, {});
    try {
      const cloud = await azure.cloud();
      const a = await azure.credential.getToken(cloud.graphScope);
      const b = await azure.credential.getToken(cloud.graphScope.replace('//.default', '/.default'));
      assert.equal(a?.token, b?.token);
      assert.equal((await calls()).filter((l) => l.startsWith('account get-access-token')).length, 1);
    } finally {
      azure.dispose();
    }
  });
});
