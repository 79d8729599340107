/**
 * `npm run twin` and `npm run demo` as a developer uses them: the env files a shell sources, the
 * stand-in az answering from the twin, sc-doctor run against it, and everything cleaned up on Ctrl-C.
 * Every program here runs in a process group of its own and is stopped by group in `finally`, so a
 * failing test leaves nothing running (npm's children would otherwise hold this file's pipes).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { builtCli, repoRoot, tempDir } from '../helpers/build.ts';
import { alive, runInGroup, spawnGroup } from '../helpers/processes.ts';
import { scenarioNames } from './scenarios.ts';

const run = promisify(execFile);

async function waitFor(file: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - started > timeoutMs) throw new Error(`${file} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('npm run twin writes .twin/env for the shell and .twin/app-env for app code, and removes them on Ctrl-C', async () => {
  const dir = tempDir('sc-doctor-twin-main-');
  const envFile = join(dir, 'env');
  const twin = spawnGroup(
    process.execPath,
    ['--import', 'tsx', 'test/azure-twin/main.ts', 'reader-only', '--no-databases', '--lro-delay=1500'],
    {
      cwd: repoRoot,
      env: { ...process.env, TWIN_ENV_FILE: envFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let printed = '';
  twin.stdout!.setEncoding('utf8').on('data', (text: string) => {
    printed += text;
  });
  const exited = new Promise<number | null>((resolve) => twin.on('close', resolve));
  try {
    await waitFor(envFile);
    const shellEnv = readFileSync(envFile, 'utf8');
    const appEnv = readFileSync(join(dir, 'app-env'), 'utf8');
    assert.match(shellEnv, /export AZ_TWIN_URL='https:\/\/127\.0\.0\.1:\d+'/);
    // The firewall check must not ask a public echo service for this machine's address.
    assert.match(shellEnv, /export SC_DOCTOR_PUBLIC_IP='127\.0\.0\.1'/);
    assert.doesNotMatch(
      shellEnv,
      /IDENTITY_ENDPOINT/,
      'the developer shell must not look like an App Service box',
    );
    assert.match(appEnv, /export IDENTITY_ENDPOINT='http:\/\/127\.0\.0\.1:\d+\/msi\/token'/);
    assert.match(printed, /scenario 'reader-only'/);
    assert.match(printed, /1500 ms per long-running operation/);
    assert.doesNotMatch(printed, /AZ_TWIN_KEY|IDENTITY_HEADER=/, 'secrets stay in the env files');

    const { stdout } = await run('sh', ['-c', `. '${envFile}' && az account show -o json`], {
      cwd: repoRoot,
      timeout: 30_000,
    });
    const account = JSON.parse(stdout);
    assert.equal(account.user.name, 'dana@contoso.twin.test');
    assert.equal(account.name, 'Contoso Dev');
    // Ctrl-C in a terminal reaches the whole foreground process group.
    twin.signalGroup('SIGINT');
    assert.equal(await exited, 0);
    assert.equal(existsSync(envFile), false);
    assert.equal(existsSync(join(dir, 'app-env')), false);
  } finally {
    await twin.stopGroup();
  }
});

test('npm run demo builds, starts the twin, runs sc-doctor against it and stops the twin', async () => {
  const result = await runInGroup('sh', ['scripts/demo.sh', 'doctor', '--json'], {
    cwd: repoRoot,
    env: { ...process.env, TWIN_SCENARIO: 'healthy' },
    timeoutMs: 120_000,
  });
  assert.equal(result.timedOut, false, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.exitCode, 0);
  assert.deepEqual(
    doc.doctor.checks.map((c: { id: string; status: string }) => `${c.id}:${c.status}`),
    // No target given to the demo run: the server checks say which flags to pass.
    [
      'azure-cli:pass',
      'signin:pass',
      'subscription:pass',
      'server:skip',
      'network-path:skip',
      'firewall:skip',
      'rbac:skip',
      'entra-config:skip',
      'app-identity:skip',
      'app-settings:skip',
      'database-user:skip',
    ],
  );
});

test('npm run twin -- --help prints the flags and every scenario with what it seeds, and starts nothing', async () => {
  const dir = tempDir('sc-doctor-twin-help-');
  const envFile = join(dir, 'env');
  const result = await runInGroup(
    process.execPath,
    ['--import', 'tsx', 'test/azure-twin/main.ts', '--help'],
    {
      cwd: repoRoot,
      env: { ...process.env, TWIN_ENV_FILE: envFile },
      timeoutMs: 30_000,
    },
  );
  assert.equal(result.timedOut, false, 'help returns at once instead of starting a twin');
  assert.equal(result.code, 0, result.stderr);
  assert.equal(existsSync(envFile), false);
  for (const flag of ['--no-databases', '--latency=MS', '--lro-delay=MS', '--help', 'TWIN_ENV_FILE'])
    assert.ok(result.stdout.includes(flag), `help names ${flag}`);
  const lines = result.stdout.split('\n');
  for (const name of scenarioNames()) assert.ok(lines.includes(`  ${name}`), `help lists ${name}`);
  // Each scenario's line comes from its TSDoc comment in scenarios.ts.
  assert.match(result.stdout, / {2}vnet-private\n\s+PostgreSQL and MySQL VNet-integrated/);
  assert.deepEqual(
    lines.filter((line) => line.length > 80),
    [],
    'help fits 80 columns',
  );
});

test('npm run twin with an unknown option or two scenarios exits 2 naming it', async () => {
  for (const [args, problem] of [
    [['--no-database'], /unknown option '--no-database'/],
    [['healthy', 'entra-off'], /one scenario at a time/],
  ] as const) {
    const result = await runInGroup(
      process.execPath,
      ['--import', 'tsx', 'test/azure-twin/main.ts', ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, TWIN_ENV_FILE: join(tempDir('sc-doctor-twin-args-'), 'env') },
        timeoutMs: 30_000,
      },
    );
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, problem);
    assert.match(result.stderr, /npm run twin -- --help/);
  }
});

test('a private scenario through .twin/env: the verdict a machine outside the network gets, DNS from the twin', async () => {
  const dir = tempDir('sc-doctor-twin-private-');
  const envFile = join(dir, 'env');
  const twin = spawnGroup(
    process.execPath,
    ['--import', 'tsx', 'test/azure-twin/main.ts', 'vnet-private', '--no-databases'],
    { cwd: repoRoot, env: { ...process.env, TWIN_ENV_FILE: envFile }, stdio: 'ignore' },
  );
  try {
    await waitFor(envFile);
    const shellEnv = readFileSync(envFile, 'utf8');
    assert.match(shellEnv, /export SC_DOCTOR_DNS_SERVER='127\.0\.0\.1:\d+'/);
    // No tunnel for a server only its network reaches; the public SQL server keeps its mapping.
    assert.doesNotMatch(shellEnv, /pg-orders\.postgres\.twin\.test:5432=/);
    assert.match(shellEnv, /sql-orders\.database\.twin\.test:1433=127\.0\.0\.1:\d+/);

    const doctor = [builtCli().cli, 'doctor', '--json', '--server', 'pg-orders', '--database', 'orders'];
    const target = ['--app', 'orders-api', '-g', 'rg-orders', '--target', 'webapp', '--check-user'];
    const command = `. '${envFile}' && exec '${process.execPath}' ${[...doctor, ...target].map((a) => `'${a}'`).join(' ')}`;
    const home = tempDir('sc-doctor-home-');
    const run = await runInGroup('sh', ['-c', command], {
      env: { HOME: home, AZURE_CONFIG_DIR: join(home, '.azure'), PATH: '/usr/bin:/bin' },
      timeoutMs: 60_000,
    });
    const checks = JSON.parse(run.stdout).doctor.checks as {
      id: string;
      status: string;
      message: string;
      details: string[];
    }[];
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    assert.equal(byId['network-path']!.status, 'fail');
    assert.match(byId['network-path']!.message, /only reachable from inside its network/);
    // The chain Azure's public DNS gives for a VNet-integrated server, from the twin's DNS server.
    assert.ok(
      byId['network-path']!.details.includes(
        'DNS: pg-orders.postgres.twin.test → pg-orders.private.postgres.twin.test',
      ),
      byId['network-path']!.details.join('\n'),
    );
    // The login asks the same DNS server, not the machine's resolver, and gets the same answer.
    assert.deepEqual(byId['database-user']!.details, [
      'pg-orders.postgres.twin.test does not resolve at SC_DOCTOR_DNS_SERVER (ENOTFOUND)',
    ]);
  } finally {
    await twin.stopGroup();
  }
});

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every process below `pid` (children, grandchildren...), read from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

test('npm run twin works with only the system Node on PATH, and a SIGTERM to npm stops the twin and its databases', async () => {
  const dir = tempDir('sc-doctor-twin-npm-');
  const envFile = join(dir, 'env');
  // The machine the README describes: the system's node and npm (Node 20 there), nothing of ours.
  const npm = spawnGroup('npm', ['run', 'twin', '--', 'healthy'], {
    cwd: repoRoot,
    env: {
      HOME: dir,
      PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      TWIN_ENV_FILE: envFile,
      // npm would ask the registry whether it is current: a DNS lookup the suite does not allow.
      npm_config_update_notifier: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  npm.stdout!.setEncoding('utf8').on('data', (text: string) => {
    printed += text;
  });
  npm.stderr!.setEncoding('utf8').on('data', (text: string) => {
    printed += text;
  });
  const exited = new Promise<void>((resolve) => npm.on('close', () => resolve()));
  try {
    await Promise.race([
      waitFor(envFile, 60_000),
      exited.then(() => {
        throw new Error(`npm run twin ended early:\n${printed}`);
      }),
    ]);
    assert.doesNotMatch(printed, /node dist\/cli\.js/, 'the banner names a command that works on old Node');
    const twinPort = Number(
      /AZ_TWIN_URL='https:\/\/127\.0\.0\.1:(\d+)'/.exec(readFileSync(envFile, 'utf8'))?.[1],
    );
    const ports = [
      twinPort,
      ...[...printed.matchAll(/(?:PostgreSQL|MySQL):\s+127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])),
    ];
    assert.equal(ports.length, 3, `the twin and both databases listen:\n${printed}`);
    for (const port of ports) assert.equal(await listening(port), true, `port ${port} is up`);
    const processes = descendants(npm.pid!);
    assert.ok(processes.length > 0);

    npm.kill('SIGTERM');
    await exited;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && processes.some(alive)) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(processes.filter(alive), [], 'every process npm run twin started has ended');
    for (const port of ports) assert.equal(await listening(port), false, `port ${port} is closed`);
    assert.equal(existsSync(envFile), false);
  } finally {
    await npm.stopGroup();
  }
});
