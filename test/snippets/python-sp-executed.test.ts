/**
 * The generated Python code for a service principal (Debian's azure-identity `ClientSecretCredential`
 * with psycopg2 / PyMySQL), run by Debian's python3 against the twin's PostgreSQL and MySQL front,
 * with tokens from the twin's Entra token endpoint through AZURE_AUTHORITY_HOST (read by the SDK).
 * Azure SQL from Python needs Microsoft's ODBC driver, which does not install here: compiled only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { DJANGO_RUNNER } from './python-runners.ts';
import { ServicePrincipalApp } from './service-principal.ts';

const PYTHON = '/usr/bin/python3';

let twin: Twin;
let app: ServicePrincipalApp;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['postgres', 'mysql'] });
  app = new ServicePrincipalApp(twin, {
    objectId: '7c0e4b1a-2d3f-4a5b-9c6d-5e0000000c01',
    appId: '1b2c3d4e-5f60-4718-a9b0-5e0000000c02',
    displayName: 'orders-ci-py',
  });
});

after(async () => {
  await twin?.close();
});

const RUNNER = (query: string) => `import json
import os
import time

import db


def who(connection):
    cursor = connection.cursor()
    cursor.execute("${query}")
    return cursor.fetchone()[0]


first = db.connect()
a = who(first)
time.sleep(int(os.environ["WAIT_MS"]) / 1000)
# The first connection stays open: this is a new connection.
second = db.connect()
b = who(second)
first.close()
second.close()
print(json.dumps({"first": a, "second": b}))
`;

test("python · postgres · sp: signs in with the client secret as the service principal's role", async () => {
  const { result, who } = await app.run({
    database: 'postgres',
    clientType: 'python',
    runner: { path: 'run.py', language: 'python', content: RUNNER('SELECT CURRENT_USER') },
    command: [PYTHON, 'run.py'],
    waitMs: 0,
  });
  assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
  assert.deepEqual(JSON.parse(result.stdout.trim()), { first: who, second: who });
});

test("python · mysql · sp: signs in as the service principal's user, and again after the token expired", async () => {
  twin.entra.setTokenLifetime(2);
  try {
    const { result, who } = await app.run({
      database: 'mysql',
      clientType: 'python',
      runner: { path: 'run.py', language: 'python', content: RUNNER('SELECT CURRENT_USER()') },
      command: [PYTHON, 'run.py'],
      waitMs: 3500,
    });
    assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
    assert.deepEqual(JSON.parse(result.stdout.trim()), { first: who, second: who });
  } finally {
    twin.entra.setTokenLifetime(undefined);
  }
});

test("django · postgres · sp: the backend signs in with the client secret as the service principal's role", async () => {
  const { result, who } = await app.run({
    database: 'postgres',
    clientType: 'django',
    runner: { path: 'run.py', language: 'python', content: DJANGO_RUNNER },
    command: [PYTHON, 'run.py'],
    waitMs: 0,
  });
  assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
  assert.deepEqual(JSON.parse(result.stdout.trim()), { first: who, second: who });
});
