/**
 * A throwaway CA and a server certificate for the database tests, made with openssl, with the SANs
 * the twin's own certificate has (localhost, 127.0.0.1, *.postgres.twin.test, *.mysql.twin.test).
 * Cached per process: key generation is the slow part.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TestTls {
  cert: string;
  key: string;
  ca: string;
}

let cached: Promise<TestTls> | undefined;

export function testTls(): Promise<TestTls> {
  cached ??= makeTls();
  return cached;
}

async function makeTls(): Promise<TestTls> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-doctor-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileAsync('openssl', args);
  try {
    await openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=sc-doctor test CA',
      '-keyout',
      at('ca.key'),
      '-out',
      at('ca.crt'),
    );
    await openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      at('server.key'),
      '-out',
      at('server.csr'),
    );
    await writeFile(
      at('ext.cnf'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:*.postgres.twin.test,DNS:*.mysql.twin.test\n',
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      at('server.csr'),
      '-CA',
      at('ca.crt'),
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      at('ext.cnf'),
      '-out',
      at('server.crt'),
    );
    const [cert, key, ca] = await Promise.all(
      ['server.crt', 'server.key', 'ca.crt'].map((f) => readFile(at(f), 'utf8')),
    );
    return { cert: cert!, key: key!, ca: ca! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
