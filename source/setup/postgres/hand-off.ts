/**
 * Hand-off scripts: the database statements this machine could not run, written as a POSIX sh script
 * of psql commands for the person who can (an Entra admin inside the server's network, or the owner
 * of the database with its password). They run on a stock psql: TLS verified against the machine's
 * CA bundle (`PGSSLROOTCERT`: set already, else `SSL_CERT_FILE`, else the usual system bundle paths,
 * else libpq 16's `system`), one transaction per section, stopping at the first error. No secret is
 * in the file: the Entra admin's token comes from `az` when the script runs, the owner's password from
 * psql's own prompt (or `PGPASSWORD`).
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { commandLine } from '../../core/command-line.ts';
import { OSS_RDBMS_TOKEN_ARGV, psqlArgv } from '../sql-commands.ts';
import { onDisk } from '../storage-error.ts';

/** One psql session of the script. */
export interface ScriptSection {
  /** A comment line saying what it does. */
  purpose: string;
  /** The Entra admin signs in with a token from `az`; an owner with its password. */
  as: { kind: 'entra-admin' | 'owner'; user: string };
  database: string;
  statements: readonly string[];
}

/** Where the server is. */
export interface ScriptServer {
  fqdn: string;
  port: number;
}

/** System CA bundles, in the order distributions put them (Debian/Ubuntu, RHEL/Fedora, macOS/Alpine). */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
];

/** The psql command of one section, quoted by the one quoting function. */
export function psqlCommand(server: ScriptServer, section: Pick<ScriptSection, 'database' | 'as'>): string {
  return commandLine(
    psqlArgv({ host: server.fqdn, port: server.port, database: section.database, user: section.as.user }),
  );
}

const TOKEN_COMMAND = commandLine(OSS_RDBMS_TOKEN_ARGV);

/** The script's text: header comments, the CA bundle choice, then each section as a here-document. */
export function handOffScriptText(
  server: ScriptServer,
  header: readonly string[],
  sections: readonly ScriptSection[],
): string {
  const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');
  // A line break could end the here-document early: a catalogue name with one is refused.
  for (const section of sections)
    for (const statement of section.statements)
      if (/[\r\n]/.test(statement))
        throw new Error('a name with a line break cannot go into a psql script: rename it first');
  const lines = [
    '#!/bin/sh',
    ...header.map((line) => `# ${oneLine(line)}`),
    'set -eu',
    "# TLS is verified against this machine's CA bundle, as every Azure client does.",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions, written as is
    'if [ -z "${PGSSLROOTCERT:-}" ]; then',
    `  for bundle in "\${SSL_CERT_FILE:-}" ${SYSTEM_BUNDLES.join(' ')}; do`,
    '    if [ -n "$bundle" ] && [ -r "$bundle" ]; then PGSSLROOTCERT=$bundle; break; fi',
    '  done',
    'fi',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions, written as is
    'PGSSLROOTCERT=${PGSSLROOTCERT:-system}',
    'export PGSSLROOTCERT',
  ];
  const needsToken = sections.some((section) => section.as.kind === 'entra-admin');
  if (needsToken) lines.push(`token=$(${TOKEN_COMMAND})`);
  for (const section of sections) {
    lines.push(`# ${oneLine(section.purpose)}`);
    const psql = psqlCommand(server, section);
    // The token only for the admin's own psql; the owner's psql asks for its password (or reads PGPASSWORD).
    lines.push(`${section.as.kind === 'entra-admin' ? 'PGPASSWORD=$token ' : ''}${psql} <<'SC_DOCTOR_SQL'`);
    lines.push(...section.statements.map((statement) => `${statement};`));
    lines.push('SC_DOCTOR_SQL');
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * Writes the script (mode 0600) as `sc-doctor-<run id>-<suffix>.sh` in `dir` and returns its path. A
 * refusal of the file system is a `StorageError`: what, where, why and the fix.
 */
export async function writeHandOffScript(
  dir: string,
  runId: string,
  suffix: string,
  text: string,
): Promise<string> {
  const file = path.join(dir, `sc-doctor-${runId}-${suffix}.sh`);
  await writeScript(dir, file, text);
  return file;
}

/** Makes `dir` and writes `text` to `file` in it, private (0600), or throws a `StorageError`. */
export async function writeScript(dir: string, file: string, text: string): Promise<void> {
  await onDisk('create the folder for the hand-off script', dir, () => mkdir(dir, { recursive: true }));
  await onDisk('write the hand-off script', file, async () => {
    await writeFile(file, text, { mode: 0o600 });
    await chmod(file, 0o600);
  });
}
