/**
 * The CLI: parses argv, answers `--help`/`--version` without loading anything heavy, validates the
 * options, then hands the doctor to the front-end of the chosen mode. The single place that turns
 * every outcome, including user mistakes and internal errors, into an exit code.
 */
import { exitCodeFor } from '../core/exit-codes.ts';
import { toolVersion } from '../core/version.ts';
import { commandByName } from './flags.ts';
import { helpText } from './help.ts';
import { type CliIo, processIo } from './io.ts';
import { usageErrorDocument } from './json-error.ts';
import {
  type ArgvScan,
  glueKeyValues,
  HELP_HINT,
  parseArgs,
  scanArgs,
  unknownCommand,
} from './parse-args.ts';
import type { SetupDeps } from './run-setup.ts';
import { UsageError } from './usage-error.ts';

/** Runs the CLI and returns the exit code; never throws and never calls `process.exit`. */
export async function main(given: string[], io: CliIo = processIo(), deps?: SetupDeps): Promise<number> {
  const argv = glueKeyValues(given);
  const scan = scanArgs(argv);
  try {
    return await dispatch(argv, scan, io, deps);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`sc-doctor: ${error.message}\n${error.hints.map((hint) => `${hint}\n`).join('')}`);
      // Setup and undo promise one JSON document for every outcome, a mistake included.
      if (scan.json && (scan.word === 'setup' || scan.word === 'undo')) {
        io.stdout.write(`${JSON.stringify(usageErrorDocument(error.message, error.hints), null, 2)}\n`);
      }
      return exitCodeFor({ cancelled: false, usage: true });
    }
    const verbose = scan.verbose;
    const text = error instanceof Error ? error.message : String(error);
    io.stderr.write(`sc-doctor: internal error: ${text}\n`);
    io.stderr.write(
      verbose && error instanceof Error && error.stack
        ? `${error.stack}\n`
        : 'Run with --verbose for details.\n',
    );
    return exitCodeFor({ cancelled: false, crashed: true });
  }
}

async function dispatch(
  argv: string[],
  scan: ArgvScan,
  io: CliIo,
  deps: SetupDeps | undefined,
): Promise<number> {
  // Help wins over every other mistake (someone asking for help should get it), but an unknown flag
  // is still named on stderr and fails the run: a typo must never pass silently.
  if (scan.help) {
    // `sc-doctor help doctor --help` asks for the doctor's help, like `sc-doctor doctor --help`.
    const code = showHelp(scan.helpFor, io);
    if (!scan.typo) return code;
    io.stderr.write(`sc-doctor: ${scan.typo.message}\n`);
    return exitCodeFor({ cancelled: false, usage: true });
  }
  // Version answers only a command line that is otherwise right.
  if (scan.version) {
    if (scan.typo) throw scan.typo;
    io.stdout.write(`${toolVersion()}\n`);
    return exitCodeFor({ cancelled: false });
  }

  const parsed = parseArgs(argv);
  const { command, operands, flags } = parsed;
  // Loaded past help and version, which need neither.
  const { doctorOptionsFrom, assertFlagsFor, setupCommandLine, setupRequestFrom, undoRequestFrom } =
    await import('./command-options.ts');
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
    const { runMcpCommand } = await import('./run-mcp.ts');
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
  return exitCodeFor({ cancelled: false });
}
