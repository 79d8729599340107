/**
 * The settings the generator shows after a linker are the ones Service Connector writes: checked
 * against the twin's linker table, which was transcribed from the Service Connector docs
 * independently of the generator. Every combination the linker supports must match name for name and
 * value for value, except that a value holding a secret is only referenced and that Spring's tenant
 * is `spring.cloud.azure.profile.tenant-id`, the name sc-doctor asks the linker to write it under
 * (`customizedKeys`; Spring Cloud Azure reads no `credential.tenant-id`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSnippet } from '../../source/snippets/index.ts';
import { SERVICE_CONNECTOR_SPRING_TENANT, SPRING_TENANT } from '../../source/snippets/settings.ts';
import { CLIENT_TYPES, SNIPPET_AUTHS } from '../../source/snippets/types.ts';
import { type AuthKind, settingsFor, type TargetKind } from '../azure-twin/providers/linker-settings.ts';

const TARGET: Record<'postgres' | 'mysql' | 'sql', TargetKind> = {
  postgres: 'postgresql',
  mysql: 'mysql',
  sql: 'sql',
};
const AUTH: Record<(typeof SNIPPET_AUTHS)[number], AuthKind> = {
  system: 'systemAssignedIdentity',
  user: 'userAssignedIdentity',
  sp: 'servicePrincipalSecret',
};
const NAMES = {
  host: 'orders.example.azure.com',
  db: 'orders',
  user: 'aad_orders',
  clientId: '1b2c3d4e-0000-4000-8000-000000000001',
  tenantId: '5f1e9c2a-7b3d-4e8f-9a01-c04705d0e7e1',
  secret: 'SECRET-VALUE',
};

test('every combination Service Connector supports shows exactly the settings it writes', () => {
  let compared = 0;
  for (const database of ['postgres', 'mysql', 'sql'] as const) {
    for (const clientType of CLIENT_TYPES) {
      for (const auth of SNIPPET_AUTHS) {
        const linker = settingsFor(TARGET[database], clientType, AUTH[auth], NAMES)?.map((setting) =>
          setting.key === SERVICE_CONNECTOR_SPRING_TENANT ? { ...setting, key: SPRING_TENANT } : setting,
        );
        const snippet = generateSnippet({
          database,
          clientType,
          auth,
          server: NAMES.host,
          databaseName: NAMES.db,
          user: NAMES.user,
          clientId: NAMES.clientId,
          tenantId: NAMES.tenantId,
          settingsWriter: 'service-connector',
        });
        const where = `${database} ${clientType} ${auth}`;
        if (!linker) {
          assert.notEqual(snippet.support, 'supported', `${where}: Service Connector does not support it`);
          continue;
        }
        compared++;
        assert.equal(snippet.support, 'supported', where);
        const byName = new Map(snippet.settings.map((setting) => [setting.name, setting]));
        assert.deepEqual([...byName.keys()].sort(), linker.map((setting) => setting.key).sort(), where);
        for (const expected of linker) {
          const shown = byName.get(expected.key)!;
          if (expected.value.includes(NAMES.secret)) {
            assert.ok(
              'secretRef' in shown && !('value' in shown),
              `${where}: ${expected.key} is only referenced`,
            );
            assert.ok(!JSON.stringify(shown).includes(NAMES.secret));
          } else {
            assert.deepEqual(shown, { name: expected.key, value: expected.value }, where);
          }
        }
      }
    }
  }
  assert.equal(compared, 2 * 10 * 3 + 6 * 3, 'PostgreSQL and MySQL: all; Azure SQL: six client types');
});

test("without a linker the Spring Boot URL checks the certificate; every other setting is the linker's", () => {
  for (const database of ['postgres', 'mysql'] as const) {
    for (const auth of SNIPPET_AUTHS) {
      const request = {
        database,
        clientType: 'springBoot' as const,
        auth,
        server: NAMES.host,
        databaseName: NAMES.db,
      };
      const linked = generateSnippet({ ...request, settingsWriter: 'service-connector' });
      const own = generateSnippet(request);
      const url = (s: typeof own) =>
        s.settings.find((setting) => setting.name === 'spring.datasource.url') as { value: string };
      assert.match(url(linked).value, /\?sslmode=required?$/, `${database} ${auth}`);
      assert.match(
        url(own).value,
        database === 'postgres'
          ? /\?sslmode=verify-full&sslfactory=org\.postgresql\.ssl\.DefaultJavaSSLFactory$/
          : /\?sslMode=VERIFY_IDENTITY$/,
        `${database} ${auth}`,
      );
      assert.deepEqual(
        own.settings.filter((setting) => setting.name !== 'spring.datasource.url'),
        linked.settings.filter((setting) => setting.name !== 'spring.datasource.url'),
      );
      const names = own.settings.map((setting) => setting.name);
      assert.ok(!names.includes(SERVICE_CONNECTOR_SPRING_TENANT), 'one tenant property only');
      if (auth === 'sp') assert.ok(names.includes(SPRING_TENANT));
      assert.match(linked.notes.join('\n'), /--no-linker/, 'after a linker the note says how to verify');
    }
  }
});

/** A TLS mode that encrypts without checking the server's certificate, or does not encrypt at all. */
const UNVERIFIED =
  /(^|[?&;\s])(ssl ?mode)=(require|required|prefer|preferred|allow|disable)(\b|$)|[?&]tls=(skip-verify|false|preferred)/i;
/** The words of each client for TLS that checks the certificate and the host name. */
const VERIFIED =
  /sslmode=verify-full|Ssl Mode=VerifyFull|SSL Mode=VerifyFull|sslMode=VERIFY_IDENTITY|tls=true/;

test('every connection string and setting sc-doctor writes checks the certificate; the linker writes its own', () => {
  let strings = 0;
  for (const database of ['postgres', 'mysql', 'sql'] as const) {
    for (const clientType of CLIENT_TYPES) {
      for (const auth of SNIPPET_AUTHS) {
        const request = {
          database,
          clientType,
          auth,
          server: NAMES.host,
          databaseName: NAMES.db,
          user: NAMES.user,
          clientId: NAMES.clientId,
        };
        const own = generateSnippet(request);
        for (const setting of own.settings) {
          if (!('value' in setting)) continue;
          const where = `${database} ${clientType} ${auth} ${setting.name}=${setting.value}`;
          assert.doesNotMatch(setting.value, UNVERIFIED, where);
          if (/SSLMODE$/i.test(setting.name)) assert.equal(setting.value, 'verify_identity', where);
          if (/CONNECTIONSTRING$|^spring\.datasource\.url$/i.test(setting.name) && database !== 'sql') {
            assert.match(setting.value, VERIFIED, where);
            strings += 1;
          }
        }
        // Service Connector writes what it writes: the settings after a linker are its values.
        const linked = generateSnippet({ ...request, settingsWriter: 'service-connector' });
        const withString = {
          postgres: ['dotnet', 'java', 'python', 'go'],
          mysql: ['dotnet', 'java'],
          sql: [],
        };
        if ((withString[database] as string[]).includes(clientType))
          assert.ok(
            linked.settings.some((s) => 'value' in s && UNVERIFIED.test(s.value)),
            `${database} ${clientType} ${auth}: Service Connector's own value`,
          );
      }
    }
  }
  assert.ok(strings >= 30, `connection strings checked: ${strings}`);
  // libpq 16 and later check against the system's roots with sslrootcert=system.
  const python = generateSnippet({
    database: 'postgres',
    clientType: 'python',
    auth: 'system',
    server: NAMES.host,
  });
  assert.match((python.settings[0] as { value: string }).value, /sslmode=verify-full sslrootcert=system/);
});
