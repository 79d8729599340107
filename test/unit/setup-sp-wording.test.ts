/**
 * A run that connects as a service principal is worded as one: the plan never says "the app's
 * identity" for it (the service principal is not the app's identity), and names its client id.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Services } from '../../source/core/services.ts';
import type { Step } from '../../source/engine/step.ts';
import type { SetupInput } from '../../source/setup/input.ts';
import { databaseUserStep as mysqlUserStep } from '../../source/setup/mysql/database-user.ts';
import type { MysqlSetupInput } from '../../source/setup/mysql/index.ts';
import { mysqlUserCheck } from '../../source/setup/mysql/verify.ts';
import { databaseRoleStep } from '../../source/setup/postgres/database-role.ts';
import { postgresUserCheck } from '../../source/setup/postgres/verify.ts';
import { sqlDatabaseUserStep } from '../../source/setup/sql/database-user.ts';
import type { SqlSetupInput } from '../../source/setup/sql/index.ts';
import { sqlUserCheck } from '../../source/setup/sql/verify.ts';
import { verifyStep } from '../../source/setup/verify.ts';

const CLIENT_ID = '1b2c3d4e-0000-4000-8000-000000000001';
const services = {} as Services;

function inputOf(kind: 'postgres' | 'mysql' | 'sql', auth: SetupInput['auth']) {
  const provider = {
    postgres: 'DBforPostgreSQL/flexibleServers',
    mysql: 'DBforMySQL/flexibleServers',
    sql: 'Sql/servers',
  }[kind];
  return {
    server: {
      id: `/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-orders/providers/Microsoft.${provider}/orders-db`,
      name: 'orders-db',
      fqdn: 'orders-db.example',
      port: 5432,
      kind,
    },
    database: 'orders',
    app: { kind: 'webapp', id: '/app', name: 'orders-api', systemIdentity: null, userIdentities: [] },
    auth,
    clientType: 'nodejs',
    connectionName: 'orders_conn',
    linker: true,
    signedIn: { objectId: 'o', user: 'dana@contoso.com', type: 'user' },
    grants: 'least',
    dbUser: 'orders-api-user',
  };
}

async function previews(kind: 'postgres' | 'mysql' | 'sql', auth: SetupInput['auth']): Promise<string> {
  const input = inputOf(kind, auth);
  const steps: Step[] =
    kind === 'postgres'
      ? [
          databaseRoleStep(input as unknown as SetupInput, services, []) as unknown as Step,
          verifyStep(
            input as unknown as SetupInput,
            services,
            postgresUserCheck(input as unknown as SetupInput, services),
            [],
          ),
        ]
      : kind === 'mysql'
        ? [
            mysqlUserStep(input as unknown as MysqlSetupInput, services) as unknown as Step,
            verifyStep(
              input as unknown as MysqlSetupInput,
              services,
              mysqlUserCheck(input as unknown as MysqlSetupInput, services),
              [],
            ),
          ]
        : [
            sqlDatabaseUserStep(input as unknown as SqlSetupInput, services) as unknown as Step,
            verifyStep(
              input as unknown as SqlSetupInput,
              services,
              sqlUserCheck(input as unknown as SqlSetupInput, services),
              [],
            ),
          ];
  const signal = new AbortController().signal;
  return (await Promise.all(steps.map((step) => step.preview({ signal })))).flat().join('\n');
}

for (const kind of ['postgres', 'mysql', 'sql'] as const) {
  test(`${kind}: the plan of a service-principal run names the service principal, not the app's identity`, async () => {
    const sp = await previews(kind, { kind: 'sp', clientId: CLIENT_ID });
    assert.doesNotMatch(sp, /app's identity|app's client id/);
    assert.match(sp, new RegExp(`the service principal ${CLIENT_ID}`));
    // The app's own identity is still worded as the app's.
    const system = await previews(kind, { kind: 'system' });
    assert.doesNotMatch(system, /service principal/);
  });
}
