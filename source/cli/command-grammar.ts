/**
 * The CLI's reading of a command line as a `CommandGrammar`, for the MCP server: a tool's arguments
 * become the words a person would type and are parsed and refused exactly as `sc-doctor` parses and
 * refuses them (the same names, reasons and words).
 */
import type { CommandGrammar } from '../mcp/arguments.ts';
import { auditCommandFrom } from './audit-options.ts';
import { doctorOptionsFrom } from './doctor-options.ts';
import { glueKeyValues, parseArgs } from './parse-args.ts';
import { setupRequestFrom } from './setup-options.ts';

export const cliGrammar: CommandGrammar = {
  doctorOptions: (words, env, databaseKind) =>
    doctorOptionsFrom(parseArgs(glueKeyValues(words)), env, databaseKind),
  setupRequest: (words) => setupRequestFrom(parseArgs(glueKeyValues(words))),
  // No --out: the working directory is never read.
  auditRequest: (words, env) => auditCommandFrom(parseArgs(words), env, process.cwd()).request,
};
