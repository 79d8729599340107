/** The help's exit-code table names every code the product can end with (exitCodeFor's ExitCode). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText } from '../../source/cli/help.ts';
import { ExitCode } from '../../source/core/exit-codes.ts';

test('the help lists every exit code sc-doctor can end with', () => {
  const table = helpText('0.0.0').split('Exit codes\n')[1]?.split('\n\n')[0] ?? '';
  for (const [name, code] of Object.entries(ExitCode)) {
    assert.match(
      table,
      new RegExp(`^  ${code} +\\S`, 'm'),
      `exit code ${code} (${name}) is missing from the help`,
    );
  }
});
