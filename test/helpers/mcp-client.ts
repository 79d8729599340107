/**
 * The MCP SDK's own client (`@modelcontextprotocol/client`) driving the built `sc-doctor mcp` over
 * stdio, as an agent's host does. The transport is a stdio one of our own only so the test can keep
 * every raw line the server writes on stdout (the SDK's would hide a line that is not a message):
 * `protocolProblems()` says which lines are not JSON-RPC 2.0 messages. The server runs in a process
 * group of its own (test/helpers/processes.ts), killed if the test process ends first.
 */
import type { Client as ClientType } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/client';
import { builtCli } from './build.ts';
import { type GroupChild, spawnGroup } from './processes.ts';

type Message = Record<string, unknown>;

/** A client transport over a child's stdin and stdout that records every stdout line. */
export class RecordingStdioTransport {
  readonly lines: string[] = [];
  stderr = '';
  child: GroupChild | undefined;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: any) => void;
  #buffer = '';
  #exited: Promise<number | null> | undefined;

  constructor(
    readonly file: string,
    readonly args: string[],
    readonly env: Record<string, string>,
    readonly cwd?: string,
  ) {}

  async start(): Promise<void> {
    const child = spawnGroup(this.file, this.args, {
      env: this.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(this.cwd ? { cwd: this.cwd } : {}),
    });
    this.child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      this.#buffer += text;
      let newline = this.#buffer.indexOf('\n');
      while (newline !== -1) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        this.lines.push(line);
        try {
          this.onmessage?.(JSON.parse(line));
        } catch (error) {
          this.onerror?.(error as Error);
        }
        newline = this.#buffer.indexOf('\n');
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text;
    });
    child.once('close', () => this.onclose?.());
    child.once('error', (error) => this.onerror?.(error));
  }

  async send(message: Message): Promise<void> {
    this.child?.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** Ends stdin (the server should exit by itself) and waits for the exit. */
  async close(): Promise<void> {
    this.child?.stdin?.end();
    await this.exited();
  }

  /** The server's exit code once it has exited. */
  exited(): Promise<number | null> {
    return this.#exited ?? Promise.resolve(null);
  }

  /** Every stdout line that is not one JSON-RPC 2.0 message, and anything after the last newline. */
  protocolProblems(): string[] {
    const problems = this.lines.filter((line) => {
      try {
        const message = JSON.parse(line) as Message;
        return (
          message.jsonrpc !== '2.0' || !('method' in message || 'result' in message || 'error' in message)
        );
      } catch {
        return true;
      }
    });
    return this.#buffer === '' ? problems : [...problems, this.#buffer];
  }

  /** Everything the server wrote, stdout and stderr. */
  everything(): string {
    return `${this.lines.join('\n')}\n${this.#buffer}\n${this.stderr}`;
  }
}

export type Era = 'legacy' | 'modern';

/** What the person answers when the server asks (an elicitation handler), or no elicitation at all. */
export type Person =
  | ((request: { message: string; requestedSchema: unknown }) => Promise<ElicitAnswer>)
  | undefined;
export type ElicitAnswer =
  | { action: 'accept'; content: Record<string, string | number | boolean | string[]> }
  | { action: 'decline' }
  | { action: 'cancel' };

export interface Connected {
  client: ClientType;
  transport: RecordingStdioTransport;
  /** The consent questions the person was asked, in order. */
  asked: string[];
}

/** Starts `sc-doctor mcp ...args` (the built CLI) and connects the SDK client in `era`. */
export async function connectMcp(options: {
  era: Era;
  args?: string[];
  env: Record<string, string>;
  person?: Person;
  cwd?: string;
}): Promise<Connected> {
  const transport = new RecordingStdioTransport(
    process.execPath,
    [builtCli().cli, 'mcp', ...(options.args ?? [])],
    options.env,
    options.cwd,
  );
  const client = new Client(
    { name: 'sc-doctor-test-agent', version: '1.0.0' },
    {
      capabilities: options.person ? { elicitation: { form: {} } } : {},
      versionNegotiation: { mode: options.era === 'modern' ? { pin: '2026-07-28' } : 'legacy' },
    },
  );
  const asked: string[] = [];
  const person = options.person;
  if (person) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as { message: string; requestedSchema: unknown };
      asked.push(params.message);
      return person(params);
    });
  }
  await client.connect(transport as never);
  return { client, transport, asked };
}

/** A person who reads the question and ticks the box. */
export const accepts: Person = async () => ({ action: 'accept', content: { approve: true } });
/** A person who says no. */
export const declines: Person = async () => ({ action: 'decline' });
