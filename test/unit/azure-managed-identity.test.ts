/**
 * `--credential managed-identity` where there is none: the chain refuses before any request (no
 * @azure/identity call, no metadata address), with a diagnosis that says where a managed identity
 * works. The SDK's failures are turned into one clean line. Nothing here opens a connection.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AzFacade } from '../../source/azure/az.ts';
import { PUBLIC_CLOUD } from '../../source/azure/cloud.ts';
import { createCredentialChain } from '../../source/azure/credential.ts';
import { diagnoseManagedIdentityFailure } from '../../source/azure/managed-identity.ts';

const SCOPE = 'https://management.core.windows.net//.default';

test('managed-identity off Azure (no IDENTITY_ENDPOINT, not an Azure VM) refuses before probing anything', async () => {
  assert.equal(
    process.env.IDENTITY_ENDPOINT,
    undefined,
    'this test needs a process without IDENTITY_ENDPOINT',
  );
  assert.equal(process.env.MSI_ENDPOINT, undefined, 'this test needs a process without MSI_ENDPOINT');
  let asked = 0;
  const chain = createCredentialChain({
    az: {} as AzFacade,
    env: {},
    cloud: async () => PUBLIC_CLOUD,
    now: Date.now,
    credential: 'managed-identity',
    azureVm: async () => {
      asked += 1;
      return false;
    },
  });
  const result = await chain.tryGetToken(SCOPE);
  assert.equal(asked, 1);
  assert.ok(!result.ok);
  assert.equal(result.diagnosis.kind, 'no-managed-identity');
  assert.equal(result.diagnosis.message, 'no managed identity on this machine');
  assert.match(result.diagnosis.details.join(' '), /instance metadata address was not tried/);
  assert.match(result.diagnosis.remediation.summary, /drop --credential managed-identity/);
  assert.ok(!result.diagnosis.remediation.commands.some((c) => c.includes('get-access-token')));
});

test('without --credential managed-identity the Azure VM question is never asked', async () => {
  let asked = 0;
  const chain = createCredentialChain({
    az: { accessToken: async () => ({ ok: false, failure: { kind: 'not-found' } }) } as unknown as AzFacade,
    env: { PATH: '' },
    cloud: async () => PUBLIC_CLOUD,
    now: Date.now,
    azureVm: async () => {
      asked += 1;
      return true;
    },
  });
  const result = await chain.tryGetToken(SCOPE);
  assert.ok(!result.ok);
  assert.equal(asked, 0);
});

test('SDK failures become one line: unreachable, refused with the endpoint words, AADSTS explained', () => {
  const unreachable = diagnoseManagedIdentityFailure(
    'ManagedIdentityCredential: Network unreachable. Message: network_error: See https://aka.ms/msal.js.errors#network_error for details',
    'http://127.0.0.1:41234/msi/token',
    SCOPE,
  );
  assert.equal(
    unreachable.message,
    'no managed-identity endpoint reachable at 127.0.0.1:41234 (IDENTITY_ENDPOINT)',
  );

  const imds = diagnoseManagedIdentityFailure(
    'ManagedIdentityCredential: Attempted to use the IMDS endpoint, but it is not available.',
    undefined,
    SCOPE,
  );
  assert.equal(imds.message, 'no managed-identity endpoint reachable at the instance metadata address');

  const refused = diagnoseManagedIdentityFailure(
    'ManagedIdentityCredential: A client error occured.\nStatus code: 400\nHeaders: {"content-type":"application/json","x-ms-request-id":"abc"}',
    'http://127.0.0.1:41234/msi/token',
    SCOPE,
  );
  assert.equal(refused.message, 'the managed-identity endpoint refused the token request (HTTP 400)');
  assert.doesNotMatch(refused.details.join('\n'), /Headers|x-ms-request-id/);

  const aadsts = diagnoseManagedIdentityFailure(
    'ManagedIdentityCredential: AADSTS700016: Application with identifier x was not found in the directory.',
    'http://127.0.0.1:41234/msi/token',
    SCOPE,
  );
  assert.equal(aadsts.code, '700016');
});
