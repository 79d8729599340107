/**
 * Journals and locks that cannot trap or trick: a damaged journal is listed, never undone and never
 * in the way; a record that does not carry its run's marks refuses the undo before anything changes;
 * `~/.sc-doctor` must be the user's own; a lock names its file and a reused pid does not hold it;
 * file system refusals say what, where and how to fix them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../source/core/usage-error.ts';
import { runSetup } from '../../source/setup/engine.ts';
import { isUnfinished, Journal, UnreadableJournalError } from '../../source/setup/journal.ts';
import { planSteps } from '../../source/setup/plan.ts';
import { writeHandOffScript } from '../../source/setup/postgres/hand-off.ts';
import { postgresUndoers } from '../../source/setup/postgres/index.ts';
import { messageOf } from '../../source/setup/rollback.ts';
import { lockFileFor, RunLockedError } from '../../source/setup/run-lock.ts';
import { UnsafeStateDirError } from '../../source/setup/state-dir.ts';
import { StorageError, storageError } from '../../source/setup/storage-error.ts';
import { undoFromJournal } from '../../source/setup/undo-from-journal.ts';
import { FakeWorld } from './fake-world.ts';

const TARGET =
  '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders';

const tempHome = () => mkdtemp(path.join(tmpdir(), 'sc-doctor-safety-'));

/** A finished run of fake steps, and its journal. */
async function finishedRun(home: string, world = new FakeWorld()) {
  const journal = new Journal({ home });
  const steps = [world.step({ id: 'a' }), world.step({ id: 'b', after: ['a'] })];
  const result = await runSetup(await planSteps(steps), { journal, target: TARGET });
  assert.equal(result.status, 'succeeded');
  return { journal, steps, world, runId: result.runId, file: journal.fileOf(result.runId) };
}

/** Journal files as a full disk, a newer version, a hand edit or a stray tool leave them. */
const DAMAGED: [string, (good: string) => string, RegExp][] = [
  ['cut short', (good) => good.slice(0, 200), /is not complete JSON/],
  ['empty', () => '', /is empty/],
  ['from a newer version', (good) => good.replace('"version": 1', '"version": 2'), /newer sc-doctor/],
  [
    'with steps: null',
    (good) => JSON.stringify({ ...JSON.parse(good), steps: null }),
    /journal\.steps must be a list/,
  ],
  [
    'with a step state nobody writes',
    (good) => good.replaceAll('"applied"', '"done-ish"'),
    /state must be one of/,
  ],
];

test('a damaged journal is listed as unreadable with its path and what to do, and the other runs are still listed', async () => {
  const home = await tempHome();
  const good = await finishedRun(home);
  const text = readFileSync(good.file, 'utf8');
  const broken: string[] = [];
  for (const [, damage] of DAMAGED) {
    const runId = `2026010${broken.length + 1}-00000${broken.length + 1}`;
    await writeFile(good.journal.fileOf(runId), damage(text.replaceAll(good.runId, runId)));
    broken.push(runId);
  }
  const { runs, unreadable } = await good.journal.listJournals();
  assert.deepEqual(
    runs.map((r) => r.runId),
    [good.runId],
  );
  assert.deepEqual(
    unreadable.map((u) => u.runId),
    broken,
  );
  unreadable.forEach((entry, i) => {
    assert.equal(entry.path, good.journal.fileOf(broken[i]!));
    assert.match(entry.problem, DAMAGED[i]![2], DAMAGED[i]![0]);
    assert.match(entry.fix, /^Fix: /);
  });
  assert.match(unreadable[0]!.fix, /mv .*\.json .*\.json\.unreadable/);
  assert.match(unreadable[2]!.fix, /the sc-doctor version that made the run/);
  assert.deepEqual(await good.journal.listRuns(), runs);
  assert.deepEqual(await good.journal.unfinishedRuns(), []);
});

test('a damaged journal never stops another run, and undo of it refuses (a usage error) without touching anything', async () => {
  const home = await tempHome();
  const good = await finishedRun(home);
  const runId = '20260101-000001';
  await writeFile(good.journal.fileOf(runId), '{"version": 1, "runId": "20260101-000001", "steps": null');

  const world = new FakeWorld();
  const next = await runSetup(await planSteps([world.step({ id: 'c' })]), {
    journal: new Journal({ home }),
    target: TARGET,
  });
  assert.equal(next.status, 'succeeded');

  await assert.rejects(
    undoFromJournal({ journal: good.journal, runId, steps: good.steps }),
    (error: unknown) =>
      error instanceof UnreadableJournalError &&
      error instanceof UsageError &&
      /the journal of run 20260101-000001 \(.*20260101-000001\.json\) is not complete JSON.*nothing was undone/.test(
        error.message,
      ),
  );
  assert.deepEqual(
    good.steps.map((s) => s.calls.undo),
    [0, 0],
  );
});

test('a record that does not carry its run mark refuses the whole undo before anything is undone', async () => {
  const home = await tempHome();
  const world = new FakeWorld();
  const good = await finishedRun(home, world);
  // Someone else's thing, and a journal edited to point b's record at it.
  world.store.set('other', 'someone else');
  const document = JSON.parse(readFileSync(good.file, 'utf8'));
  document.steps[1].record = { thing: 'other', value: 'someone else' };
  await writeFile(good.file, JSON.stringify(document));

  await assert.rejects(
    undoFromJournal({ journal: good.journal, runId: good.runId, steps: good.steps }),
    (error: unknown) =>
      error instanceof UnreadableJournalError &&
      /holds a record for step b that sc-doctor did not write/.test(error.message),
  );
  assert.deepEqual(
    good.steps.map((s) => s.calls.undo),
    [0, 0],
    'not even the good step a is undone',
  );
  assert.equal(world.store.get('other'), 'someone else');
  assert.equal(world.store.get('a'), `${good.runId}:a`);
});

test('the firewall rule undo accepts only the rule named for the run, for one address, on the run server', () => {
  const undoers = postgresUndoers({ env: {} } as never);
  const firewall = undoers.find((u) => u.id === 'firewall-temp')!;
  const origin = {
    runId: '20261206-41dfc3',
    target: TARGET,
    resource: TARGET,
    title: 'Temporary firewall rule on pg-orders',
    preview: [],
  };
  const record = {
    server: TARGET,
    serverName: 'pg-orders',
    rule: 'sc-doctor-20261206-41dfc3',
    ip: '203.0.113.7',
  };
  assert.deepEqual(firewall.checkRecord(record, origin), []);
  assert.match(
    firewall.checkRecord({ ...record, rule: 'dana-laptop' }, origin).join(),
    /record\.rule must be sc-doctor-20261206-41dfc3/,
  );
  assert.match(
    firewall.checkRecord({ ...record, ip: '0.0.0.0-255.255.255.255' }, origin).join(),
    /one IP address/,
  );
  assert.match(
    firewall.checkRecord({ ...record, server: `${TARGET}-other` }, origin).join(),
    /must be the run's server/,
  );
  // Every step the PostgreSQL flow can journal has a schema.
  const admin = undoers.find((u) => u.id === 'entra-admin')!;
  const adminOrigin = { ...origin, title: 'dana@contoso.com as Entra admin of pg-orders' };
  const adminRecord = {
    server: TARGET,
    serverName: 'pg-orders',
    objectId: '0d1e2f30-4a5b-4c6d-8e7f-da0a00000001',
    principalName: 'dana@contoso.com',
  };
  assert.deepEqual(admin.checkRecord(adminRecord, adminOrigin), []);
  assert.match(
    admin.checkRecord({ ...adminRecord, principalName: 'erin@contoso.com' }, adminOrigin).join(),
    /is not what the plan of this step named/,
  );
});

test('~/.sc-doctor owned by someone else, writable by others, a symlink out of the home or a file is refused with the fix', async () => {
  const cases: [string, (root: string, home: string) => Promise<void>, RegExp, RegExp][] = [
    [
      'owned by someone else',
      async (root) => {
        await mkdir(root, { mode: 0o700 });
        await chown(root, 4321, 4321);
      },
      /is owned by another user \(uid 4321; you are uid \d+\)/,
      /sudo chown -R \d+ /,
    ],
    [
      'world-writable',
      async (root) => {
        await mkdir(root);
        await chmod(root, 0o777);
      },
      /can be written by other users \(mode 0777\)/,
      /chmod 700 /,
    ],
    [
      'group-writable runs directory',
      async (root) => {
        await mkdir(path.join(root, 'runs'), { recursive: true, mode: 0o700 });
        await chmod(root, 0o700);
        await chmod(path.join(root, 'runs'), 0o770);
      },
      /runs can be written by other users \(mode 0770\)/,
      /chmod 700 /,
    ],
    [
      'a symlink out of the home',
      async (root) => {
        const elsewhere = await mkdtemp(path.join(tmpdir(), 'sc-doctor-elsewhere-'));
        await symlink(elsewhere, root);
      },
      /is a symbolic link to \S*sc-doctor-elsewhere-\S*, outside your home/,
      /remove the link \(rm /,
    ],
    [
      'a file',
      async (root) => {
        await writeFile(root, 'not a directory');
      },
      /is not a directory/,
      /mv .*\.sc-doctor .*\.sc-doctor\.old/,
    ],
  ];
  for (const [what, make, problem, fix] of cases) {
    const home = await tempHome();
    const journal = new Journal({ home });
    await make(journal.root, home);
    const refused = (error: unknown) =>
      error instanceof UnsafeStateDirError &&
      error instanceof UsageError &&
      problem.test(error.message) &&
      fix.test(error.hints.join('\n'));
    await assert.rejects(journal.listJournals(), refused, `listing, ${what}`);
    await assert.rejects(journal.lock(TARGET, '20261206-000001'), refused, `locking, ${what}`);
    const world = new FakeWorld();
    await assert.rejects(
      runSetup(await planSteps([world.step({ id: 'a' })]), { journal, target: TARGET }),
      refused,
      `a run, ${what}`,
    );
    assert.equal(world.store.get('a'), undefined, `nothing changed, ${what}`);
  }
});

test('a symlink to a directory inside the home is used, and a merely readable ~/.sc-doctor is made private', async () => {
  const home = await tempHome();
  const journal = new Journal({ home });
  await mkdir(path.join(home, 'state'), { mode: 0o755 });
  await chmod(path.join(home, 'state'), 0o755);
  await symlink(path.join(home, 'state'), journal.root);
  const { runId } = await finishedRun(home);
  assert.deepEqual(await readdir(path.join(home, 'state', 'runs')), [`${runId}.json`]);
});

test('a lock held by a live run names its file; one whose pid was reused, or whose process died, is taken over', async () => {
  const home = await tempHome();
  const starts = new Map<number, string>([[process.pid, 'started-now']]);
  const journalAs = (host = 'this-host') =>
    new Journal({ home, host, processStartOf: (pid) => starts.get(pid) ?? null });
  const journal = journalAs();
  const held = await journal.lock(TARGET, '20261206-000001');
  const file = lockFileFor(journal.locksDir, TARGET);
  const owner = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual([owner.pid, owner.started, owner.host], [process.pid, 'started-now', 'this-host']);
  await assert.rejects(journalAs().lock(TARGET, '20261206-000002'), (error: unknown) => {
    assert.ok(error instanceof RunLockedError);
    assert.match(error.message, /another sc-doctor run \(20261206-000001, process \d+ on this-host/);
    assert.ok(error.message.includes(`The lock is ${file}`), error.message);
    assert.ok(error.message.includes(`remove it with rm ${file}`), error.message);
    return true;
  });
  await held.release();

  // The pid is alive (it is this test's), but the process that has it started later: a reused pid.
  await writeFile(
    file,
    JSON.stringify({
      pid: process.pid,
      started: 'started-long-ago',
      host: 'this-host',
      runId: '20261206-000003',
      target: TARGET,
      since: '2026-12-06T00:00:00.000Z',
    }),
  );
  const taken = await journalAs().lock(TARGET, '20261206-000004');
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).runId, '20261206-000004');
  await taken.release();

  // A lock from another machine sharing this home cannot be checked from here: it is refused, named.
  await writeFile(
    file,
    JSON.stringify({
      pid: 999_999,
      started: 'x',
      host: 'build-agent-7',
      runId: '20261206-000005',
      target: TARGET,
      since: '2026-12-06T00:00:00.000Z',
    }),
  );
  await assert.rejects(
    journalAs().lock(TARGET, '20261206-000006'),
    (error: unknown) =>
      error instanceof RunLockedError &&
      /process 999999 on build-agent-7/.test(error.message) &&
      error.message.includes(file),
  );
});

test('a killed run whose pid was reused counts as unfinished', async () => {
  const home = await tempHome();
  const { journal, runId } = await finishedRun(home);
  const run = await journal.loadRun(runId);
  run.status = 'running';
  const probe = { isProcessAlive: () => true, host: run.host!, startOf: () => 'some later process' };
  assert.equal(isUnfinished({ ...run, processStart: 'the run process' }, probe), true);
  assert.equal(isUnfinished({ ...run, processStart: 'some later process' }, probe), false);
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  assert.equal(isUnfinished({ ...run, pid: dead }), true);
});

test('file system refusals say what, where and how to fix them', async () => {
  const home = await tempHome();
  const { journal, runId } = await finishedRun(home);
  // A directory where the journal should be: the read fails with EISDIR.
  const other = '20260101-000001';
  await mkdir(journal.fileOf(other));
  const { unreadable } = await journal.listJournals();
  assert.deepEqual(
    unreadable.map((u) => [u.runId, u.problem]),
    [[other, 'cannot be read: it is a directory, not a file (EISDIR)']],
  );
  assert.match(unreadable[0]!.fix, /^Fix: move it away: mv /);
  await assert.rejects(journal.loadRun(other), UnreadableJournalError);
  assert.equal((await journal.loadRun(runId)).runId, runId);

  for (const [code, text, fix] of [
    ['ENOSPC', 'the disk is full (ENOSPC)', /free some space/],
    ['EROFS', 'the file system is read-only (EROFS)', /writable/],
    ['EACCES', 'permission denied (EACCES)', /chmod u\+rwX/],
    ['ENOTDIR', 'a part of the path is a file, not a directory (ENOTDIR)', /ls -ld/],
  ] as const) {
    const error = storageError(
      Object.assign(new Error(`${code}: raw`), { code, path: '/home/u/.sc-doctor/runs/x.tmp' }),
      'write the journal',
      '/home/u/.sc-doctor/runs/x.json',
    );
    assert.ok(error instanceof StorageError && error instanceof UsageError, code);
    assert.equal(error.message, `cannot write the journal /home/u/.sc-doctor/runs/x.tmp: ${text}.`);
    assert.match(error.hints[0]!, fix);
  }
  const other2 = new Error('not a file system error');
  assert.equal(storageError(other2, 'write', 'x'), other2);
});

test("a step's file system error reads as what, where, why and the fix, never Node's raw text", async () => {
  const raw = Object.assign(new Error("EACCES: permission denied, open '/srv/app/script.sh'"), {
    code: 'EACCES',
    path: '/srv/app/script.sh',
  });
  assert.equal(
    messageOf(raw),
    'cannot use /srv/app/script.sh: permission denied (EACCES). Fix: make it yours and private: chmod u+rwX /srv/app/script.sh.',
  );
  const named = new StorageError('write the hand-off script', '/srv/app/script.sh', 'EROFS');
  assert.equal(
    messageOf(named),
    'cannot write the hand-off script /srv/app/script.sh: the file system is read-only (EROFS). Fix: run sc-doctor from a folder on a writable file system.',
  );
  // Under ~/.sc-doctor a read-only file system is HOME's to fix.
  assert.match(
    new StorageError('write the journal', '/home/u/.sc-doctor/runs/x.json', 'EROFS').hints[0]!,
    /point HOME at a writable directory/,
  );
  // A written script's folder that cannot be made is a StorageError too.
  const folder = await mkdtemp(path.join(tmpdir(), 'sc-doctor-script-'));
  await writeFile(path.join(folder, 'in-the-way'), '');
  await assert.rejects(
    writeHandOffScript(path.join(folder, 'in-the-way', 'sub'), '20261206-000001', 'postgres', '#!/bin/sh\n'),
    (error: unknown) =>
      error instanceof StorageError &&
      /^cannot create the folder for the hand-off script .*in-the-way.*: a part of the path is a file, not a directory \(ENOTDIR\)\.$/.test(
        error.message,
      ),
  );
  assert.equal(messageOf(new Error('not a file system error')), 'not a file system error');
});
