/**
 * The SQL stand-in's pieces on their own: T-SQL tokens and statements (quoting, escapes, limits) and
 * TDS framing at small packet sizes, which the tedious tests rarely reach.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { SqlError } from './tds/azure-errors.ts';
import { encodeMessage, MessageReader } from './tds/packets.ts';
import { parseBatch } from './tds/sql-parser.ts';
import { flightState } from './tds/tls-in-prelogin.ts';

function errorNumber(sql: string): number | undefined {
  try {
    parseBatch(sql);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof SqlError, String(error));
    return error.diagnostic.number;
  }
}

describe('T-SQL parsing', () => {
  test('bracketed and quoted identifiers unescape ]] and "" and keep unicode, quotes and semicolons', () => {
    assert.deepEqual(parseBatch("CREATE USER [a]]b'c;d 🚀] FROM EXTERNAL PROVIDER"), [
      { kind: 'createUser', name: "a]b'c;d 🚀", objectId: undefined },
    ]);
    assert.deepEqual(parseBatch('DROP USER IF EXISTS "say ""hi"""'), [
      { kind: 'dropUser', name: 'say "hi"', ifExists: true },
    ]);
    assert.deepEqual(
      parseBatch(
        "create user [app] from external provider with object_id = N'0d1e2f30-4a5b-4c6d-8e7f-da0a00000001' -- note",
      ),
      [{ kind: 'createUser', name: 'app', objectId: '0d1e2f30-4a5b-4c6d-8e7f-da0a00000001' }],
    );
  });

  test('the statements of the setup flow, several per batch', () => {
    const statements = parseBatch(`/* grants */ ALTER ROLE db_datareader ADD MEMBER [app];
      ALTER ROLE [db_datawriter] DROP MEMBER [app]
      GRANT CONTROL, VIEW DEFINITION ON DATABASE::[orders] TO [app]`);
    assert.deepEqual(
      statements.map((s) => s.kind),
      ['alterRole', 'alterRole', 'grant'],
    );
    assert.deepEqual(statements[2], {
      kind: 'grant',
      verb: 'GRANT',
      permissions: ['CONTROL', 'VIEW DEFINITION'],
      database: 'orders',
      principal: 'app',
    });
  });

  test('what it cannot read is refused with the engine error, and nothing of the batch is kept', () => {
    assert.equal(errorNumber('CREATE USER [x]; DROP USER [y]; --] FROM EXTERNAL PROVIDER'), 102);
    assert.equal(errorNumber("CREATE USER x WITH PASSWORD = 'p'"), 102);
    assert.equal(errorNumber('GRANT EVERYTHING TO [x]'), 102);
    assert.equal(errorNumber(`CREATE USER [${'n'.repeat(129)}] FROM EXTERNAL PROVIDER`), 103);
    assert.equal(errorNumber(`CREATE USER [${'n'.repeat(128)}] FROM EXTERNAL PROVIDER`), undefined);
    assert.equal(errorNumber('CREATE USER [x FROM EXTERNAL PROVIDER'), 105);
    assert.equal(errorNumber("SELECT 'x"), 105);
    assert.equal(errorNumber('CREATE USER [] FROM EXTERNAL PROVIDER'), 1038);
    assert.equal(errorNumber('SELECT name FROM'), 102);
  });

  test('the initial SET batch tedious sends is accepted as session options', () => {
    const initial = [
      'set ansi_nulls on',
      'set textsize 2147483647',
      'set transaction isolation level read committed',
      'set xact_abort off',
    ].join('\n');
    assert.deepEqual(
      parseBatch(initial).map((s) => s.kind),
      ['set', 'set', 'set', 'set'],
    );
  });
});

describe('TDS framing', () => {
  test('a message is cut at the packet size, EOM only on the last packet, and read back whole', async () => {
    const payload = Buffer.from(Array.from({ length: 1500 }, (_, i) => i % 251));
    const wire = encodeMessage(0x04, payload, 512);
    const lengths: number[] = [];
    const statuses: number[] = [];
    for (let at = 0; at < wire.length; at += wire.readUInt16BE(at + 2)) {
      lengths.push(wire.readUInt16BE(at + 2));
      statuses.push(wire[at + 1]!);
    }
    assert.deepEqual(lengths, [512, 512, 1500 - 2 * 504 + 8]);
    assert.deepEqual(statuses, [0, 0, 1]);

    const source = new PassThrough();
    const reader = new MessageReader(source);
    // Arrives in odd slices, as TCP delivers it.
    for (let at = 0; at < wire.length; at += 97) source.write(wire.subarray(at, at + 97));
    const message = await reader.next();
    assert.equal(message.type, 0x04);
    assert.deepEqual(message.payload, payload);
  });

  test('a packet longer than the negotiated size is a protocol error, not a hang', async () => {
    const source = new PassThrough();
    const reader = new MessageReader(source);
    reader.maxPacketSize = 512;
    source.write(encodeMessage(0x01, Buffer.alloc(1000), 2048));
    await assert.rejects(reader.next(), /malformed TDS packet/);
  });
});

describe('TLS flights inside PRELOGIN', () => {
  const record = (type: number, body: number[]) =>
    Buffer.from([type, 3, 3, body.length >> 8, body.length & 255, ...body]);
  const serverHello = [2, 0, 0, 2, 3, 3];
  const helloDone = [14, 0, 0, 0];

  test('the first flight ends with ServerHelloDone, even when it spans records', () => {
    assert.deepEqual(flightState(record(22, serverHello)), { complete: false, final: false });
    assert.deepEqual(flightState(Buffer.concat([record(22, serverHello), record(22, helloDone)])), {
      complete: true,
      final: false,
    });
    const whole = record(22, [...serverHello, ...helloDone]);
    assert.deepEqual(flightState(whole.subarray(0, whole.length - 1)), { complete: false, final: false });
    assert.deepEqual(flightState(whole), { complete: true, final: false });
  });

  test('the last flight is ChangeCipherSpec then the encrypted Finished', () => {
    const ccs = record(20, [1]);
    assert.deepEqual(flightState(ccs), { complete: false, final: false });
    assert.deepEqual(flightState(Buffer.concat([ccs, record(22, [9, 9, 9, 9, 9, 9])])), {
      complete: true,
      final: true,
    });
  });
});
