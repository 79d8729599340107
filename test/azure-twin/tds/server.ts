/**
 * The twin's Azure SQL Database endpoint: a TDS 7.4 server on 127.0.0.1 that tedious (or any TDS
 * client) reaches exactly as it reaches `<server>.database.windows.net`:
 *
 *   client -> PRELOGIN (ENCRYPTION ON, FEDAUTHREQUIRED)   server -> PRELOGIN (ENCRYPT_ON, FEDAUTHREQUIRED 1)
 *   TLS 1.2 handshake, each flight wrapped in one PRELOGIN message; then raw TLS carrying TDS packets
 *   client -> LOGIN7 with the FEDAUTH feature (access token inline, or ADAL library: FEDAUTHINFO
 *             tells it the SPN, it answers with a FEDAUTH_TOKEN message)
 *   server -> ERROR + DONE (refused, see login-gate.ts) or the login response (ENVCHANGE database,
 *             collation, language, LOGINACK, FEATUREEXTACK, ENVCHANGE packet size, DONE)
 *   client -> SQL batches, answered by executor.ts with COLMETADATA/ROW/DONE/ERROR/INFO tokens.
 * One server serves every Microsoft.Sql server of the twin; the LOGIN7 ServerName (else the TLS SNI)
 * picks which.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { createSecureContext, type TLSSocket } from 'node:tls';
import type { Principal } from '../api.ts';
import { AUTHORITY } from '../framework/audiences.ts';
import { inDirectory } from '../framework/world.ts';
import { errors, SqlError } from './azure-errors.ts';
import { executeBatch } from './executor.ts';
import { admit, type LoginGateOptions, type Session } from './login-gate.ts';
import { parseLogin7 } from './login7.ts';
import { encodeMessage, MessageReader, PacketType } from './packets.ts';
import { Encryption, parsePrelogin, preloginResponse } from './prelogin.ts';
import { parseRpc, type RpcCall } from './rpc.ts';
import { serverIdentityProblem } from './server-identity.ts';
import { tunnelTls } from './tls-in-prelogin.ts';
import { DEFAULT_COLLATION, DoneStatus, TokenStream } from './token-stream.ts';

const FEDAUTH_TOKEN = 0x08;
const PRELOGIN_PACKET_SIZE = 4096;
/** The largest packet size SQL Server accepts (and so negotiates at most). */
const MAX_PACKET_SIZE = 32767;
const LIBRARY_ADAL = 0x02;

export interface TdsStandInOptions extends LoginGateOptions {
  tls: { cert: string; key: string };
}

export interface TdsStandIn {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the endpoint on a free 127.0.0.1 port. */
export async function startTdsStandIn(options: TdsStandInOptions): Promise<TdsStandIn> {
  const secureContext = createSecureContext({ cert: options.tls.cert, key: options.tls.key });
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    serve(socket, secureContext, options).catch(() => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    host: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serve(
  raw: Socket,
  secureContext: ReturnType<typeof createSecureContext>,
  options: TdsStandInOptions,
): Promise<void> {
  const plain = new MessageReader(raw);
  const prelogin = await plain.next();
  if (prelogin.type !== PacketType.PRELOGIN) throw new Error('expected PRELOGIN');
  const offer = parsePrelogin(prelogin.payload);
  const clientEncrypts = offer.encryption === Encryption.ON || offer.encryption === Encryption.REQ;
  // Azure SQL Database never talks without TLS: a client that cannot encrypt is told it is required.
  raw.write(
    encodeMessage(
      PacketType.TABULAR_RESULT,
      preloginResponse(clientEncrypts ? Encryption.ON : Encryption.REQ),
      PRELOGIN_PACKET_SIZE,
    ),
  );
  if (!clientEncrypts) {
    await plain.next().catch(() => undefined);
    raw.destroy();
    return;
  }
  const tls = await tunnelTls(raw, plain, secureContext);
  const reader = new MessageReader(tls);
  let packetSize = PRELOGIN_PACKET_SIZE;
  const send = (payload: Buffer) => tls.write(encodeMessage(PacketType.TABULAR_RESULT, payload, packetSize));

  const loginMessage = await reader.next();
  if (loginMessage.type !== PacketType.LOGIN7) throw new Error('expected LOGIN7');
  const login = parseLogin7(loginMessage.payload);
  let session: Session;
  try {
    if (login.fedAuthLibrary !== undefined && !login.fedAuthEcho) throw errors.loginFailed();
    if (login.fedAuthLibrary === LIBRARY_ADAL) {
      send(fedAuthInfo(`${AUTHORITY}/${options.world.tenantId}`, options.sqlAudience));
      login.accessToken = readFedAuthToken(await reader.next());
    }
    session = admit(
      login,
      (tls as TLSSocket & { servername?: string | false }).servername || undefined,
      options,
    );
  } catch (error) {
    if (!(error instanceof SqlError)) throw error;
    const serverName = login.serverName.split('.')[0] ?? '';
    tls.end(
      encodeMessage(
        PacketType.TABULAR_RESULT,
        new TokenStream().error(error.diagnostic, serverName).done(DoneStatus.ERROR).toBuffer(),
        packetSize,
      ),
    );
    return;
  }
  const negotiated = Math.min(Math.max(login.packetSize || PRELOGIN_PACKET_SIZE, 512), MAX_PACKET_SIZE);
  send(loginResponse(session, negotiated));
  packetSize = negotiated;
  reader.maxPacketSize = negotiated;

  for (;;) {
    const message = await reader.next();
    let response: Buffer;
    try {
      response = respond(message.type, message.payload, session, options);
    } catch (error) {
      // A fault of the stand-in itself: say so in the request's answer rather than hang the client.
      const fault = {
        number: 21,
        state: 1,
        severity: 20,
        message: `The twin's SQL stand-in failed: ${(error as Error).message}`,
      };
      response = new TokenStream().error(fault, session.serverName).done(DoneStatus.ERROR).toBuffer();
    }
    send(response);
  }
}

function respond(type: number, payload: Buffer, session: Session, options: TdsStandInOptions): Buffer {
  const context = {
    catalog: session.catalog,
    database: session.database,
    serverName: session.serverName,
    identity: session.identity,
    directory: (): Principal[] =>
      options.world.principals.filter((p) => inDirectory(p, options.now() * 1000)),
    // Read afresh: the server's identity may change while the session is open.
    serverIdentityProblem: () =>
      serverIdentityProblem(options.world, options.store.get(session.server.id) ?? session.server),
  };
  if (type === PacketType.SQL_BATCH) {
    const headers = payload.length >= 4 ? payload.readUInt32LE(0) : 0;
    return executeBatch(payload.toString('utf16le', headers), context);
  }
  if (type === PacketType.ATTENTION) return new TokenStream().done(0x0020).toBuffer();
  if (type === PacketType.RPC_REQUEST) {
    let call: RpcCall;
    try {
      call = parseRpc(payload);
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      return new TokenStream().error(error.diagnostic, session.serverName).done(DoneStatus.ERROR).toBuffer();
    }
    if (call.procedure === 'sp_executesql')
      return executeBatch(call.statement, context, { parameters: call.parameters });
    const missing = {
      number: 2812,
      state: 62,
      severity: 16,
      message: `Could not find stored procedure '${call.procedure}'.`,
    };
    return new TokenStream().error(missing, session.serverName).done(DoneStatus.ERROR).toBuffer();
  }
  // Transactions (TRANSACTION_MANAGER requests) are outside what the stand-in does; say so.
  const unsupported = {
    number: 40000,
    state: 1,
    severity: 16,
    message: `The twin's SQL stand-in does not support TDS message type 0x${type.toString(16)} (transactions).`,
  };
  return new TokenStream().error(unsupported, session.serverName).done(DoneStatus.ERROR).toBuffer();
}

function loginResponse(session: Session, packetSize: number): Buffer {
  const { serverName, database } = session;
  return new TokenStream()
    .envChange(1, database, 'master')
    .info(
      { number: 5701, state: 2, severity: 0, message: `Changed database context to '${database}'.` },
      serverName,
    )
    .collation(DEFAULT_COLLATION)
    .envChange(2, 'us_english', '')
    .info(
      { number: 5703, state: 1, severity: 0, message: 'Changed language setting to us_english.' },
      serverName,
    )
    .loginAck()
    .featureExtAck()
    .envChange(4, String(packetSize), String(packetSize))
    .done(DoneStatus.FINAL)
    .toBuffer();
}

/** FEDAUTHINFO (MS-TDS 2.2.7.12): where the client gets its token (STS URL) and for what (SPN). */
function fedAuthInfo(stsUrl: string, spn: string): Buffer {
  const options: [number, Buffer][] = [
    [0x02, Buffer.from(spn, 'utf16le')],
    [0x01, Buffer.from(stsUrl, 'utf16le')],
  ];
  const headerLength = 4 + options.length * 9;
  const head = Buffer.alloc(headerLength);
  head.writeUInt32LE(options.length, 0);
  let offset = headerLength;
  options.forEach(([id, data], i) => {
    head[4 + i * 9] = id;
    head.writeUInt32LE(data.length, 5 + i * 9);
    head.writeUInt32LE(offset, 9 + i * 9);
    offset += data.length;
  });
  const body = Buffer.concat([head, ...options.map(([, data]) => data)]);
  const token = Buffer.alloc(5);
  token[0] = 0xee;
  token.writeUInt32LE(body.length, 1);
  return Buffer.concat([token, body]);
}

function readFedAuthToken(message: { type: number; payload: Buffer }): string {
  if (message.type !== FEDAUTH_TOKEN || message.payload.length < 8) throw errors.loginFailed();
  const length = message.payload.readUInt32LE(4);
  return message.payload.toString('utf16le', 8, 8 + length);
}
