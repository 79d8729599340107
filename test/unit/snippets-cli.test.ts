/** `sc-doctor snippet` through `main`: output modes, detection, --out, bad values, and no secrets. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CliIo } from '../../source/cli/io.ts';
import { main } from '../../source/cli/main.ts';
import { CaptureStream } from '../helpers/capture.ts';

let folder: string;

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'snippet-cli-'));
});

after(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function run(argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const io: CliIo = {
    stdout,
    stderr,
    env: options.env ?? {},
    stdinIsTTY: false,
    stdoutIsTTY: false,
    cwd: options.cwd ?? folder,
  };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(folder, 'project-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

test('plain output: a title, the settings, dependencies, notes, then each file under a header line', async () => {
  const result = await run([
    'snippet',
    'postgres',
    '--client-type',
    'nodejs',
    '--auth',
    'user',
    '--server',
    'pg-orders',
    '--database',
    'orders',
    '--db-user',
    'aad_orders',
    '--client-id',
    '1b2c3d4e-0000-4000-8000-000000000001',
  ]);
  assert.equal(result.code, 0);
  assert.equal(result.stderr, '');
  const text = result.stdout;
  assert.match(
    text,
    /^Azure Database for PostgreSQL flexible server · nodejs · user-assigned managed identity\n/,
  );
  assert.match(text, /\nApp settings\n {2}AZURE_POSTGRESQL_HOST=pg-orders\.postgres\.database\.azure\.com\n/);
  assert.match(text, /\n {2}AZURE_POSTGRESQL_DATABASE=orders\n/);
  assert.match(text, /\n {2}AZURE_POSTGRESQL_USER=aad_orders\n/);
  assert.match(text, /\n {2}AZURE_POSTGRESQL_CLIENTID=1b2c3d4e-0000-4000-8000-000000000001\n/);
  assert.match(text, /\nDependencies\n {2}package\.json: "pg": "\^8\.23\.1"\n/);
  assert.match(text, /\nFile db\.js \(javascript\)\n\n'use strict';\n/);
  assert.doesNotMatch(text, /[─│┌┐└┘╭╮╰╯]/, 'no border characters');
  assert.ok(
    text.split('\n').every((line) => !line.endsWith(' ')),
    'no trailing spaces to copy',
  );
});

test('--json fills the snippets block of the version 1 document', async () => {
  const result = await run(['snippet', 'mysql', '--client-type', 'python', '--auth', 'system', '--json']);
  assert.equal(result.code, 0);
  assert.equal(result.stderr, '');
  const document = JSON.parse(result.stdout);
  assert.equal(document.schemaVersion, 1);
  assert.equal(document.command, 'snippet');
  assert.equal(document.setup, null);
  assert.equal(document.exitCode, 0);
  assert.equal(document.snippets.length, 1);
  const [snippet] = document.snippets;
  assert.equal(snippet.database, 'mysql');
  assert.equal(snippet.clientType, 'python');
  assert.equal(snippet.auth, 'system');
  assert.equal(snippet.support, 'supported');
  assert.equal(snippet.detectedFrom, null);
  assert.deepEqual(snippet.written, []);
  assert.deepEqual(
    snippet.settings.map((setting: { name: string }) => setting.name),
    ['AZURE_MYSQL_NAME', 'AZURE_MYSQL_HOST', 'AZURE_MYSQL_USER'],
  );
  assert.equal(snippet.files[0].path, 'db.py');
});

test('without --client-type the project decides, and the output says which file did', async () => {
  const cases: [Record<string, string>, string, string][] = [
    [{ 'package.json': '{}' }, 'nodejs', 'package.json'],
    [{ 'requirements.txt': 'flask\n' }, 'python', 'requirements.txt'],
    [{ 'pyproject.toml': '' }, 'python', 'pyproject.toml'],
    [{ 'manage.py': '', 'requirements.txt': 'django\n', 'package.json': '{}' }, 'django', 'manage.py'],
    [{ 'pom.xml': '<artifactId>spring-boot-starter-web</artifactId>' }, 'springBoot', 'pom.xml'],
    [{ 'pom.xml': '<artifactId>postgresql</artifactId>' }, 'java', 'pom.xml'],
    [{ 'build.gradle': "id 'org.springframework.boot' version '3.3.0'" }, 'springBoot', 'build.gradle'],
    [{ 'Orders.Api.csproj': '<Project />' }, 'dotnet', 'Orders.Api.csproj'],
    [{ 'go.mod': 'module orders\n' }, 'go', 'go.mod'],
    [{ 'composer.json': '{}', 'package.json': '{}' }, 'php', 'composer.json'],
    [{ Gemfile: 'source "https://rubygems.org"\n' }, 'ruby', 'Gemfile'],
  ];
  for (const [files, clientType, file] of cases) {
    const cwd = await project(files);
    const plain = await run(['snippet', 'postgres'], { cwd });
    assert.equal(plain.code, 0);
    assert.equal(
      plain.stderr,
      `sc-doctor: client type ${clientType} (detected from ${file}; --client-type to choose)\n`,
    );
    assert.match(plain.stdout, new RegExp(` · ${clientType} · `));
    const json = JSON.parse((await run(['snippet', 'postgres', '--json'], { cwd })).stdout);
    assert.equal(json.snippets[0].clientType, clientType);
    assert.equal(json.snippets[0].detectedFrom, file);
  }
});

test('nothing to detect: exit 2 naming --client-type and its values', async () => {
  const cwd = await project({ 'notes.txt': '' });
  const result = await run(['snippet', 'sql'], { cwd });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.match(
    result.stderr,
    /^sc-doctor: no project found .*--client-type \(java, springBoot, dotnet, python, django, nodejs, go, php, ruby, none\)\./,
  );
});

test('bad values exit 2 naming the flag and the valid values, without a stack trace', async () => {
  const cases: [string[], RegExp][] = [
    [['snippet'], /database type must be one of postgres, mysql, sql; got nothing\./],
    [
      ['snippet', 'oracle', '--client-type', 'nodejs'],
      /database type must be one of postgres, mysql, sql; got 'oracle'\./,
    ],
    [
      ['snippet', 'postgres', '--client-type', 'rust'],
      /--client-type must be one of java, springBoot, .*, none; got 'rust'\./,
    ],
    [
      ['snippet', 'postgres', '--client-type', 'nodejs', '--auth', 'password'],
      /--auth must be one of system, user, sp; got 'password'\./,
    ],
    [['snippet', 'postgres', 'mysql', '--client-type', 'nodejs'], /unexpected argument 'mysql'/],
    [
      ['snippet', 'postgres', '--client-type', 'nodejs', '--auth', 'user', '--client-id', 'id-orders'],
      /--client-id must be a client \(application\) id, a GUID .*; got 'id-orders'\./,
    ],
  ];
  for (const [argv, message] of cases) {
    const result = await run(argv);
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  }
});

test('values are matched without regard to case: --client-type springboot is springBoot', async () => {
  const result = await run(['snippet', 'postgres', '--client-type', 'springboot', '--json']);
  assert.equal(JSON.parse(result.stdout).snippets[0].clientType, 'springBoot');
});

test('--out writes the files and says so; an existing file is kept unless --force', async () => {
  const out = join(folder, 'out');
  const first = await run(['snippet', 'postgres', '--client-type', 'django', '--out', out]);
  assert.equal(first.code, 0);
  assert.match(
    first.stdout,
    /\nWritten\n {2}out\/azure_entra_postgresql\/__init__\.py\n {2}out\/azure_entra_postgresql\/base\.py\n {2}out\/settings_database\.py\n$/,
  );
  assert.doesNotMatch(first.stdout, /class DatabaseWrapper/, 'the code is written, not printed');
  const written = await readFile(join(out, 'azure_entra_postgresql', 'base.py'), 'utf8');
  assert.match(written, /class DatabaseWrapper\(base\.DatabaseWrapper\):/);

  await writeFile(join(out, 'settings_database.py'), 'mine\n');
  const again = await run(['snippet', 'postgres', '--client-type', 'django', '--out', out]);
  assert.equal(again.code, 2);
  assert.match(
    again.stderr,
    /--out: out\/azure_entra_postgresql\/__init__\.py, .*already exists; nothing was written\.\nAdd --force/,
  );
  assert.equal(await readFile(join(out, 'settings_database.py'), 'utf8'), 'mine\n');

  const forced = await run([
    'snippet',
    'postgres',
    '--client-type',
    'django',
    '--out',
    out,
    '--force',
    '--json',
  ]);
  assert.equal(forced.code, 0);
  assert.deepEqual(JSON.parse(forced.stdout).snippets[0].written, [
    'out/azure_entra_postgresql/__init__.py',
    'out/azure_entra_postgresql/base.py',
    'out/settings_database.py',
  ]);
  assert.notEqual(await readFile(join(out, 'settings_database.py'), 'utf8'), 'mine\n');
});

test('a service principal secret is named, never shown, even when it is in the environment', async () => {
  const secret = 'Zx8Q~s3cr3t-value-that-must-not-leak';
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ0d2luIn0.c2lnbmF0dXJl';
  const env = {
    AZURE_POSTGRESQL_CLIENTSECRET: secret,
    AZURE_MYSQL_CLIENTSECRET: secret,
    AZURE_SQL_CLIENTSECRET: secret,
    AZURE_SQL_PASSWORD: secret,
    AZURE_CLIENT_SECRET: secret,
    IDENTITY_HEADER: token,
  };
  for (const database of ['postgres', 'mysql', 'sql']) {
    for (const clientType of ['nodejs', 'python', 'springBoot', 'dotnet', 'java', 'none']) {
      for (const output of [[], ['--json']]) {
        const result = await run(
          ['snippet', database, '--client-type', clientType, '--auth', 'sp', ...output],
          { env },
        );
        assert.equal(result.code, 0);
        const all = result.stdout + result.stderr;
        assert.ok(!all.includes(secret) && !all.includes(token), `${database} ${clientType} ${output}`);
      }
    }
  }
  const plain = await run(['snippet', 'postgres', '--client-type', 'nodejs', '--auth', 'sp'], { env });
  assert.match(plain.stdout, /\n {2}AZURE_POSTGRESQL_CLIENTSECRET {2}\(secret: /);
  const json = JSON.parse(
    (await run(['snippet', 'postgres', '--client-type', 'nodejs', '--auth', 'sp', '--json'], { env })).stdout,
  );
  const secretSetting = json.snippets[0].settings.find(
    (s: { name: string }) => s.name === 'AZURE_POSTGRESQL_CLIENTSECRET',
  );
  assert.ok(secretSetting.secretRef);
  assert.equal('value' in secretSetting, false);
});

test('help for snippet: its usage, the snippet flags, and no line over 100 columns', async () => {
  for (const argv of [['snippet', '--help'], ['help', 'snippet'], ['--help']]) {
    const result = await run(argv);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--client-type <type>/);
    assert.match(result.stdout, /--auth <type>/);
    assert.match(result.stdout, /--out <dir>/);
    const snippetLines = result.stdout
      .split('\n')
      .filter((line) => /snippet|--client-type|--auth|--db-user|--client-id|--out|--force/.test(line));
    assert.ok(snippetLines.length >= 7);
    for (const line of snippetLines) assert.ok(line.length <= 100, `too long: ${line}`);
  }
  assert.match((await run(['snippet', '--help'])).stdout, /sc-doctor snippet <postgres\|mysql\|sql>/);
});
