/**
 * The generated Python code (psycopg2 / PyMySQL with Debian's azure-identity), run by Debian's
 * python3 as a separate process against the twin's real PostgreSQL and its Azure MySQL front.
 * As for Node.js: sign in as the identity's user, query, wait until the first token has expired,
 * and sign in again with a new token.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateSnippet } from '../../source/snippets/index.ts';
import { OSSRDBMS_AUDIENCE, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import {
  type AppIdentities,
  appIdentities,
  createMysqlUser,
  createPostgresUser,
  runFiles,
  settingsEnv,
} from './harness.ts';
import { startShortLivedMsi } from './short-lived-msi.ts';

/** Debian's interpreter, which has python3-psycopg2, python3-pymysql and python3-azure (test/servers/install.sh). */
const PYTHON = '/usr/bin/python3';
const LIFETIME_SECONDS = 2;
const WAIT_MS = 3500;

let twin: Twin;
let identities: AppIdentities;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  identities = appIdentities(twin);
});

after(async () => {
  await twin?.close();
});

const RUNNER = `import json
import os
import time

import db

def who(connection):
    cursor = connection.cursor()
    cursor.execute("SELECT CURRENT_USER")
    return cursor.fetchone()[0]

first = db.connect()
a = who(first)
time.sleep(int(os.environ["WAIT_MS"]) / 1000)
# The first connection stays open: this is a new connection, made after its token expired.
second = db.connect()
b = who(second)
first.close()
second.close()
print(json.dumps({"first": a, "second": b}))
`;

for (const database of ['postgres', 'mysql'] as const) {
  for (const auth of ['system', 'user'] as const) {
    test(`python · ${database} · ${auth}: signs in as the identity's user, and again after the token expired`, async () => {
      const identity = identities[auth];
      const user = `aad_snippet_py_${auth}`;
      if (database === 'postgres') await createPostgresUser(twin, user, identity);
      else await createMysqlUser(twin, user, identity);
      const endpoint = twin.databaseEndpoints[database]!;
      const snippet = generateSnippet({
        database,
        clientType: 'python',
        auth,
        server: endpoint.host,
        databaseName: 'orders',
        user,
        ossrdbmsResource: OSSRDBMS_AUDIENCE,
        ...(auth === 'user' ? { clientId: identity.appId! } : {}),
      });
      const env = settingsEnv(snippet);
      // The test's only mapping: the Azure port to the twin's (the setting carries 5432).
      if (database === 'postgres') {
        env.AZURE_POSTGRESQL_CONNECTIONSTRING = env.AZURE_POSTGRESQL_CONNECTIONSTRING!.replace(
          'port=5432',
          `port=${endpoint.port}`,
        );
      } else {
        env.AZURE_MYSQL_PORT = String(endpoint.port);
      }
      const relay = await startShortLivedMsi({
        target: twin.msiEndpoint,
        config: twin.tokens.config,
        lifetimeSeconds: LIFETIME_SECONDS,
        mode: database === 'mysql' ? 'remint' : 'report',
      });
      try {
        const result = await runFiles(
          [...snippet.files, { path: 'run.py', language: 'python', content: RUNNER }],
          [PYTHON, 'run.py'],
          {
            ...env,
            IDENTITY_ENDPOINT: relay.endpoint,
            IDENTITY_HEADER: twin.msiFor(RESOURCE_IDS.webApp).IDENTITY_HEADER,
            // Verified TLS against the twin's CA: libpq through sslrootcert, Python's ssl module
            // through OpenSSL's default bundle variable.
            PGSSLROOTCERT: twin.caPath,
            SSL_CERT_FILE: twin.caBundlePath,
            WAIT_MS: String(WAIT_MS),
          },
        );
        assert.equal(result.code, 0, `the snippet failed: ${result.stderr}`);
        for (const token of relay.issued) {
          assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token), 'a token was printed');
        }
        assert.ok(relay.issued.length >= 2, `the endpoint was asked ${relay.issued.length} time(s)`);
        if (database === 'mysql') assert.notEqual(relay.issued[0], relay.issued[1]);
        const expected = database === 'postgres' ? user : `${user}@%`;
        assert.deepEqual(JSON.parse(result.stdout.trim()), { first: expected, second: expected });
      } finally {
        await relay.close();
      }
    });
  }
}
