/**
 * The credential chain beyond az: Azure Developer CLI when az is missing, an environment service
 * principal against a local HTTPS token endpoint, per-scope caching, and no managed identity unless an
 * endpoint variable says there is one. Nothing here leaves 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createAzureSession } from '../../source/azure/session.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { type LocalHttps, startLocalHttps } from '../helpers/local-https.ts';
import { makeEmptyPath, makeStandinAz } from '../helpers/standin-az.ts';

const SECRET = 'sp-secret-value-never-printed';
/** The local token service (Entra ID's authority for a service principal). */
let sts: LocalHttps;
let ca: string;
let base: string;
const tokenRequests: string[] = [];

before(async () => {
  sts = await startLocalHttps((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const tenant = url.pathname.split('/')[1];
    res.setHeader('content-type', 'application/json');
    if (url.pathname.endsWith('/.well-known/openid-configuration')) {
      res.end(
        JSON.stringify({
          token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
          issuer: `${base}/${tenant}/v2.0`,
          jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
        }),
      );
      return;
    }
    if (url.pathname.endsWith('/oauth2/v2.0/token') && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        tokenRequests.push(form.get('scope') ?? '');
        if (form.get('client_secret') !== SECRET) {
          res.writeHead(401).end(
            JSON.stringify({
              error: 'invalid_client',
              error_description: `AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 11111111-2222-3333-4444-555555555555\r\nCorrelation ID: 66666666-7777-8888-9999-000000000000\r\nTimestamp: 2026-11-26 10:00:00Z`,
              error_codes: [7000215],
            }),
          );
          return;
        }
        const claims = {
          aud: 'x',
          appid: form.get('client_id'),
          oid: 'sp-object-id',
          tid: tenant,
          idtyp: 'app',
        };
        const token = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c3Atc2ln`;
        res.end(
          JSON.stringify({
            token_type: 'Bearer',
            expires_in: 3600,
            ext_expires_in: 3600,
            access_token: token,
          }),
        );
      });
      return;
    }
    res.writeHead(404).end('{}');
  }, 'sc-doctor-sts-');
  ({ ca, base } = sts);
});

after(() => sts.close());

/** A custom cloud whose authority is the local token server. */
function cloudJson(): string {
  return JSON.stringify({
    name: 'LocalSts',
    endpoints: {
      resourceManager: 'https://127.0.0.1:9/',
      activeDirectory: base,
      activeDirectoryResourceId: 'https://management.local.test/',
      microsoftGraphResourceId: 'https://graph.local.test/',
    },
    suffixes: {},
  });
}

test('az missing, azd signed in: the chain falls back to the Azure Developer CLI', async () => {
  const empty = await makeEmptyPath();
  const azdScript = fileURLToPath(new URL('../fixtures/az/azd.mjs', import.meta.url));
  writeFileSync(join(empty.path, 'azd'), `#!/bin/sh\nexec '${process.execPath}' '${azdScript}' "$@"\n`, {
    mode: 0o755,
  });
  // AzureDeveloperCliCredential looks azd up on this process' PATH.
  const savedPath = process.env.PATH;
  process.env.PATH = `${empty.path}${delimiter}${savedPath ?? ''}`;
  const azure = createAzureSession(
    { exec: nodeExec, env: { PATH: empty.path }, now: Date.now },
    { cloud: 'AzureCloud' },
  );
  try {
    const state = await azure.signIn();
    assert.ok(state.ok, JSON.stringify(state));
    assert.equal(state.credential, 'azure-developer-cli');
    assert.equal(state.identity.user, 'erin@contoso.com');
    assert.equal(state.defaultSubscriptionId, undefined);
  } finally {
    process.env.PATH = savedPath;
    azure.dispose();
    await empty.cleanup();
  }
});

test('az signed out, service principal in the environment: the chain uses it, one token request per scope', async () => {
  const az = await makeStandinAz('signed-out-2.45.0');
  tokenRequests.length = 0;
  const env = az.env({
    AZ_STANDIN_CLOUD_JSON: cloudJson(),
    AZURE_TENANT_ID: 'sp-tenant',
    AZURE_CLIENT_ID: 'sp-client-id',
    AZURE_CLIENT_SECRET: SECRET,
  });
  const azure = createAzureSession({ exec: nodeExec, env, now: Date.now }, { tls: { ca } });
  try {
    const state = await azure.signIn();
    assert.ok(state.ok, JSON.stringify(state));
    assert.equal(state.credential, 'environment');
    assert.equal(state.identity.userType, 'servicePrincipal');
    assert.equal(state.identity.user, 'sp-client-id');
    const cloud = await azure.cloud();
    await azure.credential.getToken(cloud.armScope);
    await azure.credential.getToken(cloud.armScope);
    assert.deepEqual(tokenRequests.filter((s) => s.includes('management.local.test')).length, 1);
  } finally {
    azure.dispose();
    await az.cleanup();
  }
});

test('a refused service principal says more than "az: not signed in": AADSTS7000215, secret never shown', async () => {
  const az = await makeStandinAz('signed-out-2.45.0');
  const env = az.env({
    AZ_STANDIN_CLOUD_JSON: cloudJson(),
    AZURE_TENANT_ID: 'sp-tenant',
    AZURE_CLIENT_ID: 'sp-client-id',
    AZURE_CLIENT_SECRET: 'wrong-secret-value',
  });
  const azure = createAzureSession({ exec: nodeExec, env, now: Date.now }, { tls: { ca } });
  try {
    const state = await azure.signIn();
    assert.ok(!state.ok);
    assert.equal(state.diagnosis.code, '7000215');
    assert.equal(state.diagnosis.message, 'AADSTS7000215 · invalid client secret');
    assert.equal(state.diagnosis.trace.correlationId, '66666666-7777-8888-9999-000000000000');
    assert.match(state.attempts[0] ?? '', /^azure-cli: not signed in/);
    assert.ok(!JSON.stringify(state).includes('wrong-secret-value'));
  } finally {
    azure.dispose();
    await az.cleanup();
  }
});

test('no managed identity unless IDENTITY_ENDPOINT is set (the metadata address is never probed)', async () => {
  const empty = await makeEmptyPath();
  const azure = createAzureSession(
    { exec: nodeExec, env: { PATH: empty.path }, now: Date.now },
    { cloud: 'AzureCloud' },
  );
  try {
    const result = await azure.credential.tryGetToken('https://management.core.windows.net//.default');
    assert.ok(!result.ok);
    assert.deepEqual(
      result.attempts.map((line) => line.split(':')[0]),
      ['azure-cli', 'azure-developer-cli', 'environment'],
    );
    assert.equal(result.diagnosis.kind, 'az-missing');
    await assert.rejects(
      azure.credential.getToken('https://management.core.windows.net//.default'),
      /az is not installed/,
    );
  } finally {
    azure.dispose();
    await empty.cleanup();
  }
});

test('IDENTITY_ENDPOINT only in the chain env, not in this process: the managed identity is not tried at all', async () => {
  assert.equal(
    process.env.IDENTITY_ENDPOINT,
    undefined,
    'this test needs a process without IDENTITY_ENDPOINT',
  );
  const empty = await makeEmptyPath();
  const azure = createAzureSession(
    {
      exec: nodeExec,
      env: { PATH: empty.path, IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token', IDENTITY_HEADER: 'x' },
      now: Date.now,
    },
    { cloud: 'AzureCloud' },
  );
  try {
    const result = await azure.credential.tryGetToken('https://management.core.windows.net//.default');
    assert.ok(!result.ok);
    assert.equal(result.attempts.at(-1), 'managed-identity: IDENTITY_ENDPOINT is not set in this process');
  } finally {
    azure.dispose();
    await empty.cleanup();
  }
});
