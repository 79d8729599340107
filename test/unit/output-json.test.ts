import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../source/core/events.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import { runJson } from '../../source/output/json.ts';
import { jsonDocument } from '../../source/output/json-document.ts';
import type { RunEvent } from '../../source/run/events.ts';
import type { FrontEndInput } from '../../source/run/front-end.ts';
import { CaptureStream } from '../helpers/capture.ts';

const outcome = (overrides: Partial<CheckOutcome>): CheckOutcome => ({
  id: 'azure-cli',
  title: 'Azure CLI',
  status: 'pass',
  durationMs: 12,
  message: '2.67.0',
  details: [],
  remediation: null,
  data: {},
  blocking: false,
  ...overrides,
});

const header = { tool: 'sc-doctor', version: '0.1.0', command: 'doctor' };

test('the document has exactly the schema-1 keys, with remediation normalised and data left out', () => {
  const document = jsonDocument(
    header,
    [
      outcome({ data: { secretish: 'never shown' } }),
      outcome({
        id: 'signin',
        title: 'Signed in',
        status: 'fail',
        message: 'AADSTS530003',
        details: ['device must be managed'],
        remediation: { summary: 'Use a managed device.', commands: ['az login'], fixable: false },
        blocking: true,
      }),
      outcome({ id: 'subscription', title: 'Subscription', status: 'warn', message: 'disabled' }),
    ],
    1,
  );
  assert.deepEqual(document, {
    schemaVersion: 1,
    tool: { name: 'sc-doctor', version: '0.1.0' },
    mode: 'json',
    command: 'doctor',
    doctor: {
      summary: { pass: 1, warn: 1, fail: 1, skip: 0, error: 0, timeout: 0 },
      checks: [
        {
          id: 'azure-cli',
          title: 'Azure CLI',
          status: 'pass',
          durationMs: 12,
          message: '2.67.0',
          details: [],
          remediation: null,
          blocking: false,
        },
        {
          id: 'signin',
          title: 'Signed in',
          status: 'fail',
          durationMs: 12,
          message: 'AADSTS530003',
          details: ['device must be managed'],
          remediation: {
            summary: 'Use a managed device.',
            commands: ['az login'],
            commandLabels: {},
            docsUrl: null,
            fixable: false,
          },
          blocking: true,
        },
        {
          id: 'subscription',
          title: 'Subscription',
          status: 'warn',
          durationMs: 12,
          message: 'disabled',
          details: [],
          remediation: null,
          blocking: false,
        },
      ],
    },
    setup: null,
    snippets: [],
    exitCode: 1,
  });
  assert.ok(!JSON.stringify(document).includes('never shown'));
});

function input(
  outcomes: CheckOutcome[],
  strict = false,
): FrontEndInput & { out: CaptureStream; err: CaptureStream } {
  const out = new CaptureStream();
  const err = new CaptureStream();
  return {
    session: { bus: new EventBus<RunEvent>(), doctor: async () => outcomes },
    header,
    verbose: false,
    strict,
    color: false,
    cancel: new AbortController(),
    stdout: out,
    stderr: err,
    out,
    err,
  };
}

test('runJson writes one parseable document and nothing else; warnings pass unless strict', async () => {
  const warn = [outcome({ status: 'warn', message: 'old' })];
  const relaxed = input(warn);
  assert.equal(await runJson(relaxed), 0);
  assert.equal(relaxed.err.text, '');
  assert.equal(relaxed.out.text.trimEnd().split('\n').at(-1), '}');
  assert.equal(JSON.parse(relaxed.out.text).exitCode, 0);

  const strict = input(warn, true);
  assert.equal(await runJson(strict), 1);
  assert.equal(JSON.parse(strict.out.text).exitCode, 1);
});
