/**
 * Every command family sc-doctor prints for a person, pasted into a real sh with stub programs on
 * PATH and hostile names in every value: the programs must receive exactly the argv the line was
 * built from (SQL quoted for its dialect inside one word), nothing a name holds may run, and no token
 * may be in any argv. A new printer belongs in this table; `printed commands are built, not spliced`
 * below fails for a command template that splices a value instead.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { diagnoseAzFailure, diagnoseSignInText } from '../../source/azure/signin-error.ts';
import { setupCommandLine } from '../../source/cli/setup-options.ts';
import { adapterOf } from '../../source/databases/index.ts';
import * as mysqlCommands from '../../source/databases/mysql/commands.ts';
import { dropUserSql as mysqlDropUser } from '../../source/databases/mysql/statements.ts';
import * as postgresCommands from '../../source/databases/postgres/commands.ts';
import {
  createPrincipalSql,
  dropRoleSql,
  revokeGivenSql,
} from '../../source/databases/postgres/statements.ts';
import * as sqlCommands from '../../source/databases/sql/commands.ts';
import {
  createUserSql,
  grantStatements,
  revokeStatements,
  dropUserSql as sqlDropUser,
} from '../../source/databases/sql/statements.ts';
import * as remedy from '../../source/doctor/remedy-commands.ts';
import type { AppRef } from '../../source/doctor/target.ts';
import { manualAppIdentity } from '../../source/setup/app/app-identity.ts';
import { manualAppSettings } from '../../source/setup/app/app-settings.ts';
import { manualServiceConnector } from '../../source/setup/app/service-connector.ts';
import { manualFirewallTemp } from '../../source/setup/firewall-temp.ts';
import { manualDatabaseUser as manualMysqlUser } from '../../source/setup/mysql/database-user.ts';
import { manualEntraAdmin as manualMysqlAdmin } from '../../source/setup/mysql/entra-admin.ts';
import { graphRoleGrantCommand } from '../../source/setup/mysql/graph-roles.ts';
import { manualServerIdentity } from '../../source/setup/mysql/server-identity.ts';
import {
  manualDatabaseRole,
  networkHandOff as postgresHandOff,
  type RoleRecord,
} from '../../source/setup/postgres/database-role.ts';
import { manualEntraAdmin as manualPgAdmin } from '../../source/setup/postgres/entra-admin.ts';
import { manualEntraAuth } from '../../source/setup/postgres/entra-auth.ts';
import { resumeCommandOf } from '../../source/setup/resume.ts';
import { manualSqlDatabaseUser } from '../../source/setup/sql/database-user.ts';
import { manualSqlEntraAdmin } from '../../source/setup/sql/entra-admin.ts';
import { handOffScript as sqlHandOff } from '../../source/setup/sql/user-hand-off.ts';
import { undoCommand } from '../../source/setup/wording.ts';
import { paste, runScript, STUB_TOKEN, type StubCall } from '../helpers/paste-stubs.ts';

/** What people and service principals' owners can put in a name (Build 2's list). */
const HOSTILE = [
  "o'brien",
  'say "hi"',
  '$(touch pwned-subst)',
  '`touch pwned-backtick`',
  'a; touch pwned-semicolon',
  'line\nbreak',
  'close]bracket [x]',
  'ünïcødé 名前 🚀',
  `long-${'x'.repeat(130)}`,
  'all: o\'b"r$(touch pwned-all)`id`; ]]\n名 *',
];

const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';
const OBJECT_ID = '0d1e2f30-4a5b-4c6d-8e7f-da0a00000001';
const RUN_ID = '20261126-0a1b2c';

/** A program call: the program, then its arguments. */
type Expected = string[];

/** Pastes `line` and checks the stubs saw exactly `expected`, nothing ran from a name, no token in argv. */
function assertPastes(line: string, expected: Expected[], what: string): StubCall[] {
  const result = paste(line);
  assert.equal(result.status, 0, `${what}: the pasted line failed: ${result.stderr}\n${line}`);
  assert.deepEqual(
    result.calls.map((call) => [call.program, ...call.argv]),
    expected,
    `${what}: argv differs\n${line}`,
  );
  assert.deepEqual(result.leftovers, [], `${what}: something in a name ran\n${line}`);
  for (const call of result.calls)
    assert.ok(!call.argv.some((word) => word.includes(STUB_TOKEN)), `${what}: a token is in argv\n${line}`);
  return result.calls;
}

type Check = (line: string, expected: Expected[], what: string) => void;

/**
 * Collects the lines `fill` checks and pastes them in one go, one per line as a person pastes a block
 * (one shell instead of one per line); on a difference each line is pasted alone to name the culprit.
 */
function pasteBlock(fill: (check: Check) => void): void {
  const lines: [string, Expected[], string][] = [];
  fill((line, expected, what) => lines.push([line, expected, what]));
  const result = paste(lines.map(([line]) => line).join('\n'));
  const seen = result.calls.map((call) => [call.program, ...call.argv]);
  const wanted = lines.flatMap(([, expected]) => expected);
  const clean =
    result.status === 0 &&
    result.leftovers.length === 0 &&
    !result.calls.some((call) => call.argv.some((word) => word.includes(STUB_TOKEN)));
  if (clean && JSON.stringify(seen) === JSON.stringify(wanted)) return;
  for (const [line, expected, what] of lines) assertPastes(line, expected, what);
  assert.fail(`the block differs although each line alone passes: ${result.stderr}`);
}

function ids(h: string) {
  const group = `/subscriptions/${SUB}/resourceGroups/${h}`;
  return {
    group,
    pg: `${group}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${h}`,
    mysql: `${group}/providers/Microsoft.DBforMySQL/flexibleServers/${h}`,
    sql: `${group}/providers/Microsoft.Sql/servers/${h}`,
    webapp: `${group}/providers/Microsoft.Web/sites/${h}`,
    containerapp: `${group}/providers/Microsoft.App/containerApps/${h}`,
    spring: `${group}/providers/Microsoft.AppPlatform/Spring/${h}/apps/${h}`,
    uami: `${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${h}`,
  };
}

const TOKEN_CALL: Expected = [
  'az',
  'account',
  'get-access-token',
  '--resource-type',
  'oss-rdbms',
  '--query',
  'accessToken',
  '-o',
  'tsv',
];

/** libpq's keyword/value parsing (values bare, or in single quotes with \-escapes). */
function parseConninfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  while (true) {
    skip();
    if (i >= text.length) return out;
    const eq = text.indexOf('=', i);
    const key = text.slice(i, eq).trim();
    i = eq + 1;
    skip();
    let value = '';
    if (text[i] === "'") {
      i++;
      while (text[i] !== "'") {
        if (text[i] === '\\') i++;
        value += text[i++];
      }
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) value += text[i++];
    }
    out[key] = value;
  }
}

test('manual undo of app identity, Entra auth and admins, firewall rules, links and settings pastes exactly', () => {
  for (const h of HOSTILE)
    pasteBlock((assertPastes) => {
      const id = ids(h);
      for (const kind of ['webapp', 'containerapp', 'spring'] as const) {
        const commands = manualAppIdentity({
          app: id[kind],
          api: '2024-04-01',
          appName: h,
          beforeType: 'None',
          beforeUsers: [],
          addedSystem: true,
          attachedUami: id.uami,
          principalId: OBJECT_ID,
        });
        const remove: string[] =
          kind === 'spring'
            ? ['az', 'spring', 'app', 'identity', 'remove', '-g', h, '-s', h, '-n', h]
            : ['az', kind, 'identity', 'remove', '--ids', id[kind]];
        const system = kind === 'webapp' ? ['--identities', '[system]'] : ['--system-assigned'];
        const user = kind === 'webapp' ? '--identities' : '--user-assigned';
        assertPastes(commands[0]!, [[...remove, ...system]], `app identity ${kind}`);
        assertPastes(commands[1]!, [[...remove, user, id.uami]], `app identity ${kind} uami`);

        const linker = `${id[kind]}/providers/Microsoft.ServiceLinker/linkers/${h}`;
        const group = kind === 'spring' ? 'spring' : kind;
        assertPastes(
          manualServiceConnector({
            linker,
            name: h,
            userName: h,
            place: null,
            previous: null,
            replaced: null,
          })[0]!,
          [['az', group, 'connection', 'delete', '--id', linker, '--yes']],
          `linker ${kind}`,
        );
      }

      const auth = manualEntraAuth({
        server: id.pg,
        serverName: h,
        activeDirectoryAuth: 'Disabled',
        passwordAuth: 'Enabled',
      });
      assertPastes(
        auth[0]!,
        [
          [
            ...['az', 'postgres', 'flexible-server', 'update', '--ids', id.pg],
            ...['--active-directory-auth', 'Disabled', '--password-auth', 'Enabled'],
          ],
        ],
        'entra auth',
      );
      assertPastes(
        manualPgAdmin({ server: id.pg, serverName: h, objectId: OBJECT_ID, principalName: h })[0]!,
        [
          [
            ...['az', 'postgres', 'flexible-server', 'microsoft-entra-admin', 'delete', '--ids', id.pg],
            ...['--object-id', OBJECT_ID, '--yes'],
          ],
        ],
        'pg admin',
      );
      const rule = { server: id.pg, serverName: h, rule: `sc-doctor-${RUN_ID}`, ip: '203.0.113.7' };
      assertPastes(
        manualFirewallTemp(adapterOf('postgres'))(rule)[0]!,
        [
          [
            ...['az', 'postgres', 'flexible-server', 'firewall-rule', 'delete'],
            ...['--ids', `${id.pg}/firewallRules/sc-doctor-${RUN_ID}`, '--yes'],
          ],
        ],
        'pg rule',
      );
      assertPastes(
        manualFirewallTemp(adapterOf('mysql'))({ ...rule, server: id.mysql })[0]!,
        [
          [
            ...['az', 'mysql', 'flexible-server', 'firewall-rule', 'delete'],
            ...['--ids', `${id.mysql}/firewallRules/sc-doctor-${RUN_ID}`, '--yes'],
          ],
        ],
        'mysql rule',
      );
      assertPastes(
        manualFirewallTemp(adapterOf('sql'))({ ...rule, server: id.sql })[0]!,
        [
          [
            'az',
            'sql',
            'server',
            'firewall-rule',
            'delete',
            '--ids',
            `${id.sql}/firewallRules/sc-doctor-${RUN_ID}`,
          ],
        ],
        'sql rule',
      );

      const settings = manualAppSettings({
        app: id.webapp,
        appName: h,
        added: ['AZURE_POSTGRESQL_HOST', h],
        previous: { [h]: 'old' },
        written: {},
        secretNames: [],
      });
      assertPastes(
        settings[0]!,
        [
          [
            ...['az', 'webapp', 'config', 'appsettings', 'delete', '--ids', id.webapp],
            ...['--setting-names', 'AZURE_POSTGRESQL_HOST', h],
          ],
        ],
        'settings delete',
      );
      assertPastes(
        settings[1]!,
        [
          [
            ...['az', 'webapp', 'config', 'appsettings', 'set', '--ids', id.webapp],
            ...['--settings', `${h}=old`],
          ],
        ],
        'settings set',
      );

      assertPastes(
        manualServerIdentity({ server: id.mysql, serverName: h, attached: id.uami, before: [] })[0]!,
        [
          [
            ...['az', 'mysql', 'flexible-server', 'identity', 'remove', '--ids', id.mysql],
            ...['--identity', id.uami, '--yes'],
          ],
        ],
        'mysql server identity',
      );

      const previous = {
        administratorType: 'ActiveDirectory',
        login: h,
        sid: OBJECT_ID,
        tenantId: SUB,
        identityResourceId: id.uami,
      };
      const mysqlAdmin = { server: id.mysql, serverName: h, login: h, sid: OBJECT_ID };
      const adminUri = `${id.mysql}/administrators/ActiveDirectory?api-version=2023-12-30`;
      assertPastes(
        manualMysqlAdmin({ ...mysqlAdmin, previous: null })[0]!,
        [['az', 'rest', '--method', 'DELETE', '--uri', adminUri]],
        'mysql admin delete',
      );
      assertPastes(
        manualMysqlAdmin({ ...mysqlAdmin, previous })[0]!,
        [
          [
            'az',
            'rest',
            '--method',
            'PUT',
            '--uri',
            adminUri,
            '--body',
            JSON.stringify({ properties: previous }),
          ],
        ],
        'mysql admin put',
      );

      const sqlAdmin = { server: id.sql, serverName: h, login: h, sid: OBJECT_ID };
      assertPastes(
        manualSqlEntraAdmin({ ...sqlAdmin, previous: null })[0]!,
        [['az', 'sql', 'server', 'ad-admin', 'delete', '--ids', id.sql]],
        'sql admin delete',
      );
      assertPastes(
        manualSqlEntraAdmin({ ...sqlAdmin, previous: { login: h, sid: OBJECT_ID } as never })[0]!,
        [
          [
            ...['az', 'sql', 'server', 'ad-admin', 'create', '--ids', id.sql],
            ...['--display-name', h, '--object-id', OBJECT_ID],
          ],
        ],
        'sql admin put back',
      );

      const grant = { principalId: h, resourceId: OBJECT_ID, appRoleId: OBJECT_ID };
      assertPastes(
        graphRoleGrantCommand('https://graph.microsoft.com', grant),
        [
          [
            ...['az', 'rest', '--method', 'POST'],
            ...[
              '--uri',
              `https://graph.microsoft.com/v1.0/servicePrincipals/${encodeURIComponent(h)}/appRoleAssignments`,
            ],
            ...['--body', JSON.stringify(grant)],
          ],
        ],
        'graph grant',
      );
    });
});

/** A role record as the journal holds it for a run that created the role and gave nothing yet. */
function roleRecord(h: string, fqdn: string, port: number): RoleRecord {
  return {
    server: ids(h).pg,
    serverName: h,
    fqdn,
    port,
    signedInUser: h,
    role: h,
    objectId: OBJECT_ID,
    database: h,
    created: true,
    replacedObjectId: null,
    granted: [],
    handedOff: [],
    createdByScript: false,
    databaseOwner: null,
    handOffScript: null,
  };
}

test('manual SQL for PostgreSQL: the token through PGPASSWORD, the names quoted for libpq and for SQL', () => {
  for (const h of HOSTILE) {
    const record = roleRecord(h, 'pg-orders.postgres.database.azure.com', 5432);
    const [revoke, drop] = manualDatabaseRole(record);
    for (const [line, database, sql] of [
      [revoke!, h, revokeGivenSql(h)],
      [drop!, 'postgres', dropRoleSql(h)],
    ] as const) {
      const calls = paste(line);
      assert.equal(calls.status, 0, calls.stderr);
      assert.deepEqual(calls.leftovers, []);
      const [token, psql] = calls.calls;
      assert.deepEqual([token!.program, ...token!.argv], TOKEN_CALL);
      assert.equal(psql!.program, 'psql');
      assert.equal(psql!.env.PGPASSWORD, STUB_TOKEN, 'psql gets the token from the environment');
      assert.equal(psql!.env.PGSSLROOTCERT, '/etc/ssl/certs/ca-certificates.crt', 'TLS verified');
      assert.ok(!psql!.argv.some((word) => word.includes(STUB_TOKEN)), 'never in argv');
      const conn = psql!.argv.at(-1);
      assert.deepEqual(psql!.argv.slice(0, -1), [
        ...['-X', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-c', sql],
      ]);
      assert.ok(sql.includes(`"${h.replace(/"/g, '""')}"`) || sql.includes(`'${h.replace(/'/g, "''")}'`));
      assert.deepEqual(parseConninfo(conn!), {
        host: record.fqdn,
        dbname: database,
        user: h,
        sslmode: 'verify-full',
        connect_timeout: '15',
      });
    }
  }
});

test('manual SQL for MySQL: the token in an option file on stdin, never in argv; the user in backticks-safe quotes', () => {
  for (const h of HOSTILE) {
    const [line] = manualMysqlUser({
      server: ids(h).mysql,
      serverName: h,
      fqdn: 'my-orders.mysql.database.azure.com',
      port: 3306,
      signedInUser: h,
      user: h,
      database: h,
      clientId: OBJECT_ID,
      created: true,
      replaced: false,
    });
    const result = paste(line!);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.leftovers, []);
    // The two sides of the pipe run at once: find each by its program.
    const token = result.calls.find((call) => call.program === 'az');
    const mysql = result.calls.find((call) => call.program === 'mysql');
    assert.equal(result.calls.length, 2);
    assert.deepEqual([token!.program, ...token!.argv], TOKEN_CALL);
    assert.deepEqual(
      [mysql!.program, ...mysql!.argv],
      [
        ...['mysql', '--defaults-extra-file=/dev/stdin', '-h', 'my-orders.mysql.database.azure.com'],
        ...['-P', '3306', '-u', h, '--enable-cleartext-plugin', '--ssl-mode=VERIFY_IDENTITY'],
        ...['--ssl-ca=/etc/ssl/certs/ca-certificates.crt', '-e', mysqlDropUser(h)],
      ],
    );
    assert.equal(
      mysql!.stdin,
      `[client]\npassword=${STUB_TOKEN}\n`,
      'the password is an option file on stdin',
    );
    assert.ok(!result.calls.some((call) => call.argv.some((word) => word.includes(STUB_TOKEN))));
    assert.equal(line!.includes(STUB_TOKEN), false);
  }
});

test('manual SQL for Azure SQL: T-SQL [..]]] inside one -Q word, sqlcmd variables off, so $() stays text', () => {
  for (const h of HOSTILE)
    pasteBlock((assertPastes) => {
      const record = {
        server: ids(h).sql,
        serverName: h,
        fqdn: 'sq-orders.database.windows.net',
        port: 1433,
        database: h,
        user: h,
        sid: OBJECT_ID,
        created: true,
        added: [],
        replaced: null,
        handOffScript: null,
      };
      const head = ['sqlcmd', '-S', 'sq-orders.database.windows.net', '-d', h];
      const auth = ['--authentication-method', 'ActiveDirectoryDefault', '-x', '-b'];
      assertPastes(
        manualSqlDatabaseUser(record)[0]!,
        [[...head, ...auth, '-Q', sqlDropUser(h)]],
        'sql drop user',
      );
      assert.equal(sqlDropUser(h), `DROP USER [${h.replaceAll(']', ']]')}]`);
      const added = ['db_datareader', 'db_datawriter'];
      assertPastes(
        manualSqlDatabaseUser({ ...record, created: false, added })[0]!,
        [[...head, ...auth, '-Q', revokeStatements(h, h, added).join('; ')]],
        'sql revoke',
      );
    });
});

test('hand-off scripts run the clients with exactly the names, the SQL on stdin, no token in argv', async () => {
  for (const h of HOSTILE) {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-doctor-paste-handoff-'));
    const server = { fqdn: 'srv.example.test', port: 5432, name: h };
    const pgInput = {
      handOffDir: dir,
      server,
      signedIn: { user: h },
      app: { name: h },
      database: h,
      grants: 'least',
    } as never;
    const pgRecord = { role: h, objectId: OBJECT_ID } as never;
    const sqlInput = {
      handOffDir: dir,
      server: { ...server, port: 1433 },
      app: { name: h },
      database: h,
    } as never;
    if (/\n/.test(h)) {
      await assert.rejects(postgresHandOff(pgInput, RUN_ID, pgRecord), /line break/);
      await assert.rejects(
        sqlHandOff(sqlInput, RUN_ID, h, { objectId: OBJECT_ID, clientId: OBJECT_ID }, ['db_datareader']),
        /line break/,
      );
      continue;
    }
    await postgresHandOff(pgInput, RUN_ID, pgRecord);
    const script = path.join(dir, `sc-doctor-${RUN_ID}-postgres.sh`);
    // The SQL each psql must get on stdin: the script's here-documents, byte for byte.
    const bodies = readFileSync(script, 'utf8')
      .split("<<'SC_DOCTOR_SQL'\n")
      .slice(1)
      .map((part) => part.slice(0, part.indexOf('SC_DOCTOR_SQL\n')));
    const pg = runScript(script);
    assert.equal(pg.status, 0, pg.stderr);
    assert.deepEqual(pg.leftovers, []);
    const [token, create, grant] = pg.calls;
    assert.deepEqual([token!.program, ...token!.argv], TOKEN_CALL);
    assert.equal(create!.stdin, `${createPrincipalSql(h, OBJECT_ID)};\n`);
    assert.equal(grant!.stdin, bodies[1]);
    assert.match(grant!.stdin, /^GRANT /);
    assert.ok(grant!.stdin.includes(`"${h.replace(/"/g, '""')}"`), 'the role is a quoted identifier');
    for (const [call, database, signIn] of [
      [create!, 'postgres', 'token'],
      [grant!, h, 'password'],
    ] as const) {
      assert.equal(call.program, 'psql');
      assert.deepEqual(call.argv.slice(0, -1), ['-X', '-v', 'ON_ERROR_STOP=1', '--single-transaction']);
      assert.deepEqual(parseConninfo(call.argv.at(-1)!), {
        host: 'srv.example.test',
        dbname: database,
        user: h,
        sslmode: 'verify-full',
        connect_timeout: '15',
      });
      // The Entra admin's part signs in with az's token; the owner's asks psql for its password.
      assert.equal(call.env.PGPASSWORD, signIn === 'token' ? STUB_TOKEN : undefined);
      assert.ok(!call.argv.some((word) => word.includes(STUB_TOKEN)));
    }

    await sqlHandOff(sqlInput, RUN_ID, h, { objectId: OBJECT_ID, clientId: OBJECT_ID }, ['db_datareader']);
    const sql = runScript(path.join(dir, `sc-doctor-${RUN_ID}-sql.sh`));
    assert.equal(sql.status, 0, sql.stderr);
    assert.deepEqual(sql.leftovers, []);
    assert.deepEqual(
      sql.calls.map((c) => [c.program, ...c.argv]),
      [
        [
          'sqlcmd',
          '-S',
          'srv.example.test',
          '-d',
          h,
          '--authentication-method',
          'ActiveDirectoryDefault',
          '-x',
          '-b',
        ],
      ],
    );
    assert.equal(
      sql.calls[0]!.stdin,
      [
        createUserSql(h, OBJECT_ID),
        'GO',
        ...grantStatements(h, h, ['db_datareader']).flatMap((s) => [s, 'GO']),
        '',
      ].join('\n'),
    );
    assert.deepEqual(readdirSync(dir).sort(), [
      `sc-doctor-${RUN_ID}-postgres.sh`,
      `sc-doctor-${RUN_ID}-sql.sh`,
    ]);
  }
});

test("the doctor's remedies paste exactly, names, display names and placeholders one word each", () => {
  for (const h of HOSTILE)
    pasteBlock((assertPastes) => {
      for (const kind of ['postgres', 'mysql', 'sql'] as const) {
        const server = { kind, resourceGroup: h, name: h };
        const group = kind === 'sql' ? ['az', 'sql', 'server'] : ['az', kind, 'flexible-server'];
        const names = kind === 'sql' ? ['--server', h, '--name'] : ['--name', h, '--rule-name'];
        assertPastes(
          remedy.firewallRuleCreateCommand(server, null),
          [
            [
              ...group,
              ...['firewall-rule', 'create', '--resource-group', h, ...names, 'sc-doctor-this-machine'],
              ...['--start-ip-address', '<your-public-ip>', '--end-ip-address', '<your-public-ip>'],
            ],
          ],
          `firewall ${kind}`,
        );
        assertPastes(
          remedy.serverStartCommand(server),
          [[...group, 'start', '--resource-group', h, '--name', h]],
          'start',
        );
        assertPastes(
          remedy.serverStateCommand(server),
          [[...group, 'show', '--resource-group', h, '--name', h, '--query', 'state']],
          'state',
        );
        assertPastes(
          remedy.databaseListCommand(server),
          [
            kind === 'sql'
              ? ['az', 'sql', 'db', 'list', '--resource-group', h, '--server', h, '-o', 'table']
              : [...group, 'db', 'list', '--resource-group', h, '--server-name', h, '-o', 'table'],
          ],
          'db list',
        );
      }
      for (const kind of ['webapp', 'containerapp', 'spring'] as const) {
        const app = { kind, resourceGroup: h, name: h, service: kind === 'spring' ? h : null } as AppRef;
        const head = kind === 'spring' ? ['az', 'spring', 'app'] : ['az', kind];
        const service = kind === 'spring' ? ['-s', h] : [];
        assertPastes(
          remedy.appListCommand(app),
          [[...head, 'list', '-g', h, ...service, '--query', '[].name', '-o', 'tsv']],
          'app list',
        );
        assertPastes(
          remedy.appIdentityAssignCommand(app),
          [
            [
              ...[...head, 'identity', 'assign', '-g', h, ...service, '-n', h],
              ...(kind === 'webapp' ? [] : ['--system-assigned']),
            ],
          ],
          'identity assign',
        );
      }
      const caller = { name: h, objectId: null };
      assertPastes(
        remedy.roleAssignmentCommand('<your-object-id>', h, ids(h).group),
        [
          [
            'az',
            'role',
            'assignment',
            'create',
            '--assignee',
            '<your-object-id>',
            '--role',
            h,
            '--scope',
            ids(h).group,
          ],
        ],
        'role',
      );
      assertPastes(
        remedy.privateEndpointApproveCommand(ids(h).pg),
        [
          [
            'az',
            'network',
            'private-endpoint-connection',
            'approve',
            '--id',
            ids(h).pg,
            '--description',
            'Approved',
          ],
        ],
        'approve',
      );
      assertPastes(
        remedy.privateEndpointDeleteCommand(ids(h).pg),
        [['az', 'network', 'private-endpoint', 'delete', '--ids', ids(h).pg]],
        'endpoint delete',
      );
      const tunnel = { fqdn: h, port: 5432, localPort: 15432 };
      assertPastes(
        remedy.sshTunnelCommand(tunnel),
        [['ssh', '-N', '-L', `15432:${h}:5432`, '<user>@<jump-box>']],
        'ssh',
      );
      assertPastes(
        remedy.doctorServerCommand(ids(h).pg, tunnel),
        [['sc-doctor', 'doctor', '--server-id', ids(h).pg, '--connect-to', `${h}:5432=127.0.0.1:15432`]],
        'rerun',
      );
      assertPastes(remedy.nslookupCommand(h), [['nslookup', h]], 'nslookup');
      assertPastes(
        remedy.providerRegisterCommand(h),
        [['az', 'provider', 'register', '--namespace', h]],
        'provider',
      );
      assertPastes(remedy.loginTenantCommand(h), [['az', 'login', '--tenant', h]], 'login');
      const server = { resourceGroup: h, name: h };
      assertPastes(
        postgresCommands.postgresEntraAuthCommand(server),
        [
          [
            'az',
            'postgres',
            'flexible-server',
            'update',
            '-g',
            h,
            '-n',
            h,
            '--active-directory-auth',
            'Enabled',
          ],
        ],
        'entra on',
      );
      assertPastes(
        postgresCommands.postgresEntraAdminCommand(server, caller),
        [
          [
            'az',
            'postgres',
            'flexible-server',
            'ad-admin',
            'create',
            '-g',
            h,
            '-s',
            h,
            '-u',
            h,
            '-i',
            '<your-object-id>',
          ],
        ],
        'pg admin',
      );
      const [identity, assign] = mysqlCommands.mysqlServerIdentityCommands(server);
      assertPastes(
        identity!,
        [['az', 'identity', 'create', '-g', h, '-n', `${h}-identity`]],
        'identity create',
      );
      assertPastes(
        assign!,
        [
          [
            'az',
            'mysql',
            'flexible-server',
            'identity',
            'assign',
            '-g',
            h,
            '-s',
            h,
            '--identity',
            `${h}-identity`,
          ],
        ],
        'identity attach',
      );
      assertPastes(
        mysqlCommands.mysqlEntraAdminCommand(server, { name: h, objectId: OBJECT_ID }, h),
        [
          [
            ...['az', 'mysql', 'flexible-server', 'ad-admin', 'create', '-g', h, '-s', h],
            ...['-u', h, '-i', OBJECT_ID, '--identity', h],
          ],
        ],
        'mysql admin',
      );
      assertPastes(
        sqlCommands.sqlEntraAdminCommand(server, caller),
        [
          [
            ...['az', 'sql', 'server', 'ad-admin', 'create', '-g', h, '--server-name', h],
            ...['--display-name', h, '--object-id', '<your-object-id>'],
          ],
        ],
        'sql admin',
      );
    });
});

test('sign-in remedies fill the tenant and scope in as words', () => {
  for (const h of HOSTILE)
    pasteBlock((assertPastes) => {
      const aadsts = diagnoseSignInText('AADSTS50078: Presented multi-factor authentication has expired', {
        scope: 'https://management.core.windows.net//.default',
        tenantId: h,
      });
      const login = aadsts.remediation!.commands.find((c) => c.startsWith('az login'))!;
      assertPastes(login, [['az', 'login', '--tenant', h]], 'aadsts login');
      const signedOut = diagnoseSignInText("Please run 'az login' to setup account.", {
        scope: 's',
        tenantId: h,
      });
      assertPastes(signedOut.remediation!.commands[0]!, [['az', 'login', '--tenant', h]], 'not signed in');
      const timeout = diagnoseAzFailure({ kind: 'timeout', timeoutMs: 1000 } as never, {
        scope: `${h}/.default`,
      });
      assertPastes(
        timeout.remediation!.commands[0]!,
        [['az', 'account', 'get-access-token', '-o', 'json', '--resource', h]],
        'token',
      );
    });
  // A command az printed is passed on only when every word of it is plain.
  const suggested = diagnoseSignInText(
    'AADSTS99999: unknown.\nPlease run:\naz login --scope https://x.example/.default\naz login --tenant $(id)',
    { scope: 's' },
  );
  assert.deepEqual(suggested.remediation!.commands, ['az login --scope https://x.example/.default']);
});

test('sc-doctor lines: the setup command line to resume, undo, and the hand-off script to run', () => {
  for (const h of HOSTILE)
    pasteBlock((assertPastes) => {
      const argv = ['setup', 'postgres', '-g', h, '--app', h, '--resume', 'old', '--database', h];
      const line = resumeCommandOf(setupCommandLine(argv), 'postgres', h);
      assertPastes(
        line,
        [['sc-doctor', 'setup', 'postgres', '-g', h, '--app', h, '--database', h, '--resume', h]],
        'resume',
      );
      assertPastes(undoCommand(h), [['sc-doctor', 'undo', h]], 'undo');
    });
});

test('printed commands are built, not spliced: no command template interpolates a value', () => {
  const root = path.resolve(import.meta.dirname, '../../source');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
  const spliced: string[] = [];
  // A template literal that starts as a command line and splices a value into it.
  const template =
    /`(?:az (?:account|ad|containerapp|group|identity|login|mysql|network|postgres|provider|rest|role|spring|sql|webapp)\b|(?:psql|mysql|sqlcmd|ssh) -|sc-doctor (?:doctor|setup|snippet|undo)\b|sh |nslookup |PGPASSWORD=[^ ]* )[^`]*\$\{/g;
  // The ad-hoc single-quote escape every hand-made quoting used.
  const adHoc = /'\\\\''/g;
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const match of text.matchAll(template)) {
      // `$(...)` around a commandLine(...) of constant words is the one sanctioned splice.
      if (/^`PGPASSWORD="\$\(\$\{commandLine\(OSS_RDBMS_TOKEN_ARGV\)\}/.test(text.slice(match.index)))
        continue;
      spliced.push(`${file}: ${text.slice(match.index, match.index + 70)}`);
    }
    if (file !== path.join('core', 'command-line.ts'))
      for (const match of text.matchAll(adHoc)) spliced.push(`${file}: ad-hoc quoting at ${match.index}`);
  }
  assert.deepEqual(spliced, []);
});

test("the real psql reads the printed connection string as one: libpq's quoting holds for every name", async () => {
  const { createServer } = await import('node:net');
  // A port that refuses: libpq must get as far as connecting, past parsing the connection string.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  const bin = mkdtempSync(path.join(tmpdir(), 'sc-doctor-paste-psql-'));
  const { symlinkSync, writeFileSync, chmodSync } = await import('node:fs');
  symlinkSync('/usr/bin/psql', path.join(bin, 'psql'));
  writeFileSync(path.join(bin, 'az'), `#!/bin/sh\nprintf '%s\\n' '${STUB_TOKEN}'\n`);
  chmodSync(path.join(bin, 'az'), 0o755);
  const { spawnSync } = await import('node:child_process');
  for (const h of HOSTILE) {
    const [line] = manualDatabaseRole(roleRecord(h, '127.0.0.1', port));
    const result = spawnSync('/bin/sh', ['-c', line!], {
      env: { PATH: bin, HOME: bin },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`connection to server at "127\\.0\\.0\\.1", port ${port} failed`));
    assert.doesNotMatch(
      result.stderr,
      /invalid connection option|missing "=" after|unterminated quoted string/,
    );
  }
});
