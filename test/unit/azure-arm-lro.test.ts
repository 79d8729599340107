/**
 * `armWrite` + `waitForArm` against the twin's long-running operations: the `Location` style (a Spring
 * app PATCH: 202 until done, then the result), the `Azure-AsyncOperation` style (a container app
 * PATCH), an operation that ends Failed, and a poll URL on another host, which is never followed
 * with the token.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ARM_WRITE_RETRY, armWrite } from '../../source/azure/arm.ts';
import { ArmOperationError, waitForArm } from '../../source/azure/arm-lro.ts';
import { createAzureSession } from '../../source/azure/session.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';

ARM_WRITE_RETRY.retryDelayInMs = 5;
let twin: Twin;
const springApp = () =>
  `${RESOURCE_IDS.webApp.split('/providers/')[0]}/providers/Microsoft.AppPlatform/Spring/${NAMES.springService}/apps/${NAMES.springApp}`;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', lroDelayMs: 300 });
});
after(async () => {
  await twin?.close();
});

function session() {
  const base = { exec: nodeExec, env: twin.env() as Record<string, string>, now: Date.now };
  return createAzureSession(base, { tls: { ca: twin.caPem } });
}

test('Location style: polls the result URL until the operation is done', async () => {
  const azure = session();
  try {
    const first = await armWrite(azure, 'PATCH', springApp(), '2023-12-01', {
      properties: { httpsOnly: true },
    });
    assert.equal(first.status, 202);
    assert.ok(first.headers?.location && !first.headers.asyncOperation);
    const httpsOnly = () => (twin.store.get(springApp())!.properties as { httpsOnly?: boolean }).httpsOnly;
    assert.notEqual(httpsOnly(), true, 'not done yet');
    const statuses: string[] = [];
    await waitForArm(azure, first, { what: 'updating the app', onStatus: (s) => statuses.push(s) });
    assert.equal(httpsOnly(), true);
    assert.ok(
      statuses.includes('InProgress'),
      'the wait reported progress while the result URL answered 202',
    );
  } finally {
    azure.dispose();
  }
});

test('Azure-AsyncOperation style: polls the status until Succeeded; Failed is an error naming the code', async () => {
  const azure = session();
  try {
    const first = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { a: '1' },
    });
    assert.ok(first.headers?.asyncOperation);
    await waitForArm(azure, first, { what: 'tagging the container app' });
    assert.deepEqual(twin.store.get(RESOURCE_IDS.containerApp)!.tags, { a: '1' });

    twin.faults.addLro({
      resourceId: RESOURCE_IDS.containerApp,
      outcome: 'Failed',
      code: 'ContainerAppOperationError',
    });
    const failing = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { a: '2' },
    });
    await assert.rejects(
      waitForArm(azure, failing, { what: 'tagging the container app' }),
      (error: unknown) =>
        error instanceof ArmOperationError && /ended Failed: ContainerAppOperationError/.test(error.message),
    );
    assert.deepEqual(
      twin.store.get(RESOURCE_IDS.containerApp)!.tags,
      { a: '1' },
      'a Failed operation changed nothing',
    );
  } finally {
    azure.dispose();
  }
});

test('a refusal is an error naming the status and Azure code; a poll URL on another host is not followed', async () => {
  const azure = session();
  try {
    twin.faults.add({
      method: 'PATCH',
      path: RESOURCE_IDS.containerApp,
      status: 403,
      code: 'AuthorizationFailed',
    });
    const refused = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', { tags: {} });
    await assert.rejects(
      waitForArm(azure, refused, { what: 'tagging' }),
      /tagging: Azure answered 403 AuthorizationFailed/,
    );
    const forged = {
      status: 202,
      body: undefined,
      requestId: undefined,
      headers: { asyncOperation: 'https://evil.example/op' },
    };
    await assert.rejects(waitForArm(azure, forged, { what: 'x' }), /outside Resource Manager/);
  } finally {
    azure.dispose();
  }
});
