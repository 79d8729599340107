/**
 * The generated code that cannot be executed against the twin is at least parsed or compiled by
 * its own toolchain where one installs here: Node.js (node --check; and tedious, which validates the
 * Azure SQL connection options before it connects), Python (py_compile plus an undefined-name
 * check), PHP (php -l), Ruby (ruby -c), Java (javac, for the files that need only the JDK).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateSnippet } from '../../source/snippets/index.ts';
import type { ClientType, Snippet, SnippetFile } from '../../source/snippets/types.ts';
import { runFiles, settingsEnv } from './harness.ts';

const DATABASES = ['postgres', 'mysql', 'sql'] as const;
const AUTHS = ['system', 'user', 'sp'] as const;

function snippets(clientTypes: readonly ClientType[]): Snippet[] {
  const all: Snippet[] = [];
  for (const database of DATABASES)
    for (const clientType of clientTypes)
      for (const auth of AUTHS) all.push(generateSnippet({ database, clientType, auth }));
  return all;
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snippet-compile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(program: string, args: string[], cwd = dir): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        output: `${stdout}${stderr}`,
      });
    });
  });
}

async function save(snippet: Snippet, file: SnippetFile): Promise<string> {
  const path = join(dir, `${snippet.database}-${snippet.auth}-${file.path.replace(/\//g, '_')}`);
  await writeFile(path, file.content);
  return path;
}

test('Node.js: every file parses as CommonJS', async () => {
  for (const snippet of snippets(['nodejs'])) {
    for (const file of snippet.files) {
      const result = await run('node', ['--check', await save(snippet, file)]);
      assert.equal(result.code, 0, `${snippet.database} ${snippet.auth}: ${result.output}`);
    }
  }
});

test('Node.js Azure SQL: tedious accepts the connection options and only then fails to reach a closed port', async () => {
  const closed = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const runner = {
    path: 'run.js',
    language: 'javascript',
    content: `const { connect } = require('./db.js');
connect().then(
  () => console.log('connected'),
  (error) => console.log(JSON.stringify({ name: error.name, code: error.code })),
);
`,
  };
  for (const auth of AUTHS) {
    const snippet = generateSnippet({ database: 'sql', clientType: 'nodejs', auth, server: '127.0.0.1' });
    const result = await runFiles([...snippet.files, runner], ['node', 'run.js'], {
      ...settingsEnv(snippet),
      AZURE_SQL_PORT: String(closed),
      AZURE_SQL_CLIENTID: '1b2c3d4e-0000-4000-8000-000000000001',
      AZURE_SQL_TENANTID: '5f1e9c2a-7b3d-4e8f-9a01-c04705d0e7e1',
      AZURE_SQL_CLIENTSECRET: 'placeholder-not-a-secret',
    });
    assert.equal(result.code, 0, result.stderr);
    // tedious throws a TypeError from new Connection() for options it refuses; ESOCKET means it
    // accepted them and went on to open the socket.
    const outcome = JSON.parse(result.stdout.trim());
    assert.equal(outcome.code, 'ESOCKET', auth);
    assert.notEqual(outcome.name, 'TypeError');
  }
});

/** Compiles, then reports names read but never bound (imports, assignments, defs, parameters, builtins). */
const PYTHON_CHECK = `import ast, builtins, sys
for path in sys.argv[1:]:
    source = open(path).read()
    compile(source, path, "exec")
    tree = ast.parse(source)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in bound:
            sys.exit(f"{path}:{node.lineno}: undefined name {node.id}")
`;

test('Python and Django: every file compiles and reads no undefined name', async () => {
  const checker = join(dir, 'check_names.py');
  await writeFile(checker, PYTHON_CHECK);
  const paths: string[] = [];
  for (const snippet of snippets(['python', 'django'])) {
    for (const file of snippet.files)
      paths.push(await save(snippet, { ...file, path: `${snippet.clientType}-${file.path}` }));
  }
  const result = await run('/usr/bin/python3', [checker, ...paths]);
  assert.equal(result.code, 0, result.output);
  // The checker itself catches what it claims to.
  const broken = join(dir, 'broken.py');
  await writeFile(broken, 'credential = 1\nprint(cred)\n');
  assert.match((await run('/usr/bin/python3', [checker, broken])).output, /undefined name cred/);
});

test('PHP: every file passes php -l', async () => {
  for (const snippet of snippets(['php'])) {
    for (const file of snippet.files) {
      const result = await run('php', ['-l', await save(snippet, file)]);
      assert.equal(result.code, 0, `${snippet.database} ${snippet.auth}: ${result.output}`);
    }
  }
});

test('Ruby: every file passes ruby -c', async () => {
  for (const snippet of snippets(['ruby'])) {
    for (const file of snippet.files) {
      const result = await run('ruby', ['-c', await save(snippet, file)]);
      assert.equal(result.code, 0, `${snippet.database} ${snippet.auth}: ${result.output}`);
    }
  }
});

test('Java PostgreSQL and MySQL: Database.java compiles with javac (the drivers load by name at run time)', async () => {
  for (const database of ['postgres', 'mysql'] as const) {
    for (const auth of AUTHS) {
      const snippet = generateSnippet({ database, clientType: 'java', auth });
      const folder = await mkdtemp(join(dir, 'java-'));
      await writeFile(join(folder, 'Database.java'), snippet.files[0]!.content);
      const result = await run('javac', ['-Xlint:all', '-Werror', 'Database.java'], folder);
      assert.equal(result.code, 0, `${database} ${auth}: ${result.output}`);
    }
  }
});
