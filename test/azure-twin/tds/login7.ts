/**
 * LOGIN7 (MS-TDS 2.2.6.4): a 94-byte fixed part of offsets and character counts into UCS-2 strings,
 * and, when fExtension is set, an indirect pointer (a DWORD at ibExtension) to the FeatureExt list
 * that carries FEDAUTH with the access token.
 */

const FEATURE_FEDAUTH = 0x02;
const FEATURE_TERMINATOR = 0xff;
const FEDAUTH_LIBRARY_SECURITYTOKEN = 0x01;
const OPTION_FLAGS3_EXTENSION = 0x10;

/** What the stand-in needs from a LOGIN7. */
export interface Login7 {
  tdsVersion: number;
  packetSize: number;
  hostName: string;
  userName: string;
  appName: string;
  serverName: string;
  database: string;
  /** The access token of a FEDAUTH SECURITYTOKEN login, or undefined for any other login kind. */
  accessToken: string | undefined;
  /** Library of the FEDAUTH feature (1 = security token, 2 = ADAL workflow); undefined without FEDAUTH. */
  fedAuthLibrary: number | undefined;
  /** fFedAuthEcho: the client saw FEDAUTHREQUIRED = 1 in our PRELOGIN. */
  fedAuthEcho: boolean;
}

/** Parses a LOGIN7 payload; structural damage is an Error. */
export function parseLogin7(payload: Buffer): Login7 {
  if (payload.length < 94) throw new Error('LOGIN7 shorter than its fixed part');
  const text = (at: number): string => {
    const offset = payload.readUInt16LE(at);
    const chars = payload.readUInt16LE(at + 2);
    if (offset + chars * 2 > payload.length) throw new Error('LOGIN7 string points past the payload');
    return payload.toString('utf16le', offset, offset + chars * 2);
  };
  const login: Login7 = {
    tdsVersion: payload.readUInt32LE(4),
    packetSize: payload.readUInt32LE(8),
    hostName: text(36),
    userName: text(40),
    appName: text(48),
    serverName: text(52),
    database: text(68),
    accessToken: undefined,
    fedAuthLibrary: undefined,
    fedAuthEcho: false,
  };
  if (payload[27]! & OPTION_FLAGS3_EXTENSION) readFeatures(payload, login);
  return login;
}

function readFeatures(payload: Buffer, login: Login7): void {
  const pointerAt = payload.readUInt16LE(56);
  if (pointerAt + 4 > payload.length) throw new Error('LOGIN7 extension pointer past the payload');
  let at = payload.readUInt32LE(pointerAt);
  while (at < payload.length && payload[at] !== FEATURE_TERMINATOR) {
    if (at + 5 > payload.length) throw new Error('LOGIN7 feature header past the payload');
    const id = payload[at]!;
    const length = payload.readUInt32LE(at + 1);
    const data = payload.subarray(at + 5, at + 5 + length);
    if (data.length !== length) throw new Error('LOGIN7 feature data past the payload');
    if (id === FEATURE_FEDAUTH && length >= 1) {
      const options = data[0]!;
      login.fedAuthLibrary = options >> 1;
      login.fedAuthEcho = (options & 0x01) === 1;
      if (login.fedAuthLibrary === FEDAUTH_LIBRARY_SECURITYTOKEN && length >= 5) {
        const tokenLength = data.readUInt32LE(1);
        if (5 + tokenLength > length) throw new Error('FEDAUTH token length past the feature');
        login.accessToken = data.toString('utf16le', 5, 5 + tokenLength);
      }
    }
    at += 5 + length;
  }
}
