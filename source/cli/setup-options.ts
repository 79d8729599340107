/**
 * `sc-doctor setup <database> ...` and `sc-doctor undo ...`: their operands and flags, validated into
 * a `SetupRequest` before anything runs. Every mistake is a usage error naming the flag.
 */

import { commandLine } from '../core/command-line.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import { DATABASE_KINDS, type DatabaseKind, databaseKindOf } from '../databases/kind.ts';
import type { DoctorTarget } from '../doctor/target.ts';
import { SP_SECRET_ENV } from '../setup/app/sp-secret.ts';
import type { SetupRequest } from '../setup/flow-types.ts';
import { assertSqlLinkerClientType } from '../setup/sql/client-types.ts';
import { CLIENT_TYPES, type ClientType, clientTypeOf } from '../snippets/types.ts';
import { authFrom } from './auth-flags.ts';
import { FLAGS } from './flags.ts';
import { HELP_HINT, type ParsedArgs } from './parse-args.ts';

export { glueKeyValues } from './auth-flags.ts';

import { UsageError } from './usage-error.ts';

/** Refuses flags meant for another command (`doctor --yes`), naming the command they belong to. */
export function assertFlagsFor(command: string, parsed: Pick<ParsedArgs, 'flags'>): void {
  for (const name of parsed.flags.keys()) {
    const spec = FLAGS.find((flag) => flag.name === name);
    if (spec?.commands && !spec.commands.includes(command)) {
      throw new UsageError(`--${name} is for sc-doctor ${spec.commands.join(' or ')}, not ${command}.`, [
        HELP_HINT,
      ]);
    }
  }
}

/** Builds the setup request from `setup <database> ...`; throws `UsageError` naming what is wrong. */
export function setupRequestFrom(parsed: Pick<ParsedArgs, 'operands' | 'flags'>): SetupRequest {
  const [database, extra] = parsed.operands;
  if (database === undefined) {
    throw new UsageError('setup needs the kind of database: sc-doctor setup postgres [flags]', [HELP_HINT]);
  }
  const kind = databaseKindOf(database.toLowerCase());
  if (!kind) {
    const known = `${DATABASE_KINDS.slice(0, -1).join(', ')} and ${DATABASE_KINDS.at(-1)}`;
    throw new UsageError(`setup knows ${known}; got '${clip(database)}'.`, [HELP_HINT]);
  }
  if (extra !== undefined) throw new UsageError(`unexpected argument '${clip(extra)}'.`, [HELP_HINT]);

  const flag = (name: string) => {
    const value = parsed.flags.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const request: SetupRequest = {
    database: kind,
    yes: parsed.flags.has('yes'),
    dryRun: parsed.flags.has('dry-run'),
    linker: !parsed.flags.has('no-linker'),
    grants: 'least',
  };
  if (!request.linker && isSpringTarget(flag('target'), flag('source-id')))
    throw new UsageError(
      "--no-linker cannot write a Spring app's settings: they live in the environment variables of its active deployment.",
      ['Leave out --no-linker: Service Connector writes them to the deployment.'],
    );
  const auth = authFrom(parsed.flags);
  if (auth) {
    request.auth = auth.choice;
    if (auth.mysqlIdentityId !== undefined) {
      if (kind !== 'mysql')
        throw new UsageError(
          'mysql-identity-id= is for sc-doctor setup mysql: PostgreSQL needs no server identity.',
        );
      request.mysqlIdentityId = auth.mysqlIdentityId;
    }
  }

  const clientType = flag('client-type');
  if (clientType !== undefined) request.clientType = clientTypeFrom(clientType);

  const grants = flag('grants');
  if (grants !== undefined) {
    if (grants !== 'least' && grants !== 'owner')
      throw new UsageError(`--grants must be least or owner; got '${clip(grants)}'.`);
    request.grants = grants;
  }

  const dbUser = flag('db-user');
  if (dbUser !== undefined) request.dbUser = dbUserFrom(dbUser, kind);

  const container = parsed.flags.get('container');
  if (container !== undefined)
    request.container = containerFrom(container, flag('target'), flag('source-id'));
  if (kind === 'sql' && request.linker && request.clientType) assertSqlLinkerClientType(request.clientType);

  const resume = parsed.flags.get('resume');
  if (resume !== undefined) {
    if (typeof resume !== 'string' || resume.trim() === '')
      throw new UsageError('--resume needs the id of the run that handed off.', [
        'Find it with: sc-doctor undo --list',
      ]);
    if (request.dryRun)
      throw new UsageError('--resume finishes a run and --dry-run changes nothing: leave out one of them.');
    request.resume = resume.trim();
  }
  return request;
}

/**
 * The command line as a person would type it again, without `--resume` and its value: the hand-off's
 * result adds `--resume <run id>` to it. Words a shell would split are quoted.
 */
export function setupCommandLine(argv: readonly string[]): string {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--resume') {
      i++;
      continue;
    }
    if (word.startsWith('--resume=')) continue;
    words.push(word);
  }
  return commandLine(['sc-doctor', ...words]);
}

/** True when the command line names an Azure Spring Apps app, by `--target` or by its ARM id. */
function isSpringTarget(target: string | undefined, sourceId: string | undefined): boolean {
  if (target?.toLowerCase() === 'spring') return true;
  return sourceId !== undefined && /\/providers\/Microsoft\.AppPlatform\/Spring\//i.test(sourceId);
}

function clientTypeFrom(value: string): ClientType {
  const type = clientTypeOf(value);
  if (!type)
    throw new UsageError(`--client-type must be one of ${CLIENT_TYPES.join(', ')}; got '${clip(value)}'.`);
  return type;
}

/**
 * `--container`: the container of a container app whose env gets the settings, as az's `-c`. Only a
 * container app has containers; the name is checked against the app's containers once it is read.
 */
function containerFrom(value: unknown, target: string | undefined, sourceId: string | undefined): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError("--container needs the name of one of the container app's containers.", [
      'List them with: az containerapp show -g <group> -n <app> --query properties.template.containers[].name',
    ]);
  const otherTarget = target !== undefined && target.toLowerCase() !== 'containerapp';
  const otherSource =
    sourceId !== undefined && !/\/providers\/Microsoft\.App\/containerApps\//i.test(sourceId);
  if (otherTarget || otherSource)
    throw new UsageError(
      '--container is for a container app (--target containerapp): leave it out for this app.',
    );
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new UsageError('--container must not contain control characters.');
  return value;
}

/** The database user name as the kind's engine takes it (its descriptor's `userName`). */
function dbUserFrom(value: string, kind: DatabaseKind): string {
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new UsageError('--db-user must not contain control characters.');
  const { max, counts, what } = descriptorOf(kind).userName;
  const length =
    counts === 'bytes'
      ? Buffer.byteLength(value, 'utf8')
      : counts === 'characters'
        ? [...value].length
        : value.length;
  if (length > max)
    throw new UsageError(
      `--db-user is ${length} ${counts === 'bytes' ? 'bytes' : 'characters'}; ${what} are at most ${max}.`,
      ['Choose a shorter --db-user, or leave it out: the default name always fits.'],
    );
  return value;
}

/**
 * What a setup that nobody can be asked (plain, JSON) still lacks, one entry per missing answer with
 * the flags that give it: the app, the server, the database, how the app signs in, the yes to apply
 * and a service principal's secret. Checked before anything reaches Azure.
 */
export function missingSetupFlags(
  request: SetupRequest,
  target: DoctorTarget,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const missing: string[] = [];
  if (!target.app) missing.push('the app: -g/--resource-group and -n/--app with --target, or --source-id');
  if (!target.server) missing.push('the server: --server or --server-id');
  if (!target.database) missing.push('the database: --database');
  if (!request.auth)
    missing.push(
      'how the app signs in: --system-identity, --user-identity client-id=X or --service-principal client-id=X',
    );
  // The app's own secret, never the operator's sign-in secret (AZURE_CLIENT_SECRET).
  else if (request.auth.kind === 'sp' && !env[SP_SECRET_ENV])
    missing.push(`the service principal's secret: ${SP_SECRET_ENV} in the environment`);
  if (!request.yes && !request.dryRun)
    missing.push('the yes to apply the plan: --yes (or --dry-run to see it)');
  return missing;
}

/** Throws a usage error naming every missing flag when setup cannot ask for them (plain, JSON). */
export function assertSetupFlagsGiven(
  mode: 'plain' | 'json',
  request: SetupRequest,
  target: DoctorTarget,
  env: Readonly<Record<string, string | undefined>>,
): void {
  const missing = missingSetupFlags(request, target, env);
  if (missing.length === 0) return;
  throw new UsageError(
    `setup cannot ask in ${mode} mode, and ${missing.length === 1 ? 'this is' : 'these are'} missing; nothing was checked or changed:`,
    [...missing.map((what) => `  ${what}`), 'In a terminal, sc-doctor asks for what is missing.'],
  );
}

/** `undo [RUN_ID] [--list]`. */
export interface UndoRequest {
  runId?: string;
  list: boolean;
}

export function undoRequestFrom(parsed: Pick<ParsedArgs, 'operands' | 'flags'>): UndoRequest {
  const [runId, extra] = parsed.operands;
  if (extra !== undefined) throw new UsageError(`unexpected argument '${clip(extra)}'.`, [HELP_HINT]);
  const list = parsed.flags.has('list');
  if (list && runId !== undefined)
    throw new UsageError('--list shows every run; leave out the run id, or leave out --list to undo it.');
  return { list, ...(runId !== undefined ? { runId } : {}) };
}

function clip(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
