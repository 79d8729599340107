/**
 * `sc-doctor mcp`: checks the command line, then hands stdin and stdout to the MCP server
 * (source/mcp/serve.ts) with the real services and the CLI's own grammar, through which every tool's
 * arguments are read as the command line they mean. Loaded only for this command, and the server only
 * after its flags are checked, so no other mode pays for the MCP SDK or zod.
 */
import { serverWordsOf } from '../mcp/context.ts';
import { mcpSettingsFrom } from '../mcp/settings.ts';
import { cliGrammar } from './command-grammar.ts';
import { doctorOptionsFrom } from './doctor-options.ts';
import type { CliIo } from './io.ts';
import type { ParsedArgs } from './parse-args.ts';
import { nodeDeps } from './run-doctor.ts';

/** Serves MCP on stdio until stdin ends; resolves with the exit code. */
export async function runMcpCommand(parsed: ParsedArgs, io: CliIo): Promise<number> {
  const settings = mcpSettingsFrom(parsed);
  const options = doctorOptionsFrom(parsed, io.env);
  const { serveMcp } = await import('../mcp/serve.ts');
  return serveMcp({ settings, options, serverWords: serverWordsOf(parsed.flags) }, io, {
    ...nodeDeps,
    grammar: cliGrammar,
  });
}
