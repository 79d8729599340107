/**
 * One command's help speaks of that command only: a flag it borrows from another command's group
 * (audit's `--out` and `--force`, from snippet) is listed among its own, in its own words, and no
 * line says what the flag means for another command.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS, commandByName } from '../../source/cli/flags.ts';
import { helpText } from '../../source/cli/help.ts';

/** The flag sections of a help text (between the usage and the exit codes). */
function flagSections(command: string): string {
  const text = helpText('0.0.0', commandByName(command));
  return text.split('\n\nOutput\n')[1]?.split('\n\nExit codes\n')[0] ?? '';
}

test("audit's help lists --out and --force under Audit, as the report's, and no Snippet group", () => {
  const sections = flagSections('audit');
  assert.doesNotMatch(sections, /^Snippet/m);
  const audit = sections.split('\n\nAudit\n')[1]?.split('\n\n')[0] ?? '';
  assert.match(audit, /--out <file> +write the report to this file \(\.html, \.md or \.json\)/);
  assert.match(audit, /--force +with --out: replace files that exist/);
  assert.match(
    sections,
    /--database <kind> +only connections to this kind of database: postgres, mysql or sql/,
  );
});

test("snippet's help says what --out does for a snippet, without audit's words", () => {
  const sections = flagSections('snippet');
  assert.match(sections, /--out <dir> +write the files into this folder instead of printing them/);
  assert.doesNotMatch(sections, /audit/i);
});

test('no command help carries another command\'s "name:" remark', () => {
  for (const { name } of COMMANDS) {
    if (name === 'help') continue;
    const sections = flagSections(name);
    for (const other of COMMANDS.map((c) => c.name).filter((c) => c !== name))
      assert.doesNotMatch(sections, new RegExp(`\\b${other}: `), `${name} --help speaks of ${other}`);
  }
});
