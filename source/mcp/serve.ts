/**
 * `sc-doctor mcp` on stdio. stdout carries MCP messages and nothing else: every log goes to stderr
 * (the console is pointed there before anything else loads; child processes are always piped), and
 * there is no Ink. The server ends when stdin ends (the client went away) or on SIGTERM/SIGINT: a
 * running apply or undo is interrupted as Ctrl-C would (its changes undone, journalled), and the
 * process waits for that before it exits. A second signal stops waiting, as a second Ctrl-C does.
 */
import { Console } from 'node:console';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { exitCodeFor } from '../core/exit-codes.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import { createMcpContext, type McpDeps } from './context.ts';
import { createMcpServer } from './server.ts';
import type { McpServerSettings } from './settings.ts';

/** The process's side the server uses: its environment, stdin's terminal, stderr and its signals. */
export interface McpIo {
  env: Record<string, string | undefined>;
  stdinIsTTY: boolean;
  stderr: NodeJS.WritableStream;
  onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

export interface ServeInput {
  settings: McpServerSettings;
  options: DoctorOptions;
  /** The server's own Azure flags, repeated in every command it prints. */
  serverWords: string[];
}

/** Serves until stdin ends or a signal comes; resolves with the exit code once running work settled. */
export async function serveMcp(input: ServeInput, io: McpIo, deps: McpDeps): Promise<number> {
  // A library that logs with console.log must not write into the protocol stream.
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  const context = createMcpContext({ ...input, env: io.env, deps });
  if (io.stdinIsTTY)
    io.stderr.write(
      'sc-doctor mcp is an MCP server: it reads JSON-RPC on stdin. Add it to your MCP client (docs/mcp.md); Ctrl-D ends it.\n',
    );

  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const handle = serveStdio(() => createMcpServer(context), {
    onerror: (error) => io.stderr.write(`sc-doctor mcp: ${error.message}\n`),
  });
  process.stdin.once('end', stop);
  process.stdin.once('close', stop);
  let signals = 0;
  const unsubscribe = io.onSignal?.(() => {
    signals += 1;
    // First: interrupt running work (it undoes what it applied); second: stop waiting for it.
    context.work.interruptAll(signals === 1 ? 'cancel' : 'stop');
    stop();
  });
  try {
    await stopped;
    // The client is gone: what is still running is interrupted like Ctrl-C and finishes its rollback.
    context.work.interruptAll('cancel');
    await context.work.settled();
    await handle.close().catch(() => {});
    return exitCodeFor({ cancelled: signals > 0 });
  } finally {
    unsubscribe?.();
  }
}
