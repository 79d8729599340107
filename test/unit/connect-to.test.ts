/** `--connect-to` / `SC_DOCTOR_CONNECT_TO`: the parser's table, the lookup, and which source wins. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { doctorOptionsFrom } from '../../source/cli/doctor-options.ts';
import { parseArgs } from '../../source/cli/parse-args.ts';
import { UsageError } from '../../source/cli/usage-error.ts';
import { connectTarget, parseConnectTo } from '../../source/core/connect-to.ts';

const PG = 'pg-orders.postgres.database.azure.com';

test('good entries parse into from/to pairs (names lower-cased, IPv6 unbracketed, several by comma)', () => {
  const cases: [string, { from: [string, number]; to: [string, number] }[]][] = [
    [`${PG}:5432=127.0.0.1:15432`, [{ from: [PG, 5432], to: ['127.0.0.1', 15432] }]],
    [
      `PG-Orders.Postgres.Database.Azure.com.:5432=localhost:5432`,
      [{ from: [PG, 5432], to: ['localhost', 5432] }],
    ],
    [`${PG}:5432=[::1]:6432`, [{ from: [PG, 5432], to: ['::1', 6432] }]],
    [
      `${PG}:5432=127.0.0.1:15432, sql-orders.database.windows.net:1433=jump.contoso.com:1433`,
      [
        { from: [PG, 5432], to: ['127.0.0.1', 15432] },
        { from: ['sql-orders.database.windows.net', 1433], to: ['jump.contoso.com', 1433] },
      ],
    ],
  ];
  for (const [input, expected] of cases) {
    const parsed = parseConnectTo(input);
    assert.ok(parsed.ok, `${input}: ${JSON.stringify(parsed)}`);
    assert.deepEqual(
      parsed.entries,
      expected.map(({ from, to }) => ({
        from: { host: from[0], port: from[1] },
        to: { host: to[0], port: to[1] },
      })),
      input,
    );
  }
});

test('bad entries are refused, naming the entry and what is wrong with it', () => {
  const cases: [string, string, RegExp][] = [
    [`${PG}:5432`, `${PG}:5432`, /exactly one =/],
    [`${PG}:5432=127.0.0.1`, `${PG}:5432=127.0.0.1`, /right side: '127\.0\.0\.1' is not HOST:PORT/],
    [`${PG}=127.0.0.1:5432`, `${PG}=127.0.0.1:5432`, /left side/],
    [`${PG}:0=127.0.0.1:5432`, `${PG}:0=127.0.0.1:5432`, /port 0 is not 1-65535/],
    [`${PG}:5432=127.0.0.1:70000`, `${PG}:5432=127.0.0.1:70000`, /port 70000/],
    [`:5432=127.0.0.1:5432`, `:5432=127.0.0.1:5432`, /has no host/],
    [`bad host:5432=127.0.0.1:5432`, `bad host:5432=127.0.0.1:5432`, /not a host name/],
    [`${PG}:5432=127.0.0.1:1,,x:1=y:2`, `${PG}:5432=127.0.0.1:1,,x:1=y:2`, /empty entry/],
    [`a:1=b:2,a:1=c:3`, 'a:1=c:3', /a:1 is mapped twice/],
  ];
  for (const [input, entry, problem] of cases) {
    const parsed = parseConnectTo(input);
    assert.equal(parsed.ok, false, input);
    if (parsed.ok) continue;
    assert.equal(parsed.entry, entry, input);
    assert.match(parsed.problem, problem, input);
  }
});

test('connectTarget maps only the exact name and port, case-insensitively', () => {
  const parsed = parseConnectTo(`${PG}:5432=127.0.0.1:15432`);
  assert.ok(parsed.ok);
  const map = { entries: parsed.entries, source: '--connect-to' as const };
  assert.deepEqual(connectTarget(map, PG.toUpperCase(), 5432), { host: '127.0.0.1', port: 15432 });
  assert.equal(connectTarget(map, PG, 6432), undefined);
  assert.equal(connectTarget(map, 'other.postgres.database.azure.com', 5432), undefined);
  assert.equal(connectTarget(undefined, PG, 5432), undefined);
});

test('the flag beats the environment variable entirely; the variable applies alone', () => {
  const env = { SC_DOCTOR_CONNECT_TO: `${PG}:5432=10.0.0.9:5432` };
  const fromFlag = doctorOptionsFrom(
    parseArgs(['doctor', '--connect-to', `${PG}:5432=127.0.0.1:15432`]),
    env,
  );
  assert.deepEqual(fromFlag.connectTo, {
    source: '--connect-to',
    entries: [{ from: { host: PG, port: 5432 }, to: { host: '127.0.0.1', port: 15432 } }],
  });
  const fromEnv = doctorOptionsFrom(parseArgs(['doctor']), env);
  assert.equal(fromEnv.connectTo?.source, 'SC_DOCTOR_CONNECT_TO');
  assert.deepEqual(fromEnv.connectTo?.entries[0]?.to, { host: '10.0.0.9', port: 5432 });
  assert.equal(doctorOptionsFrom(parseArgs(['doctor']), {}).connectTo, undefined);
});

test('a bad entry is a usage error naming where it came from and the entry', () => {
  assert.throws(
    () => doctorOptionsFrom(parseArgs(['doctor', '--connect-to', `${PG}:5432=oops`]), {}),
    (error: unknown) =>
      error instanceof UsageError &&
      /^--connect-to: bad entry 'pg-orders\.postgres\.database\.azure\.com:5432=oops'/.test(error.message) &&
      error.hints.some((h) => h.includes('HOST:PORT=HOST:PORT')),
  );
  assert.throws(
    () => doctorOptionsFrom(parseArgs(['doctor']), { SC_DOCTOR_CONNECT_TO: 'nonsense' }),
    (error: unknown) =>
      error instanceof UsageError && /^SC_DOCTOR_CONNECT_TO: bad entry 'nonsense'/.test(error.message),
  );
});
