/**
 * A MySQL-protocol front for the twin's MariaDB that behaves like Azure MySQL flexible server with
 * Entra authentication: TLS required, the token sent with `mysql_clear_password`, Azure's
 * `CREATE AADUSER` / `aad_auth_validate_oids_in_tenant` statements understood.
 *
 * Connection phase, per client (MySQL docs, page_protocol_connection_phase):
 *   proxy  -> HandshakeV10 (seq 0): a MySQL 8 server; capabilities = the backend's shared ones
 *             + SSL, PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH, LONG_PASSWORD; never COMPRESS.
 *   client -> SSLRequest (seq 1), TLS handshake; or a plain HandshakeResponse41, answered with
 *             ERR 3159 (require_secure_transport), as a MySQL server with that setting does.
 *   client -> HandshakeResponse41 (seq 2) over TLS
 *   proxy  -> AuthSwitchRequest to mysql_clear_password (seq 3); client -> token + NUL (seq 4)
 *   proxy verifies the token (signature, lifetime, ossrdbms audience), then logs in to MariaDB over
 *   its private socket as the named user, with the internal password derived from (user, Entra id)
 *   for each id the token's principal has (client id, object id, and the object ids of the groups
 *   it belongs to); MariaDB accepting one proves the user was created for this principal or a group
 *   of it (by CREATE AADUSER or as the Entra admin).
 *   proxy  -> the backend's OK (seq 5), or ERR 1045 "Access denied ... (using password: YES)".
 * Command phase: backend -> client bytes are relayed untouched; client -> backend packets are
 * relayed one by one, COM_QUERY payloads rewritten by mysql-aad-statements.ts.
 *
 * With a gate (the twin's ARM state, mysql-gate.ts), refusals come first, decided afresh per attempt:
 * a server that does not run resets the connection; a firewall that does not cover the client's
 * address, a password while aad_auth_only=ON, or a token while the server lacks its identity or Entra
 * admin each get Azure's error; CREATE AADUSER fails when the identity cannot read Graph.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import type { Principal } from '../azure-twin/api.ts';
import { type TokenConfig, verifyToken } from '../azure-twin/tokens.ts';
import { rewriteAadStatements } from './mysql-aad-statements.ts';
import {
  Cap,
  encodeAuthSwitch,
  encodeErr,
  encodeHandshakeResponse,
  encodeHandshakeV10,
  encodePacket,
  type HandshakeResponse,
  type HandshakeV10,
  isSslRequest,
  MAX_PAYLOAD,
  nativePasswordHash,
  nativePasswordScramble,
  PacketReader,
  PacketSplitter,
  parseAuthSwitch,
  parseErr,
  parseHandshakeResponse,
  parseHandshakeV10,
} from './mysql-packets.ts';
import { streamWithHead } from './stream-with-head.ts';

/** What Azure MySQL flexible servers of the 8.0 line report. */
const SERVER_VERSION = '8.0.21';
const COM_QUERY = 0x03;

export interface MysqlAadProxyOptions {
  /** Unix socket of the MariaDB server behind the proxy. */
  backendSocket: string;
  tls: { cert: string; key: string };
  tokenConfig: TokenConfig;
  ossrdbmsAudience: string;
  principal(id: string): Principal | undefined;
  /** Seconds since the epoch (token lifetime checks). */
  now?: () => number;
  /** ARM's say on each login; without it only the token and MariaDB's own checks apply. */
  gate?: MysqlGate;
}

/** An ERR packet's content. */
export interface MysqlRefusal {
  errno: number;
  sqlState: string;
  message: string;
}

/** The decisions the proxy asks for; the twin answers them from ARM (mysql-gate.ts). */
export interface MysqlGate {
  /** After TLS and the login packet: false when the named server does not run (connection reset). */
  serving(serverName: string | undefined): boolean;
  /** Before the password is asked for: the firewall. */
  admit(serverName: string | undefined, user: string): MysqlRefusal | undefined;
  /** After the password: what the server accepts (aad_auth_only, identity and admin for tokens). */
  authenticate(serverName: string | undefined, user: string, secret: string): MysqlRefusal | undefined;
  /** Before `CREATE AADUSER 'name'` runs: Azure resolving the user through Graph. */
  createAadUser(serverName: string | undefined, name: string): MysqlRefusal | undefined;
  /** The client address refusals name. */
  clientIp(): string;
  /**
   * Object ids of the Entra groups `objectId` belongs to (nested too): a member of the admin group
   * signs in with the group's name and its own token, as Azure lets it.
   */
  memberOf?(objectId: string): string[];
  /** True when `id` is the object id of a principal or group of the tenant (for validation ON). */
  objectIdKnown?(id: string): boolean;
}

export interface MysqlAadProxy {
  host: string;
  port: number;
  /** Stored password hash of MariaDB user `user` when it stands for Entra id `entraId`. */
  passwordHashFor(user: string, entraId: string): string;
  close(): Promise<void>;
}

export async function startMysqlAadProxy(options: MysqlAadProxyOptions): Promise<MysqlAadProxy> {
  const secret = randomBytes(32);
  const internalPassword = (user: string, entraId: string) =>
    createHmac('sha256', secret).update(`${user}\0${entraId.toLowerCase()}`).digest('base64');
  const passwordHashFor = (user: string, entraId: string) =>
    nativePasswordHash(internalPassword(user, entraId));
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  const probe = await openBackend(options.backendSocket);
  probe.socket.destroy();
  const backend = probe.handshake;
  const offered =
    ((backend.capabilities & Cap.SHARED_MASK & ~Cap.COMPRESS) |
      Cap.LONG_PASSWORD |
      Cap.PROTOCOL_41 |
      Cap.SSL |
      Cap.SECURE_CONNECTION |
      Cap.PLUGIN_AUTH) >>>
    0;
  const secureContext = createSecureContext({ cert: options.tls.cert, key: options.tls.key });
  let nextConnectionId = 1;
  const open = new Set<Socket>();

  async function serve(raw: Socket): Promise<void> {
    raw.setNoDelay(true);
    const nonce = scramble();
    raw.write(
      encodePacket(
        0,
        encodeHandshakeV10({
          serverVersion: SERVER_VERSION,
          connectionId: nextConnectionId++,
          nonce,
          capabilities: offered,
          charset: backend.charset,
          status: backend.status,
          authPlugin: 'mysql_native_password',
        }),
      ),
    );
    const plainReader = new PacketReader(raw);
    const first = await plainReader.next();
    if (!isSslRequest(first.payload)) {
      raw.end(
        encodePacket(
          first.seq + 1,
          encodeErr(
            3159,
            'HY000',
            'Connections using insecure transport are prohibited while --require_secure_transport=ON.',
          ),
        ),
      );
      return;
    }
    // Clients send their TLS ClientHello right behind the SSLRequest, often in the same segment, so
    // the TLS layer must start from the bytes already read (wrapping the socket itself would lose them).
    const client = new TLSSocket(streamWithHead(raw, plainReader.release()), {
      isServer: true,
      secureContext,
    });
    client.on('error', () => raw.destroy());
    const reader = new PacketReader(client);
    const hello = await reader.next();
    const login = parseHandshakeResponse(hello.payload);
    let seq = hello.seq;
    const sni = (client as TLSSocket & { servername?: string | false }).servername || undefined;
    const gate = options.gate;
    if (gate && !gate.serving(sni)) {
      raw.resetAndDestroy();
      return;
    }
    const refused = gate?.admit(sni, login.user);
    if (refused) {
      client.end(encodePacket(seq + 1, encodeErr(refused.errno, refused.sqlState, refused.message)));
      return;
    }
    let token: string;
    if (login.authPlugin === 'mysql_clear_password' && login.authResponse.length > 0) {
      token = withoutNul(login.authResponse);
    } else {
      client.write(encodePacket(++seq, encodeAuthSwitch('mysql_clear_password', Buffer.alloc(0))));
      const reply = await reader.next();
      seq = reply.seq;
      token = withoutNul(reply.payload);
    }
    const host = gate?.clientIp() ?? (raw.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const denied = encodeErr(
      1045,
      '28000',
      `Access denied for user '${login.user}'@'${host}' (using password: YES)`,
    );
    const notAccepted = gate?.authenticate(sni, login.user, token);
    if (notAccepted) {
      client.end(
        encodePacket(seq + 1, encodeErr(notAccepted.errno, notAccepted.sqlState, notAccepted.message)),
      );
      return;
    }

    const claims = verifyToken(options.tokenConfig, token, now());
    if (!claims || claims.aud !== options.ossrdbmsAudience) {
      client.end(encodePacket(seq + 1, denied));
      return;
    }
    const principal = options.principal(claims.oid);
    const entraIds = [
      ...new Set(
        [principal?.appId, principal?.objectId, claims.oid, ...(gate?.memberOf?.(claims.oid) ?? [])]
          .filter(Boolean)
          .map((id) => id!.toLowerCase()),
      ),
    ];
    for (const entraId of entraIds) {
      const attempt = await loginToBackend(
        options.backendSocket,
        offered,
        login,
        internalPassword(login.user, entraId),
      );
      if (attempt.ok) {
        client.write(encodePacket(seq + 1, attempt.ok));
        relay(client, reader, attempt.socket, attempt.leftover, sni);
        return;
      }
      if (parseErr(attempt.err).code !== 1045) {
        // Right user, but e.g. an unknown database (1049) or no access to it (1044): pass it on.
        client.end(encodePacket(seq + 1, attempt.err));
        return;
      }
    }
    client.end(encodePacket(seq + 1, denied));
  }

  function relay(
    client: TLSSocket,
    reader: PacketReader,
    backendSocket: Socket,
    backendLeftover: Buffer,
    sni: string | undefined,
  ): void {
    const clientLeftover = reader.release();
    if (backendLeftover.length > 0) client.write(backendLeftover);
    backendSocket.pipe(client);
    const gate = options.gate;
    const session = {
      validateOids: true,
      principal: options.principal,
      passwordHashFor,
      ...(gate ? { refuseAadUser: (name: string) => gate.createAadUser(sni, name) } : {}),
      ...(gate?.objectIdKnown ? { objectIdKnown: gate.objectIdKnown } : {}),
    };
    const splitter = new PacketSplitter();
    let insideLongMessage = false;
    const forward = (chunk: Buffer) => {
      for (const packet of splitter.push(chunk)) {
        // A command starts at sequence 0; a 16 MiB payload continues in the next packet.
        const startsCommand = packet.seq === 0 && !insideLongMessage;
        insideLongMessage = packet.payload.length === MAX_PAYLOAD;
        if (startsCommand && packet.payload[0] === COM_QUERY && !insideLongMessage) {
          const rewritten = rewriteAadStatements(packet.payload.toString('utf8', 1), session);
          if (rewritten !== undefined) {
            backendSocket.write(
              encodePacket(0, Buffer.concat([Buffer.from([COM_QUERY]), Buffer.from(rewritten, 'utf8')])),
            );
            continue;
          }
        }
        backendSocket.write(encodePacket(packet.seq, packet.payload));
      }
    };
    client.on('data', forward);
    if (clientLeftover.length > 0) forward(clientLeftover);
    client.on('close', () => backendSocket.destroy());
    client.on('error', () => backendSocket.destroy());
    backendSocket.on('close', () => client.destroy());
    backendSocket.on('error', () => client.destroy());
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

  return {
    host: '127.0.0.1',
    port,
    passwordHashFor,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function openBackend(
  path: string,
): Promise<{ socket: Socket; reader: PacketReader; handshake: HandshakeV10 }> {
  const socket = connect(path);
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const reader = new PacketReader(socket);
  const handshake = parseHandshakeV10((await reader.next()).payload);
  return { socket, reader, handshake };
}

type BackendLogin = { ok: Buffer; socket: Socket; leftover: Buffer } | { ok?: undefined; err: Buffer };

/** Logs in to MariaDB as the client's user with the client's session capabilities. */
async function loginToBackend(
  path: string,
  offered: number,
  login: HandshakeResponse,
  password: string,
): Promise<BackendLogin> {
  const { socket, reader, handshake } = await openBackend(path);
  try {
    // Handshake-only flags (TLS, attributes, how the auth data is framed) are ours to choose; the
    // rest must match what the client believes, because the packets are relayed unchanged.
    const capabilities =
      ((login.capabilities & offered & handshake.capabilities) |
        Cap.LONG_PASSWORD |
        Cap.PROTOCOL_41 |
        Cap.SECURE_CONNECTION |
        Cap.PLUGIN_AUTH) &
      ~(Cap.SSL | Cap.CONNECT_ATTRS | Cap.PLUGIN_AUTH_LENENC_CLIENT_DATA);
    const response: HandshakeResponse = {
      capabilities: capabilities >>> 0,
      maxPacketSize: login.maxPacketSize,
      charset: login.charset,
      user: login.user,
      authResponse: nativePasswordScramble(password, handshake.nonce),
      authPlugin: 'mysql_native_password',
    };
    if (login.database !== undefined) response.database = login.database;
    socket.write(encodePacket(1, encodeHandshakeResponse(response)));
    let reply = await reader.next();
    if (reply.payload[0] === 0xfe) {
      const change = parseAuthSwitch(reply.payload);
      if (change.plugin !== 'mysql_native_password') {
        socket.destroy();
        return { err: encodeErr(1045, '28000', 'Access denied') };
      }
      socket.write(encodePacket(reply.seq + 1, nativePasswordScramble(password, change.data)));
      reply = await reader.next();
    }
    if (reply.payload[0] === 0x00) return { ok: reply.payload, socket, leftover: reader.release() };
    socket.destroy();
    return { err: reply.payload[0] === 0xff ? reply.payload : encodeErr(1045, '28000', 'Access denied') };
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

/** 20 scramble bytes; printable, because clients read part 2 up to a NUL. */
function scramble(): Buffer {
  return Buffer.from(randomBytes(20).map((b) => 0x21 + (b % 0x5e)));
}

function withoutNul(data: Buffer): string {
  return data.toString('utf8', 0, data.at(-1) === 0 ? data.length - 1 : data.length);
}
