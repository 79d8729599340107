/**
 * Pastes a printed command into a real POSIX shell (`/bin/sh -c`) whose PATH holds only stub
 * programs (az, psql, mysql, sqlcmd, sc-doctor, ssh, sh, nslookup). Each stub records the argv it
 * received, its stdin and the password variables of its environment, so a test can check that the
 * line runs exactly the argv it was built from, and that no token is in any argv. The az stub prints
 * `STUB_TOKEN` for `az account get-access-token`, as az does with `-o tsv`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A token shaped like a JWT, for the az stub to hand out. */
export const STUB_TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJzdHViIn0.c3R1Yi10b2tlbg';

/** The programs a printed command may run. */
export const STUB_PROGRAMS = ['az', 'psql', 'mysql', 'sqlcmd', 'sc-doctor', 'ssh', 'sh', 'nslookup'] as const;

/** One program call a stub saw. */
export interface StubCall {
  program: string;
  /** The arguments after the program name. */
  argv: string[];
  stdin: string;
  /** PGPASSWORD, MYSQL_PWD and PGSSLROOTCERT as the program saw them (undefined when unset). */
  env: { PGPASSWORD?: string; MYSQL_PWD?: string; PGSSLROOTCERT?: string };
}

/** What pasting one line did. */
export interface PasteResult {
  status: number | null;
  stderr: string;
  calls: StubCall[];
  /** Files the line left in its working directory (a `$(touch x)` that ran would leave one). */
  leftovers: string[];
}

// Only builtins and absolute paths: PATH holds nothing but the stubs.
const STUB = `#!/bin/sh
id=$$
echo "$id" >> "$STUB_LOG/seq"
printf '%s\\0' "\${0##*/}" "$@" > "$STUB_LOG/$id.argv"
printf '%s\\0' "\${PGPASSWORD-<unset>}" "\${MYSQL_PWD-<unset>}" "\${PGSSLROOTCERT-<unset>}" > "$STUB_LOG/$id.env"
/bin/cat > "$STUB_LOG/$id.stdin"
if [ "\${0##*/}" = az ] && [ "\${1-}" = account ] && [ "\${2-}" = get-access-token ]; then
  printf '%s\\n' "$STUB_TOKEN"
fi
exit 0
`;

let stubDir: string | undefined;

function stubs(): string {
  if (stubDir) return stubDir;
  const dir = mkdtempSync(path.join(tmpdir(), 'sc-doctor-paste-stubs-'));
  for (const program of STUB_PROGRAMS) {
    writeFileSync(path.join(dir, program), STUB);
    chmodSync(path.join(dir, program), 0o755);
  }
  stubDir = dir;
  return dir;
}

/** Runs `line` as a person pasting it into sh would, with only the stubs on PATH. */
export function paste(line: string): PasteResult {
  return runShell(['-c', line]);
}

/** Runs the script file `file` with sh, only the stubs on PATH. */
export function runScript(file: string): PasteResult {
  return runShell([file]);
}

function runShell(args: string[]): PasteResult {
  const log = mkdtempSync(path.join(tmpdir(), 'sc-doctor-paste-log-'));
  const cwd = path.join(log, 'cwd');
  mkdirSync(cwd);
  const result = spawnSync('/bin/sh', args, {
    cwd,
    env: { PATH: stubs(), STUB_LOG: log, STUB_TOKEN, HOME: cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  let seq: string[] = [];
  try {
    seq = readFileSync(path.join(log, 'seq'), 'utf8').split('\n').filter(Boolean);
  } catch {
    seq = [];
  }
  const calls = seq.map((id): StubCall => {
    const words = readFileSync(path.join(log, `${id}.argv`), 'utf8')
      .split('\0')
      .slice(0, -1);
    const [pg, my, ca] = readFileSync(path.join(log, `${id}.env`), 'utf8').split('\0');
    return {
      program: words[0]!,
      argv: words.slice(1),
      stdin: readFileSync(path.join(log, `${id}.stdin`), 'utf8'),
      env: {
        ...(pg !== '<unset>' ? { PGPASSWORD: pg } : {}),
        ...(my !== '<unset>' ? { MYSQL_PWD: my } : {}),
        ...(ca !== '<unset>' ? { PGSSLROOTCERT: ca } : {}),
      },
    };
  });
  return { status: result.status, stderr: result.stderr, calls, leftovers: readdirSync(cwd) };
}
