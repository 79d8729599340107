/**
 * A small HTTPS server on 127.0.0.1 with its own self-signed certificate (made by openssl, valid for
 * IP:127.0.0.1 and DNS:localhost), for tests that stand in for one Azure endpoint (ARM, a token
 * service) without the whole twin. The certificate is its own CA: trust it with `ca` in process or
 * `caFile` (NODE_EXTRA_CA_CERTS) in a child.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalHttps {
  /** `https://127.0.0.1:PORT`. */
  base: string;
  port: number;
  /** The certificate (PEM), which is also the CA that signed it. */
  ca: string;
  /** Path of that PEM file, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Stops the server and removes the certificate and key. */
  close(): void;
}

/** Starts `handler` on an ephemeral port of 127.0.0.1 behind a fresh self-signed certificate. */
export async function startLocalHttps(
  handler: RequestListener,
  dirPrefix = 'sc-doctor-https-',
): Promise<LocalHttps> {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      caFile,
    ],
    { stdio: 'ignore' },
  );
  const ca = readFileSync(caFile, 'utf8');
  const server = createServer({ key: readFileSync(keyFile), cert: ca }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `https://127.0.0.1:${port}`,
    port,
    ca,
    caFile,
    close() {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
