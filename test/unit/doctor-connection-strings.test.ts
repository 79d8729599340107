/** Where the settings Service Connector writes point, and the SC_DOCTOR_CONNECT_TO mapping. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointOf } from '../../source/doctor/connection-string.ts';

const PG = 'pg-orders.postgres.database.azure.com';
const MY = 'mysql-orders.mysql.database.azure.com';
const SQL = 'sql-orders.database.windows.net';

const shapes: { name: string; value: string; endpoint: ReturnType<typeof endpointOf> }[] = [
  {
    name: 'ADO.NET PostgreSQL',
    value: `Server=${PG};Database=orders;Port=5432;Ssl Mode=Require;User Id=aad_orders;`,
    endpoint: { host: PG, port: 5432, database: 'orders', user: 'aad_orders' },
  },
  {
    name: 'ADO.NET SQL with the port in Data Source',
    value: `Data Source=${SQL},1433;Initial Catalog=orders;Authentication=ActiveDirectoryManagedIdentity`,
    endpoint: { host: SQL, port: 1433, database: 'orders' },
  },
  {
    name: 'JDBC PostgreSQL',
    value: `jdbc:postgresql://${PG}:5432/orders?sslmode=require&user=aad_orders`,
    endpoint: { host: PG, port: 5432, database: 'orders', user: 'aad_orders' },
  },
  {
    name: 'JDBC SQL Server',
    value: `jdbc:sqlserver://${SQL}:1433;databaseName=orders;authentication=ActiveDirectoryMSI;`,
    endpoint: { host: SQL, port: 1433, database: 'orders' },
  },
  {
    name: 'libpq key=value',
    value: `dbname=orders host=${PG} port=5432 sslmode=require user=aad_orders`,
    endpoint: { host: PG, port: 5432, database: 'orders', user: 'aad_orders' },
  },
  {
    name: "Go's MySQL DSN",
    value: `aad_orders@tcp(${MY}:3306)/orders?tls=true`,
    endpoint: { host: MY, port: 3306, database: 'orders', user: 'aad_orders' },
  },
  { name: 'something else', value: 'not a connection string', endpoint: {} },
];

for (const shape of shapes) {
  test(`endpointOf: ${shape.name}`, () => {
    assert.deepEqual(endpointOf(shape.value), shape.endpoint);
  });
}
