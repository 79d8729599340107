/**
 * `sc-doctor snippet <postgres|mysql|sql>`: the app settings and connection code for one client
 * type and auth type, printed, written to a folder (`--out`) or as the JSON document's `snippets`.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { ResolvedCloud } from '../azure/session.ts';
import { exitCodeFor } from '../core/exit-codes.ts';
import { summarize } from '../core/run-checks.ts';
import { toolVersion } from '../core/version.ts';
import { DATABASE_KINDS } from '../databases/kind.ts';
import type { JsonDocument, JsonSnippet } from '../output/json-document.ts';
import { detectClientTypeIn } from '../snippets/detect.ts';
import { generateSnippet } from '../snippets/index.ts';
import { plainSnippet } from '../snippets/plain.ts';
import { CLIENT_TYPES, type ClientType, SNIPPET_AUTHS, type Snippet } from '../snippets/types.ts';
import { isGuid } from './doctor-options.ts';
import type { CliIo } from './io.ts';
import { HELP_HINT, type ParsedArgs } from './parse-args.ts';
import { UsageError } from './usage-error.ts';

/**
 * The cloud the code is for: `--cloud`, else az's active cloud (`az cloud show`), else AzureCloud
 * when az is not there. Its host suffixes and PostgreSQL/MySQL token scope go into the code.
 */
async function snippetCloud(name: string | undefined, io: CliIo): Promise<ResolvedCloud> {
  const [{ createAzureSession }, { nodeExec }, { assertCloudRegistered }] = await Promise.all([
    import('../azure/session.ts'),
    import('../services/exec.ts'),
    import('../azure/cloud-option.ts'),
  ]);
  const azure = createAzureSession({ env: io.env, now: Date.now, exec: nodeExec }, { cloud: name });
  try {
    await assertCloudRegistered(azure, name);
    return await azure.resolveCloud();
  } finally {
    azure.dispose();
  }
}

/** Runs the command; throws `UsageError` for bad input (exit 2). `cwd` is where detection and `--out` start. */
export async function runSnippet(parsed: ParsedArgs, io: CliIo, cwd = process.cwd()): Promise<number> {
  const flag = (name: string) => {
    const value = parsed.flags.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const json = parsed.flags.has('json');
  if (json && parsed.flags.has('plain')) {
    throw new UsageError('--json and --plain cannot be used together: pick one output.');
  }
  const database = oneOf(
    'database type',
    parsed.operands[0],
    DATABASE_KINDS,
    'sc-doctor snippet <postgres|mysql|sql>',
  );
  if (parsed.operands.length > 1)
    throw new UsageError(`unexpected argument '${parsed.operands[1]}'.`, [HELP_HINT]);
  const auth = oneOf('--auth', flag('auth') ?? 'system', SNIPPET_AUTHS);

  let clientType: ClientType;
  let detectedFrom: string | null = null;
  const named = flag('client-type');
  if (named !== undefined) {
    clientType = oneOf('--client-type', named, CLIENT_TYPES);
  } else {
    const detected = detectClientTypeIn(cwd);
    if (!detected) {
      throw new UsageError(
        `no project found in this folder to tell the client type from; name it with --client-type (${CLIENT_TYPES.join(', ')}).`,
        [
          'Detection looks for package.json, requirements.txt, pyproject.toml, manage.py, pom.xml, build.gradle, *.csproj, go.mod, composer.json and Gemfile.',
        ],
      );
    }
    clientType = detected.clientType;
    detectedFrom = detected.file;
    if (!json)
      io.stderr.write(
        `sc-doctor: client type ${clientType} (detected from ${detected.file}; --client-type to choose)\n`,
      );
  }

  const clientId = flag('client-id');
  if (clientId !== undefined && !isGuid(clientId)) {
    throw new UsageError(
      `--client-id must be a client (application) id, a GUID like 1b2c3d4e-0000-4000-8000-000000000001; got '${clientId.slice(0, 40)}'.`,
      ['Find it with: az identity show -g <group> -n <identity> --query clientId -o tsv'],
    );
  }
  const cloud = await snippetCloud(flag('cloud'), io);
  if (!json) {
    for (const warning of cloud.warnings) io.stderr.write(`sc-doctor: ${warning}\n`);
    if (cloud.source === 'az')
      io.stderr.write(`sc-doctor: cloud ${cloud.endpoints.name} (az's active cloud; --cloud to choose)\n`);
  }
  const suffix = cloud.endpoints.suffixes[database];
  const server = flag('server');
  const snippet = generateSnippet({
    database,
    clientType,
    auth,
    // A bare name gets the cloud's host suffix; the placeholder too, so the code names the right cloud.
    server: server ? (server.includes('.') ? server : `${server}${suffix}`) : `<server>${suffix}`,
    ossrdbmsResource: cloud.endpoints.ossrdbmsResource,
    ...(flag('database') ? { databaseName: flag('database') } : {}),
    ...(flag('db-user') ? { user: flag('db-user') } : {}),
    ...(clientId ? { clientId } : {}),
  });

  const out = flag('out');
  const written = out ? await writeFiles(snippet, resolve(cwd, out), parsed.flags.has('force'), cwd) : [];
  if (json) {
    io.stdout.write(`${JSON.stringify(snippetDocument({ ...snippet, detectedFrom, written }), null, 2)}\n`);
  } else {
    io.stdout.write(plainSnippet(snippet, written));
  }
  return exitCodeFor({ cancelled: false });
}

function oneOf<T extends string>(
  what: string,
  value: string | undefined,
  valid: readonly T[],
  usage?: string,
): T {
  const found = valid.find((candidate) => candidate.toLowerCase() === value?.toLowerCase());
  if (found) return found;
  const got = value === undefined ? 'nothing' : `'${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`;
  throw new UsageError(
    `${what} must be one of ${valid.join(', ')}; got ${got}.`,
    usage ? [`Usage: ${usage}`] : [HELP_HINT],
  );
}

/** Writes every file, refusing (before writing any) when one exists and `force` is off. */
async function writeFiles(snippet: Snippet, folder: string, force: boolean, cwd: string): Promise<string[]> {
  const targets = snippet.files.map((file) => ({ file, path: join(folder, file.path) }));
  const existing = targets.filter((target) => existsSync(target.path));
  if (existing.length > 0 && !force) {
    throw new UsageError(
      `--out: ${existing.map((target) => relative(cwd, target.path)).join(', ')} already exists; nothing was written.`,
      ['Add --force to replace it, or choose another folder with --out.'],
    );
  }
  for (const { file, path } of targets) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
  }
  return targets.map((target) => relative(cwd, target.path));
}

function snippetDocument(snippet: JsonSnippet): JsonDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'sc-doctor', version: toolVersion() },
    mode: 'json',
    command: 'snippet',
    doctor: { summary: summarize([]), checks: [] },
    setup: null,
    snippets: [snippet],
    exitCode: exitCodeFor({ cancelled: false }),
  };
}
