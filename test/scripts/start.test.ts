/**
 * `npm start` keeps the caller's working directory: a user in their project folder runs
 * `npm --prefix ~/sc-doctor start -- snippet postgres --out generated` (or the script itself) and the
 * project is detected there and the files land there, not in the clone. The clone here is a scratch
 * one (its own scripts/ and dist/, the repository's sources and node_modules linked in), so the build
 * start.sh makes never touches the dist/ other tests use.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { repoRoot, tempDir } from '../helpers/build.ts';
import { runInGroup } from '../helpers/processes.ts';

let clone = '';

before(() => {
  clone = join(tempDir('sc-doctor-start-clone-'), 'sc-doctor');
  mkdirSync(clone);
  // Copies keep their times (-p), so start.sh sees node_modules as installed from this lock file.
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json'])
    cpSync(join(repoRoot, file), join(clone, file), { preserveTimestamps: true });
  cpSync(join(repoRoot, 'scripts'), join(clone, 'scripts'), { recursive: true, preserveTimestamps: true });
  for (const linked of ['node_modules', 'source', 'cli.tsx'])
    symlinkSync(join(repoRoot, linked), join(clone, linked));
});

/** A user's project folder: a Python project (requirements.txt), where the clone is a Node.js one. */
function projectFolder(): string {
  const dir = tempDir('sc-doctor-user-project-');
  writeFileSync(join(dir, 'requirements.txt'), 'flask\n');
  return dir;
}

const env = () => ({
  HOME: tempDir('sc-doctor-home-'),
  // This Node first (ensure-node.sh uses it, nothing is fetched); the system's npm.
  PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
  npm_config_update_notifier: 'false',
});

function assertWrittenIn(project: string, run: { code: number | null; stdout: string; stderr: string }) {
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stderr, /client type python \(detected from requirements\.txt/);
  assert.ok(existsSync(join(project, 'generated', 'db.py')), 'the code is written in the caller’s folder');
  assert.match(readFileSync(join(project, 'generated', 'db.py'), 'utf8'), /psycopg2/);
  assert.equal(existsSync(join(clone, 'generated')), false, 'nothing lands in the clone');
}

test('npm --prefix <clone> start detects the project and writes --out where the user typed it', async () => {
  const project = projectFolder();
  const run = await runInGroup(
    'npm',
    ['--prefix', clone, 'start', '--', 'snippet', 'postgres', '--out', 'generated'],
    {
      cwd: project,
      env: env(),
      timeoutMs: 120_000,
    },
  );
  assertWrittenIn(project, run);
});

test('scripts/start.sh run directly works in the caller’s folder too', async () => {
  const project = projectFolder();
  const run = await runInGroup(
    'sh',
    [join(clone, 'scripts', 'start.sh'), 'snippet', 'postgres', '--out', 'generated'],
    { cwd: project, env: env(), timeoutMs: 120_000 },
  );
  assertWrittenIn(project, run);
});
