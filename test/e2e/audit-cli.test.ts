/**
 * `sc-doctor audit`'s command line (the built CLI): every mistake is exit 2 naming the flag, before
 * anything runs; a report that exists is not replaced without --force.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/build.ts';

const SUB = '3c2b1a00-5d4e-4f60-8a7b-0c0de00000f1';

test('audit usage mistakes are exit 2 naming the flag', async () => {
  const cases: [string[], RegExp][] = [
    [['audit'], /audit needs a scope: --subscription ID \(repeatable\), --management-group NAME or --all/],
    [['audit', '--all', '--subscription', SUB], /Pick one scope/],
    [['audit', '--subscription', 'prod'], /--subscription must be a subscription id/],
    [
      ['audit', '--all', '--database', 'oracle'],
      /--database for audit is the kind to audit: postgres, mysql or sql/,
    ],
    [['audit', '--all', '--tag', 'novalue'], /--tag needs key=value/],
    [['audit', '--all', '--tag', 'env=prod\nx'], /--tag value "prod\\nx" holds a control character/],
    [
      ['audit', '--all', '--out', 'report.pdf'],
      /--out for audit is a report file ending in \.html, \.md or \.json/,
    ],
    [['audit', '--all', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 64/],
    [['audit', '--management-group', 'a/b'], /--management-group must be a management group's name/],
    [['audit', '--all', '--yes'], /--yes is for sc-doctor setup, not audit/],
    [['audit', '--all', '--resource-group', 'x/../y'], /--resource-group: 'x\/\.\.\/y' is not a valid/],
    [['audit', '--all', '--force'], /--force only means something with --out/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(' '));
    assert.equal(run.stdout, '');
  }
});

test('a report file that exists is kept unless --force says to replace it', async () => {
  const dir = tempDir('sc-doctor-audit-cli-');
  const path = join(dir, 'report.html');
  writeFileSync(path, 'keep me');
  const run = await runCli(['audit', '--all', '--out', path]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /exists already: add --force to replace it/);
  assert.equal(readFileSync(path, 'utf8'), 'keep me');
});

test('audit --help lists its scope, filters and report flags', async () => {
  const run = await runCli(['audit', '--help']);
  assert.equal(run.code, 0);
  for (const flag of [
    '--subscription',
    '--management-group',
    '--all',
    '--tag',
    '--database',
    '--resource-group',
    '--check-user',
    '--concurrency',
    '--out',
  ])
    assert.ok(run.stdout.includes(flag), flag);
  assert.doesNotMatch(run.stdout, /--yes/);
});
