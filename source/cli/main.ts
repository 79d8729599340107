/**
 * The CLI: parses argv, answers `--help`/`--version` without loading anything heavy, validates the
 * options, then hands the doctor to the front-end of the chosen mode. The single place that turns
 * every outcome, including user mistakes and internal errors, into an exit code.
 */
import { ExitCode } from '../core/exit-codes.ts';
import { doctorOptionsFrom } from './doctor-options.ts';
import { commandByName } from './flags.ts';
import { helpText } from './help.ts';
import { type CliIo, processIo } from './io.ts';
import { usageErrorDocument } from './json-error.ts';
import { firstWord, HELP_HINT, parseArgs, unknownCommand, unknownFlagIn } from './parse-args.ts';
import type { SetupDeps } from './run-setup.ts';
import {
  assertFlagsFor,
  glueKeyValues,
  setupCommandLine,
  setupRequestFrom,
  undoRequestFrom,
} from './setup-options.ts';
import { UsageError } from './usage-error.ts';
import { toolVersion } from './version.ts';

/** Runs the CLI and returns the exit code; never throws and never calls `process.exit`. */
export async function main(argv: string[], io: CliIo = processIo(), deps?: SetupDeps): Promise<number> {
  argv = glueKeyValues(argv);
  try {
    return await dispatch(argv, io, deps);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`sc-doctor: ${error.message}\n${error.hints.map((hint) => `${hint}\n`).join('')}`);
      // Setup and undo promise one JSON document for every outcome, a mistake included.
      if (wantsJsonDocument(argv)) {
        io.stdout.write(`${JSON.stringify(usageErrorDocument(error.message, error.hints), null, 2)}\n`);
      }
      return ExitCode.Usage;
    }
    const verbose = argv.includes('--verbose');
    const text = error instanceof Error ? error.message : String(error);
    io.stderr.write(`sc-doctor: internal error: ${text}\n`);
    io.stderr.write(
      verbose && error instanceof Error && error.stack
        ? `${error.stack}\n`
        : 'Run with --verbose for details.\n',
    );
    return ExitCode.Failure;
  }
}

/** `setup ... --json` or `undo ... --json`: answer even a usage error with a JSON document. */
function wantsJsonDocument(argv: readonly string[]): boolean {
  const options = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  const word = firstWord(argv);
  return options.includes('--json') && (word === 'setup' || word === 'undo');
}

async function dispatch(argv: string[], io: CliIo, deps: SetupDeps | undefined): Promise<number> {
  const options = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  // Help wins over every other mistake (someone asking for help should get it), but an unknown flag
  // is still named on stderr and fails the run: a typo must never pass silently.
  if (options.includes('--help') || options.includes('-h')) {
    // `sc-doctor help doctor --help` asks for the doctor's help, like `sc-doctor doctor --help`.
    const word = firstWord(argv);
    const code = showHelp(word === 'help' ? firstWord(argv.slice(argv.indexOf('help') + 1)) : word, io);
    const typo = unknownFlagIn(options);
    if (!typo) return code;
    io.stderr.write(`sc-doctor: ${typo.message}\n`);
    return ExitCode.Usage;
  }
  // Version answers only a command line that is otherwise right.
  if (options.includes('--version') || options.includes('-v')) {
    const typo = unknownFlagIn(options);
    if (typo) throw typo;
    io.stdout.write(`${toolVersion()}\n`);
    return ExitCode.Success;
  }

  const parsed = parseArgs(argv);
  const { command, operands, flags } = parsed;
  if (command === 'help') return showHelp(operands[0], io);
  if (command !== undefined && !commandByName(command)) throw unknownCommand(command);
  if (flags.has('json') && flags.has('plain')) {
    throw new UsageError('--json and --plain cannot be used together: pick one output.', [
      '--json prints one JSON document; --plain prints lines a person or a log can read.',
    ]);
  }
  assertFlagsFor(command ?? 'doctor', parsed);
  if (command === 'audit') {
    const { auditCommandFrom } = await import('./audit-options.ts');
    const audit = auditCommandFrom(parsed, io.env, io.cwd ?? process.cwd());
    const { runAuditCommand } = await import('./run-audit.ts');
    return runAuditCommand(
      audit,
      { json: flags.has('json'), plain: flags.has('plain'), verbose: flags.has('verbose') },
      io,
    );
  }
  if (command === 'snippet') {
    const { runSnippet } = await import('./run-snippet.ts');
    return runSnippet(parsed, io, io.cwd);
  }
  if (command === 'setup') {
    const request = { ...setupRequestFrom(parsed), commandLine: setupCommandLine(argv) };
    const options = doctorOptionsFrom(parsed, io.env, request.database);
    const { runSetupCommand } = await import('./run-setup.ts');
    const setup = {
      options,
      request,
      json: flags.has('json'),
      plain: flags.has('plain'),
      strict: flags.has('strict'),
    };
    return deps ? runSetupCommand(setup, io, deps) : runSetupCommand(setup, io);
  }
  if (command === 'undo') {
    const request = undoRequestFrom(parsed);
    const options = doctorOptionsFrom(parsed, io.env);
    const { runUndoCommand } = await import('./run-undo.ts');
    const undo = { request, options, json: flags.has('json'), plain: flags.has('plain') };
    return deps ? runUndoCommand(undo, io, deps) : runUndoCommand(undo, io);
  }
  if (operands.length > 0) throw new UsageError(`unexpected argument '${operands[0]}'.`, [HELP_HINT]);
  if (command === 'mcp') {
    // The MCP server and its SDK load only here: no other mode's startup pays for them.
    const { runMcpCommand } = await import('../mcp/command.ts');
    return runMcpCommand(parsed, io);
  }

  const doctorOptions = doctorOptionsFrom(parsed, io.env);
  const { runDoctor } = await import('./run-doctor.ts');
  return runDoctor(
    {
      command: command ?? 'doctor',
      guided: command === undefined,
      options: doctorOptions,
      json: flags.has('json'),
      plain: flags.has('plain'),
      strict: flags.has('strict'),
    },
    io,
    deps,
  );
}

function showHelp(word: string | undefined, io: CliIo): number {
  if (word === 'help') return showHelp(undefined, io);
  const command = word === undefined ? undefined : commandByName(word);
  if (word !== undefined && !command) throw unknownCommand(word);
  io.stdout.write(helpText(toolVersion(), command));
  return ExitCode.Success;
}
