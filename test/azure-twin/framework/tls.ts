/**
 * The twin's own certificate authority. Generated with the openssl binary (execFile, no network) so
 * every twin speaks real, verified TLS: SDK clients trust it through NODE_EXTRA_CA_CERTS (the system
 * bundle plus this CA, concatenated) or an explicit `ca`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Subject alternative names every twin server certificate carries. */
export const TWIN_SANS = [
  'DNS:localhost',
  'IP:127.0.0.1',
  'DNS:*.postgres.twin.test',
  'DNS:*.mysql.twin.test',
  'DNS:*.database.twin.test',
];

export interface CertificateAuthority {
  /** PEM of the CA certificate (what clients trust). */
  caPem: string;
  /** PEM of the CA private key (signs server certificates; never leaves the twin). */
  caKey: string;
}

export interface ServerCertificate {
  cert: string;
  key: string;
}

/** Creates a fresh CA (EC P-256, valid 2 days). */
export async function createCertificateAuthority(): Promise<CertificateAuthority> {
  const dir = await mkdtemp(join(tmpdir(), 'twin-ca-'));
  try {
    const key = join(dir, 'ca.key');
    const cert = join(dir, 'ca.pem');
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    await run('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=Azure Twin Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      cert,
    ]);
    return { caPem: await readFile(cert, 'utf8'), caKey: await readFile(key, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Issues a server certificate signed by `ca` for `sans` (openssl syntax: `DNS:name`, `IP:addr`).
 * Engineer G's database servers use this so one CA covers ARM, Graph and the databases.
 */
export async function issueServerCert(
  ca: CertificateAuthority,
  sans: string[] = TWIN_SANS,
): Promise<ServerCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'twin-cert-'));
  try {
    const caKey = join(dir, 'ca.key');
    const caCert = join(dir, 'ca.pem');
    const key = join(dir, 'server.key');
    const csr = join(dir, 'server.csr');
    const cert = join(dir, 'server.pem');
    const ext = join(dir, 'ext.cnf');
    await writeFile(caKey, ca.caKey, { mode: 0o600 });
    await writeFile(caCert, ca.caPem);
    await writeFile(
      ext,
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans.join(',')}\n`,
    );
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    await run('openssl', ['req', '-new', '-key', key, '-subj', '/CN=localhost', '-out', csr]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caCert,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      ext,
      '-out',
      cert,
    ]);
    // PKCS#8 so every TLS stack (node, PostgreSQL, MariaDB) reads the key.
    const { stdout: pkcs8 } = await run('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', key]);
    return { cert: await readFile(cert, 'utf8'), key: pkcs8 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let shared: Promise<{ ca: CertificateAuthority; server: ServerCertificate }> | undefined;

/** One CA and server certificate per process: generating them costs ~100 ms and tests start many twins. */
export function sharedTls(): Promise<{ ca: CertificateAuthority; server: ServerCertificate }> {
  shared ??= (async () => {
    const ca = await createCertificateAuthority();
    return { ca, server: await issueServerCert(ca) };
  })();
  return shared;
}
