/**
 * Tool arguments become the command line a person would type, and go through the CLI's own parser
 * and validation (given as a `CommandGrammar` when the CLI starts the server, cli/run-mcp.ts): the same names are refused for the same reasons with the same words, and a plan can
 * always be shown as the `sc-doctor setup ...` line that runs it in a terminal (built with
 * `commandLine`, so pasting it runs exactly these words). No argument is ever KQL or SQL: each is a
 * name or an id, checked against Azure's naming rules before anything runs.
 */
import type { AuditRequest } from '../audit/types.ts';
import { commandLine } from '../core/command-line.ts';
import { UsageError } from '../core/usage-error.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import type { SetupRequest } from '../setup/flow-types.ts';

/** How `sc-doctor` reads a command line: the words after `sc-doctor`, as the CLI parses and checks them. */
export interface CommandGrammar {
  /**
   * The doctor options `words` give (target flags checked against the name rules of `databaseKind`
   * when given); throws `UsageError` as the CLI refuses them.
   */
  doctorOptions(
    words: readonly string[],
    env: Readonly<Record<string, string | undefined>>,
    databaseKind?: PlanArguments['kind'],
  ): DoctorOptions;
  /** The setup request `words` (a `setup` command) give; throws `UsageError` as the CLI refuses them. */
  setupRequest(words: readonly string[]): SetupRequest;
  /**
   * The audit request `words` (an `audit` command, no `--out`) give; throws `UsageError` as the CLI
   * refuses them.
   */
  auditRequest(words: readonly string[], env: Readonly<Record<string, string | undefined>>): AuditRequest;
}

/** Which app and server, as the tools take them (the CLI's target flags, camel-cased). */
export interface TargetArguments {
  app?: string;
  resourceGroup?: string;
  target?: 'webapp' | 'containerapp' | 'spring';
  sourceId?: string;
  server?: string;
  serverId?: string;
  targetResourceGroup?: string;
  database?: string;
  subscription?: string;
}

export interface DoctorArguments extends TargetArguments {
  checkUser?: boolean;
}

/** What `plan` takes: a database kind, the target and the auth type, plus setup's options. */
export interface PlanArguments extends TargetArguments {
  kind: DatabaseKind;
  auth: 'system-identity' | 'user-identity' | 'service-principal';
  clientId?: string;
  identitySubscription?: string;
  mysqlIdentityId?: string;
  clientType?: string;
  noLinker?: boolean;
  grants?: 'least' | 'owner';
  dbUser?: string;
  container?: string;
}

const TARGET_FLAGS: readonly [keyof TargetArguments, string][] = [
  ['resourceGroup', 'resource-group'],
  ['app', 'app'],
  ['target', 'target'],
  ['sourceId', 'source-id'],
  ['server', 'server'],
  ['serverId', 'server-id'],
  ['targetResourceGroup', 'target-resource-group'],
  ['database', 'database'],
  ['subscription', 'subscription'],
];

/** `--flag value`, or `--flag=value` when the value starts with a dash (it would read as a flag). */
function flagWords(flag: string, value: string): string[] {
  return value.startsWith('-') ? [`--${flag}=${value}`] : [`--${flag}`, value];
}

/** The target flags for these arguments, in a fixed order. */
export function targetWords(args: TargetArguments): string[] {
  return TARGET_FLAGS.flatMap(([key, flag]) => {
    const value = args[key];
    return typeof value === 'string' && value !== '' ? flagWords(flag, value) : [];
  });
}

/** The words after `sc-doctor` of the `doctor` command these arguments mean. */
export function doctorWords(args: DoctorArguments): string[] {
  return ['doctor', ...targetWords(args), ...(args.checkUser ? ['--check-user'] : [])];
}

/** The words after `sc-doctor` of the `setup` command a plan means (no `--yes`, no `--dry-run`). */
export function setupWords(args: PlanArguments): string[] {
  const pairs: string[] = [];
  if (args.auth !== 'system-identity' && args.clientId !== undefined)
    pairs.push(`client-id=${args.clientId}`);
  if (args.auth === 'user-identity' && args.identitySubscription !== undefined)
    pairs.push(`subs-id=${args.identitySubscription}`);
  if (args.mysqlIdentityId !== undefined) pairs.push(`mysql-identity-id=${args.mysqlIdentityId}`);
  const words = ['setup', args.kind, ...targetWords(args), `--${args.auth}`, ...pairs];
  if (args.clientType !== undefined) words.push(...flagWords('client-type', args.clientType));
  if (args.noLinker) words.push('--no-linker');
  if (args.grants !== undefined && args.grants !== 'least') words.push('--grants', args.grants);
  if (args.dbUser !== undefined) words.push(...flagWords('db-user', args.dbUser));
  if (args.container !== undefined) words.push(...flagWords('container', args.container));
  return words;
}

/** The server's own Azure flags (`--cloud`, `--subscription`...), for the commands it prints. */
export type ServerWords = readonly string[];

/**
 * The doctor options for `words`, through the CLI's parser: the server's `--cloud`, `--credential`
 * and `--connect-to` apply to every call; a call's `subscription` wins over the server's.
 */
export function optionsFor(
  grammar: CommandGrammar,
  words: readonly string[],
  server: DoctorOptions,
  env: Readonly<Record<string, string | undefined>>,
  databaseKind?: PlanArguments['kind'],
): DoctorOptions {
  const options = grammar.doctorOptions(words, env, databaseKind);
  return {
    ...options,
    verbose: server.verbose,
    // Nothing crosses the protocol but app settings' names (docs/mcp.md).
    settingValues: 'names-only',
    ...(server.cloud !== undefined ? { cloud: server.cloud } : {}),
    ...(server.credential !== undefined ? { credential: server.credential } : {}),
    ...(server.connectTo !== undefined ? { connectTo: server.connectTo } : {}),
    ...(options.subscription === undefined && server.subscription !== undefined
      ? { subscription: server.subscription }
      : {}),
  };
}

/** A plan's request and options, validated exactly as `sc-doctor setup` validates its command line. */
export interface ValidatedPlan {
  request: SetupRequest;
  options: DoctorOptions;
  /** The words after `sc-doctor` (without the server's own flags). */
  words: string[];
}

/** Validates a plan's arguments; throws `UsageError` naming what is wrong or missing. */
export function validatePlan(
  grammar: CommandGrammar,
  args: PlanArguments,
  server: DoctorOptions,
  env: Readonly<Record<string, string | undefined>>,
): ValidatedPlan {
  const missing: string[] = [];
  if (!args.sourceId && !(args.resourceGroup && args.app))
    missing.push('the app: resourceGroup and app (with target), or sourceId');
  if (!args.serverId && !args.server) missing.push('the server: server or serverId');
  if (!args.database) missing.push('the database: database');
  if (args.auth !== 'system-identity' && !args.clientId)
    missing.push(`the client id of the ${args.auth}: clientId`);
  if (missing.length > 0)
    throw new UsageError(`plan needs ${missing.length === 1 ? 'this' : 'these'} too; nothing was read:`, [
      ...missing.map((what) => `  ${what}`),
    ]);
  const words = setupWords(args);
  const request = { ...grammar.setupRequest(words), yes: false, dryRun: true };
  return { request, options: optionsFor(grammar, words, server, env, args.kind), words };
}

/** The line that runs `words` in a terminal, with the server's own flags. */
export function terminalCommand(words: readonly string[], serverWords: ServerWords): string {
  return commandLine(['sc-doctor', ...words, ...serverWords]);
}
