import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AADSTS, findAadstsCode } from '../../source/azure/aadsts.ts';
import { diagnoseAzFailure, diagnoseSignInText, extractTrace } from '../../source/azure/signin-error.ts';

/** Every code the doctor explains (docs/architecture.md, "Where the facts come from"). */
const LISTED_CODES = [
  '530003',
  '530033',
  '53000',
  '53001',
  '53003',
  '50005',
  '50097',
  '50076',
  '50079',
  '50078',
  '700082',
  '70008',
  '50173',
  '70043',
  '50058',
  '65001',
  '7000112',
  '7000215',
  '7000222',
  '700016',
  '90002',
  '50020',
  '50034',
  '500011',
  '50001',
  '70011',
  '28002',
  '50126',
  '50053',
  '50057',
  '500021',
  '500022',
  '500212',
  '500213',
];
const ARM_SCOPE = 'https://management.core.windows.net//.default';

const stsError = (code: string, description: string) =>
  `ERROR: AADSTS${code}: ${description}\nTrace ID: 1c2d3e4f-aaaa-bbbb-cccc-0123456789ab\n` +
  'Correlation ID: 9a8b7c6d-1111-2222-3333-456789abcdef\nTimestamp: 2026-11-26 10:00:00Z\n' +
  `Interactive authentication is needed. Please run:\naz login --scope ${ARM_SCOPE}\n`;

test('every AADSTS code of the research table has a title, explanation and remedy', () => {
  for (const code of LISTED_CODES) {
    const entry = AADSTS[code];
    assert.ok(entry, `AADSTS${code} has no entry`);
    assert.ok(entry.title.length > 3, `AADSTS${code} title`);
    assert.ok(entry.explanation.length > 0, `AADSTS${code} explanation`);
    assert.ok(entry.remedy.length > 10, `AADSTS${code} remedy`);
  }
});

test('the code is found anywhere in the text, 5 to 7 digits', () => {
  assert.equal(findAadstsCode('invalid_grant: AADSTS530003: Your device'), '530003');
  assert.equal(findAadstsCode('AADSTS7000215: Invalid client secret'), '7000215');
  assert.equal(findAadstsCode('AADSTS123: short'), undefined);
});

test('530003: device must be managed, why containers and VMs hit it, device code does not help, what does', () => {
  const d = diagnoseSignInText(
    stsError('530003', 'Your device is required to be managed to access this resource.'),
    {
      scope: ARM_SCOPE,
    },
  );
  assert.equal(d.kind, 'aadsts');
  assert.equal(d.code, '530003');
  assert.equal(d.message, 'AADSTS530003 · device must be managed');
  const text = d.details.join('\n');
  assert.match(text, /Intune-compliant/);
  assert.match(text, /Entra-joined/);
  assert.match(text, /WSL,\s+dev containers, Codespaces and cloud VMs/);
  assert.match(text, /az login --use-device-code` will not help/);
  assert.match(d.remediation.summary, /managed machine/);
  assert.match(d.remediation.summary, /WAM broker/);
  assert.match(d.remediation.summary, /service principal/);
  assert.match(d.remediation.summary, /exception/);
  assert.equal(d.remediation.docsUrl, 'https://login.microsoftonline.com/error?code=530003');
  assert.deepEqual(d.trace, {
    traceId: '1c2d3e4f-aaaa-bbbb-cccc-0123456789ab',
    correlationId: '9a8b7c6d-1111-2222-3333-456789abcdef',
    timestamp: '2026-11-26 10:00:00Z',
  });
  assert.ok(
    d.details.some(
      (line) =>
        line.includes('trace 1c2d3e4f-aaaa-bbbb-cccc-0123456789ab') && line.includes('correlation 9a8b7c6d'),
    ),
  );
  // Labels have one style (`word: text`, as fix: and docs:), and the lookup page, which is the
  // docs link, is shown once.
  assert.ok(
    d.details.some((line) => line.startsWith('support: trace 1c2d3e4f')),
    d.details.join('\n'),
  );
  assert.ok(!d.details.some((line) => line.includes('error?code=530003')), d.details.join('\n'));
});

test('50076: MFA required, remedy is az login --scope for the scope that failed', () => {
  const d = diagnoseSignInText(stsError('50076', 'you must use multi-factor authentication'), {
    scope: ARM_SCOPE,
  });
  assert.equal(d.message, 'AADSTS50076 · MFA required');
  assert.deepEqual(d.remediation.commands, [`az login --scope ${ARM_SCOPE}`]);
});

test('700082: refresh token expired from inactivity, remedy is az login with the tenant when known', () => {
  const d = diagnoseSignInText(stsError('700082', 'The refresh token has expired due to inactivity.'), {
    scope: ARM_SCOPE,
    tenantId: 'contoso-tenant',
  });
  assert.equal(d.message, 'AADSTS700082 · sign-in expired (inactive)');
  assert.match(d.details.join(' '), /inactiv/);
  assert.deepEqual(d.remediation.commands, ['az login --tenant contoso-tenant']);
});

test('an unknown code shows the raw text, the lookup link and what az suggested', () => {
  const d = diagnoseSignInText(stsError('9999999', 'Something new happened.'), { scope: ARM_SCOPE });
  assert.equal(d.kind, 'aadsts');
  assert.equal(d.message, 'AADSTS9999999 · sign-in refused');
  assert.ok(d.details.includes('ERROR: AADSTS9999999: Something new happened.'));
  assert.ok(d.details.includes('lookup: https://login.microsoftonline.com/error?code=9999999'));
  assert.deepEqual(d.remediation.commands, [`az login --scope ${ARM_SCOPE}`]);
});

test("az's not-signed-in texts and AzureCliCredential's are 'not signed in' with az login", () => {
  for (const text of [
    "ERROR: Please run 'az login' to setup account.",
    "ERROR: Can't find token from MSAL cache.\nTo re-authenticate, please run:\naz login",
    "Please run 'az login' from a command prompt to authenticate before using this credential.",
  ]) {
    const d = diagnoseSignInText(text, { scope: ARM_SCOPE });
    assert.equal(d.kind, 'not-signed-in', text);
    assert.ok(d.remediation.commands.includes('az login'));
    assert.ok(d.remediation.commands.some((c) => c.startsWith('az login --tenant')));
  }
});

test('az missing, timeout and non-JSON answers each get their own words', () => {
  assert.equal(diagnoseAzFailure({ kind: 'not-found' }, { scope: ARM_SCOPE }).kind, 'az-missing');
  assert.match(
    diagnoseSignInText('Azure CLI could not be found. Please visit https://aka.ms/azure-cli', {
      scope: ARM_SCOPE,
    }).kind,
    /az-missing/,
  );
  const timeout = diagnoseAzFailure({ kind: 'timeout', timeoutMs: 15_000 }, { scope: ARM_SCOPE });
  assert.equal(timeout.message, 'az did not answer in 15s');
  const garbage = diagnoseAzFailure({ kind: 'non-json', firstLine: 'Welcome <html>' }, { scope: ARM_SCOPE });
  assert.match(garbage.message, /not JSON: Welcome <html>/);
});

test('a token in an error text never reaches the diagnosis', () => {
  const token = `eyJhbGciOiJub25lIn0.${Buffer.from('{"upn":"dana@contoso.com"}').toString('base64url')}.c2lnbmF0dXJl`;
  const d = diagnoseSignInText(`ERROR: something failed {"accessToken": "${token}"} ${token}`, {
    scope: ARM_SCOPE,
  });
  assert.ok(!JSON.stringify(d).includes(token));
  assert.ok(!JSON.stringify(d).includes('c2lnbmF0dXJl'));
});

test('trace lines are optional', () => {
  assert.deepEqual(extractTrace('AADSTS50076: no ids here'), {});
});
