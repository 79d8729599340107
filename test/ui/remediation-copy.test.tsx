/**
 * What a terminal selection of the remediation copies, at 80 and 100 columns: every command comes
 * out whole (a long one continued with backslashes, which the shell joins again), and every other
 * line among the commands is a `#` comment. A wrapped platform label or the tail of a command must
 * never land on a line of its own that a paste would run.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { upgradeAdvice } from '../../source/azure/az-installer.ts';
import { azMissing, diagnoseAzFailure, diagnoseSignInText } from '../../source/azure/signin-error.ts';
import type { Remediation } from '../../source/core/types.ts';
import { outcome, renderDoctor } from '../helpers/render-ui.tsx';

afterEach(() => cleanup());

const SCOPE = 'https://management.core.windows.net//.default';

const REMEDIATIONS: Record<string, Remediation> = {
  'az missing': azMissing().remediation,
  AADSTS530003: diagnoseSignInText(
    'ERROR: AADSTS530003: Your device is required to be managed to access this resource.',
    { scope: SCOPE },
  ).remediation,
  'az hangs (a command longer than the line)': diagnoseAzFailure(
    { kind: 'timeout', timeoutMs: 15_000 } as Parameters<typeof diagnoseAzFailure>[0],
    { scope: SCOPE },
  ).remediation,
  "Debian's own az": {
    ...upgradeAdvice({ installer: undefined, launcher: '/usr/bin/az' }, '2.48.1'),
    fixable: false,
  },
};

/** The lines a paste hands to the shell: backslash-newline joined, runs of spaces squeezed. */
function logicalLines(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
}

const squeeze = (text: string) => text.trim().replace(/\s+/g, ' ');

for (const columns of [80, 100]) {
  for (const [name, remediation] of Object.entries(REMEDIATIONS)) {
    test(`${columns} columns, ${name}: commands copy whole, labels only as # comments`, async () => {
      const ui = renderDoctor({ size: { columns, rows: 60 } });
      ui.completeRun([
        outcome({ id: 'signin', title: 'Signed in', status: 'fail', message: name, remediation }),
      ]);
      const frame = await ui.waitFor(
        (f) => f.includes(remediation.commands.at(-1)!.slice(0, 20)),
        'the commands',
      );
      for (const line of frame.split('\n')) assert.ok([...line].length <= columns, `too wide: ${line}`);

      // The command block: from the first command (or its label) to the last command.
      const lines = logicalLines(frame.replace(/^.*?\bfix\b/s, ''));
      const commands = remediation.commands.map(squeeze);
      const first = lines.findIndex((line) => line.startsWith('#') || commands.includes(line));
      const last = lines.findLastIndex((line) => commands.includes(line));
      assert.ok(first >= 0 && last >= first, `no command block in:\n${frame}`);
      const block = lines.slice(first, last + 1);
      for (const line of block) {
        assert.ok(
          line.startsWith('# ') || commands.includes(line),
          `a pasted line that is neither a command nor a comment: '${line}'\n${frame}`,
        );
      }
      for (const command of commands) assert.ok(block.includes(command), `'${command}' is not whole`);
      for (const [command, label] of Object.entries(remediation.commandLabels ?? {})) {
        const at = block.indexOf(squeeze(command));
        assert.ok(at > 0 && block[at - 1]!.startsWith('#'), `the label of '${command}' is above it`);
        assert.ok(squeeze(block.slice(0, at).join(' ')).includes(squeeze(label).split(' ')[0]!));
      }
    });
  }
}

test('remediation commands hold commands only: no trailing # comment in the data', () => {
  for (const [name, remediation] of Object.entries(REMEDIATIONS)) {
    for (const command of remediation.commands) assert.doesNotMatch(command, /(^|\s)#/, name);
  }
});
