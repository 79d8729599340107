/**
 * The generated Python code (psycopg2 / PyMySQL with Debian's azure-identity), run by Debian's
 * python3 as a separate process against the twin's real PostgreSQL and its Azure MySQL front.
 */
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { type AppIdentities, appIdentities, assertExecuted, executeSnippet } from './harness.ts';
import { DJANGO_RUNNER } from './python-runners.ts';

/** Debian's interpreter, which has python3-psycopg2, python3-pymysql and python3-azure (test/servers/install.sh). */
const PYTHON = '/usr/bin/python3';

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
      const run = await executeSnippet({
        twin,
        identities,
        database,
        clientType: 'python',
        auth,
        runner: { path: 'run.py', language: 'python', content: RUNNER },
        command: [PYTHON, 'run.py'],
        lifetimeSeconds: 2,
        waitMs: 3500,
      });
      assertExecuted(run, database);
    });
  }
}

for (const auth of ['system', 'user'] as const) {
  test(`django · postgres · ${auth}: the backend signs in as the identity's role, and again after the token expired`, async () => {
    const run = await executeSnippet({
      twin,
      identities,
      database: 'postgres',
      clientType: 'django',
      auth,
      runner: { path: 'run.py', language: 'python', content: DJANGO_RUNNER },
      command: [PYTHON, 'run.py'],
      lifetimeSeconds: 2,
      waitMs: 3500,
    });
    assertExecuted(run, 'postgres');
  });
}
