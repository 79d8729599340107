/**
 * `sc-doctor mcp [--allow-write] [--dangerously-apply-without-consent]`: checks the command line,
 * then hands stdin and stdout to the MCP server (serve.ts). Loaded only for this command, so no other
 * mode pays for the MCP SDK or zod.
 */
import { doctorOptionsFrom } from '../cli/doctor-options.ts';
import type { CliIo } from '../cli/io.ts';
import type { ParsedArgs } from '../cli/parse-args.ts';
import { UsageError } from '../core/usage-error.ts';
import { serverWordsOf } from './context.ts';

/** How the server was started: what it may offer and how it asks. */
export interface McpServerSettings {
  /** `--allow-write`: list `apply` and `undo`. Read-only without it. */
  allowWrite: boolean;
  /**
   * `--dangerously-apply-without-consent`: a client that cannot elicit may still apply and undo.
   * A client that can elicit is asked all the same.
   */
  applyWithoutConsent: boolean;
}

/** The settings for this command line; throws `UsageError` for flags that make no sense here. */
export function mcpSettingsFrom(parsed: Pick<ParsedArgs, 'flags'>): McpServerSettings {
  for (const flag of ['json', 'plain', 'strict']) {
    if (parsed.flags.has(flag))
      throw new UsageError(
        `--${flag} is not for sc-doctor mcp: it speaks the Model Context Protocol on stdout, nothing else.`,
        ['Each tool returns its JSON document as structured content (see docs/mcp.md).'],
      );
  }
  const allowWrite = parsed.flags.has('allow-write');
  const applyWithoutConsent = parsed.flags.has('dangerously-apply-without-consent');
  if (applyWithoutConsent && !allowWrite)
    throw new UsageError('--dangerously-apply-without-consent only means something with --allow-write.', [
      'Leave it out: without --allow-write the server offers no tool that changes anything.',
    ]);
  return { allowWrite, applyWithoutConsent };
}

/** Serves MCP on stdio until stdin ends; resolves with the exit code. */
export async function runMcpCommand(parsed: ParsedArgs, io: CliIo): Promise<number> {
  const settings = mcpSettingsFrom(parsed);
  const options = doctorOptionsFrom(parsed, io.env);
  const { serveMcp } = await import('./serve.ts');
  return serveMcp({ settings, options, serverWords: serverWordsOf(parsed.flags) }, io);
}
