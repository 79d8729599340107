/**
 * The front door of the twin's PostgreSQL: a small TLS-terminating proxy that speaks just enough of
 * the PostgreSQL protocol (https://www.postgresql.org/docs/17/protocol-flow.html) to decide each login
 * the way Azure's flexible server would from the ARM state, then hands the connection to the real
 * PostgreSQL over its private unix socket and relays bytes untouched.
 *
 * Why a proxy and not pg_hba.conf: Azure's decisions depend on things the real server cannot see.
 * The client's address is a twin world field (every test really comes from 127.0.0.1), a token login
 * and a password login are told apart by the shape of the secret (pg_hba cannot), and the server's
 * ARM state (Stopped, authConfig, firewall rules) must be read on every attempt without regenerating
 * files and reloading. The real server still checks every password itself: the proxy only adds
 * refusals, with one exception Azure has too: a member of an Entra admin group signs in with the
 * group's name and its own token, and the proxy (having verified that token and the membership)
 * logs in to the group's role with the password only the twin knows.
 *
 * Per connection:
 *   client -> SSLRequest; proxy -> 'S'; TLS handshake (the SNI names the ARM server).
 *     (A plain StartupMessage gets pg_hba's `no encryption` refusal, as Azure requires TLS.)
 *   server not running (ARM state)       -> TCP reset, as for a host that does not answer.
 *   client -> StartupMessage (user, database)
 *   firewall / hidden superuser          -> FATAL 28000 `no pg_hba.conf entry for host ...`
 *   proxy -> AuthenticationCleartextPassword (as Azure asks for tokens); client -> password
 *   login kind disabled in authConfig    -> FATAL 28P01 / wrong-audience text
 *   proxy logs in to PostgreSQL with the same user, database and password; from here on both sides'
 *   bytes are relayed, starting with the server's own answer (AuthenticationOk or its 28P01).
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureContext, TLSSocket } from 'node:tls';
import { streamWithHead } from './stream-with-head.ts';

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const AUTH_CLEARTEXT = 3;

/** Who is logging in where. `serverName` is the TLS SNI, when the client sent a host name. */
export interface PgLoginAttempt {
  serverName: string | undefined;
  user: string;
  database: string;
}

/** A FATAL error the client receives instead of a session. */
export interface PgRefusal {
  code: string;
  message: string;
}

/** The decisions the proxy asks for; the twin answers them from ARM (postgres-gate.ts). */
export interface PostgresGate {
  /** Right after TLS: false when the named server does not run (the connection is reset). */
  serving(serverName: string | undefined): boolean;
  /** After the startup packet, before the password: pg_hba-style refusals. */
  admit(attempt: PgLoginAttempt): PgRefusal | undefined;
  /** After the password: refusals for the kind of credential sent. */
  authenticate(attempt: PgLoginAttempt, password: string): PgRefusal | undefined;
  /**
   * The password to log in to the real server with, when it is not the one sent: a member of an
   * Entra admin group signs in with the group's name and its own token, and the group's role has a
   * password only the twin knows. Undefined: pass the client's password on.
   */
  backendPassword?(attempt: PgLoginAttempt, password: string): string | undefined;
  /** The client address refusals name. */
  clientIp(): string;
}

export interface PostgresFrontOptions {
  /** Path of the real server's socket (`<dir>/.s.PGSQL.<port>`). */
  backendSocket: string;
  tls: { cert: string; key: string };
  /** Roles no client may log in as, whatever the gate says (the hidden superuser). */
  reservedUsers: string[];
  /** Without a gate every login goes on to the real server (database tests without ARM). */
  gate?: PostgresGate;
}

export interface PostgresFront {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** pg_hba's implicit-reject text (src/backend/libpq/auth.c, PostgreSQL 16+ wording of the last part). */
export function hbaRefusal(ip: string, user: string, database: string, encryption: string): PgRefusal {
  return {
    code: '28000',
    message: `no pg_hba.conf entry for host "${ip}", user "${user}", database "${database}", ${encryption}`,
  };
}

export async function startPostgresFront(options: PostgresFrontOptions): Promise<PostgresFront> {
  const secureContext = createSecureContext({ cert: options.tls.cert, key: options.tls.key });
  const open = new Set<Socket>();
  const addressOf = (raw: Socket) =>
    options.gate?.clientIp() ?? (raw.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

  async function serve(raw: Socket): Promise<void> {
    raw.setNoDelay(true);
    const plain = new ByteReader(raw);
    let first = await readStartup(plain);
    while (first.code === GSSENC_REQUEST) {
      raw.write('N');
      first = await readStartup(plain);
    }
    if (first.code === CANCEL_REQUEST) return forwardCancel(first.raw, raw);
    if (first.code !== SSL_REQUEST) {
      const params = startupParams(first.body);
      const user = params.user ?? '';
      raw.end(errorResponse(hbaRefusal(addressOf(raw), user, params.database ?? user, 'no encryption')));
      return;
    }
    raw.write('S');
    const client = new TLSSocket(streamWithHead(raw, plain.release()), { isServer: true, secureContext });
    client.on('error', () => raw.destroy());
    await once(client, 'secure');
    const sni = (client as TLSSocket & { servername?: string | false }).servername || undefined;
    if (options.gate && !options.gate.serving(sni)) {
      raw.resetAndDestroy();
      return;
    }

    const reader = new ByteReader(client);
    const startup = await readStartup(reader);
    if (startup.code === CANCEL_REQUEST) return forwardCancel(startup.raw, client);
    if (startup.code !== PROTOCOL_3) {
      client.end(errorResponse({ code: '08P01', message: 'unsupported frontend protocol' }));
      return;
    }
    const params = startupParams(startup.body);
    const user = params.user ?? '';
    const attempt: PgLoginAttempt = { serverName: sni, user, database: params.database ?? user };
    const refused = options.reservedUsers.includes(user)
      ? hbaRefusal(addressOf(raw), user, attempt.database, 'SSL encryption')
      : options.gate?.admit(attempt);
    if (refused) {
      client.end(errorResponse(refused));
      return;
    }

    client.write(authRequest(AUTH_CLEARTEXT));
    const reply = await readMessage(reader);
    if (reply.type !== 'p') {
      client.destroy();
      return;
    }
    const password = reply.body.toString('utf8', 0, Math.max(0, reply.body.indexOf(0)));
    const denied = options.gate?.authenticate(attempt, password);
    if (denied) {
      client.end(errorResponse(denied));
      return;
    }

    const backend = connect(options.backendSocket);
    backend.on('error', () => client.destroy());
    await once(backend, 'connect');
    backend.write(startup.raw);
    const fromBackend = new ByteReader(backend);
    const ask = await readMessage(fromBackend);
    if (ask.type === 'E') {
      client.end(ask.raw);
      backend.destroy();
      return;
    }
    if (ask.type !== 'R' || ask.body.readInt32BE(0) !== AUTH_CLEARTEXT) {
      // The real server must check the password; any other answer would let someone in unchecked.
      client.end(
        errorResponse({ code: '28000', message: `password authentication failed for user "${user}"` }),
      );
      backend.destroy();
      return;
    }
    backend.write(passwordMessage(options.gate?.backendPassword?.(attempt, password) ?? password));
    relay(client, reader.release(), backend, fromBackend.release());
  }

  const server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    serve(socket).catch(() => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  function forwardCancel(packet: Buffer, client: Duplex): void {
    const backend = connect(options.backendSocket);
    backend.on('error', () => {});
    backend.end(packet);
    client.end();
  }

  return {
    host: '127.0.0.1',
    port,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function relay(client: Duplex, clientRest: Buffer, backend: Socket, backendRest: Buffer): void {
  if (backendRest.length > 0) client.write(backendRest);
  if (clientRest.length > 0) backend.write(clientRest);
  backend.pipe(client);
  client.pipe(backend);
  client.on('close', () => backend.destroy());
  client.on('error', () => backend.destroy());
  backend.on('close', () => client.destroy());
}

interface Startup {
  code: number;
  body: Buffer;
  raw: Buffer;
}

/** A length-prefixed packet without a type byte (SSLRequest, StartupMessage, CancelRequest). */
async function readStartup(reader: ByteReader): Promise<Startup> {
  const head = await reader.read(4);
  const length = head.readInt32BE(0);
  if (length < 8 || length > 10_000) throw new Error('bad startup packet');
  const body = await reader.read(length - 4);
  return { code: body.readInt32BE(0), body: body.subarray(4), raw: Buffer.concat([head, body]) };
}

/** `key\0value\0...\0` of a StartupMessage. */
function startupParams(body: Buffer): Record<string, string> {
  const fields = body.toString('utf8').split('\0');
  const params: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) params[fields[i]!] = fields[i + 1]!;
  return params;
}

async function readMessage(reader: ByteReader): Promise<{ type: string; body: Buffer; raw: Buffer }> {
  const head = await reader.read(5);
  const length = head.readInt32BE(1);
  if (length < 4 || length > 1_000_000) throw new Error('bad message');
  const body = await reader.read(length - 4);
  return { type: String.fromCharCode(head[0]!), body, raw: Buffer.concat([head, body]) };
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function authRequest(kind: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeInt32BE(kind, 0);
  return message('R', body);
}

function passwordMessage(password: string): Buffer {
  return message('p', Buffer.concat([Buffer.from(password, 'utf8'), Buffer.from([0])]));
}

function errorResponse(refusal: PgRefusal): Buffer {
  const fields: [string, string][] = [
    ['S', 'FATAL'],
    ['V', 'FATAL'],
    ['C', refusal.code],
    ['M', refusal.message],
  ];
  const parts = fields.map(([key, value]) => Buffer.from(`${key}${value}\0`, 'utf8'));
  return message('E', Buffer.concat([...parts, Buffer.from([0])]));
}

/** Reads exact byte counts from a stream with await; `release()` hands back what is buffered. */
class ByteReader {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private failed = false;
  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.wake();
  };
  private readonly onEnd = () => {
    this.failed = true;
    this.wake();
  };

  constructor(private readonly stream: Duplex) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onEnd);
  }

  async read(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.failed) throw new Error('connection closed');
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  release(): Buffer {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onEnd);
    this.stream.pause();
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
