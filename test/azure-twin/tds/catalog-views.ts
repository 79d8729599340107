/**
 * The catalogue as the engine's security views show it: `sys.database_principals`,
 * `sys.database_role_members` and `sys.database_permissions`, built-in principals included.
 */
import { BUILT_IN_PRINCIPALS, FIXED_ROLES, type SqlDatabaseCatalog, sameName } from './catalog.ts';
import type { Cell, ColumnType } from './token-stream.ts';

export interface ViewColumn {
  name: string;
  type: ColumnType;
}

export interface View {
  columns: ViewColumn[];
  rows: Record<string, Cell>[];
}

const PRINCIPAL_COLUMNS: ViewColumn[] = [
  { name: 'name', type: 'nvarchar' },
  { name: 'principal_id', type: 'int' },
  { name: 'type', type: 'nvarchar' },
  { name: 'type_desc', type: 'nvarchar' },
  { name: 'default_schema_name', type: 'nvarchar' },
  { name: 'owning_principal_id', type: 'int' },
  { name: 'sid', type: 'varbinary' },
  { name: 'is_fixed_role', type: 'bit' },
  { name: 'authentication_type', type: 'int' },
  { name: 'authentication_type_desc', type: 'nvarchar' },
];

const TYPE_DESC: Record<string, string> = {
  E: 'EXTERNAL_USER',
  X: 'EXTERNAL_GROUP',
  S: 'SQL_USER',
  R: 'DATABASE_ROLE',
};

function hexSid(sid: string): Buffer {
  return Buffer.from(sid.replace(/^0x/i, ''), 'hex');
}

function principals(catalog: SqlDatabaseCatalog): Record<string, Cell>[] {
  const row = (
    name: string,
    id: number,
    type: string,
    sid: Buffer | null,
    authentication: [number, string],
    extra: Partial<Record<string, Cell>> = {},
  ): Record<string, Cell> => ({
    name,
    principal_id: id,
    type,
    type_desc: TYPE_DESC[type]!,
    default_schema_name: type === 'R' ? null : 'dbo',
    owning_principal_id: type === 'R' ? 1 : null,
    sid,
    is_fixed_role: false,
    authentication_type: authentication[0],
    authentication_type_desc: authentication[1],
    ...extra,
  });
  const none: [number, string] = [0, 'NONE'];
  const builtIn = BUILT_IN_PRINCIPALS.map((name, id) =>
    id === 0
      ? row(name, 0, 'R', null, none)
      : row(
          name,
          id,
          'S',
          name === 'guest' ? Buffer.from([0]) : null,
          name === 'dbo' ? [1, 'INSTANCE'] : none,
          {
            default_schema_name: name,
          },
        ),
  );
  const users = catalog.users.map((u) => row(u.name, u.principalId, u.type, hexSid(u.sid), [4, 'EXTERNAL']));
  const roles = Object.entries(FIXED_ROLES).map(([name, id]) =>
    row(name, id, 'R', null, none, { is_fixed_role: true }),
  );
  return [...builtIn, ...users, ...roles];
}

/** Principal id of a user or role name, or undefined. */
export function principalIdOf(catalog: SqlDatabaseCatalog, name: string): number | undefined {
  const found = principals(catalog).find((p) => sameName(String(p.name), name));
  return found ? Number(found.principal_id) : undefined;
}

/** Names of the roles `member` belongs to (dbo is always in db_owner). */
export function rolesOf(catalog: SqlDatabaseCatalog, member: string): string[] {
  const roles = Object.entries(catalog.roles)
    .filter(([, members]) => members.some((m) => sameName(m, member)))
    .map(([role]) => role);
  return sameName(member, 'dbo') ? ['db_owner', ...roles] : roles;
}

const PERMISSION_TYPES: Record<string, string> = {
  CONTROL: 'CL',
  CONNECT: 'CO',
  SELECT: 'SL',
  INSERT: 'IN',
  UPDATE: 'UP',
  DELETE: 'DL',
  EXECUTE: 'EX',
  ALTER: 'AL',
  REFERENCES: 'RF',
  'VIEW DEFINITION': 'VW',
  SHOWPLAN: 'SPLN',
  'CREATE TABLE': 'CRTB',
  'CREATE VIEW': 'CRVW',
  'CREATE PROCEDURE': 'CRPR',
  'CREATE FUNCTION': 'CRFN',
  'CREATE SCHEMA': 'CRSC',
  'ALTER ANY USER': 'ALUS',
  'ALTER ANY ROLE': 'ALRL',
  'ALTER ANY SCHEMA': 'ALSC',
  'VIEW DATABASE STATE': 'VWDS',
};

/** The view named `schema.name`, or undefined when the stand-in has no such object. */
export function catalogView(
  catalog: SqlDatabaseCatalog,
  schema: string | undefined,
  name: string,
): View | undefined {
  if (!schema || !sameName(schema, 'sys')) return undefined;
  const view = name.toLowerCase();
  if (view === 'database_principals') return { columns: PRINCIPAL_COLUMNS, rows: principals(catalog) };
  if (view === 'database_role_members') {
    const rows: Record<string, Cell>[] = [
      { role_principal_id: FIXED_ROLES.db_owner!, member_principal_id: 1 },
    ];
    for (const [role, members] of Object.entries(catalog.roles)) {
      for (const member of members) {
        rows.push({
          role_principal_id: FIXED_ROLES[role]!,
          member_principal_id: principalIdOf(catalog, member)!,
        });
      }
    }
    return {
      columns: [
        { name: 'role_principal_id', type: 'int' },
        { name: 'member_principal_id', type: 'int' },
      ],
      rows,
    };
  }
  if (view === 'database_permissions') {
    return {
      columns: [
        { name: 'class', type: 'int' },
        { name: 'class_desc', type: 'nvarchar' },
        { name: 'major_id', type: 'int' },
        { name: 'minor_id', type: 'int' },
        { name: 'grantee_principal_id', type: 'int' },
        { name: 'grantor_principal_id', type: 'int' },
        { name: 'type', type: 'nvarchar' },
        { name: 'permission_name', type: 'nvarchar' },
        { name: 'state', type: 'nvarchar' },
        { name: 'state_desc', type: 'nvarchar' },
      ],
      rows: catalog.permissions.map((p) => ({
        class: 0,
        class_desc: 'DATABASE',
        major_id: 0,
        minor_id: 0,
        grantee_principal_id: principalIdOf(catalog, p.grantee) ?? null,
        grantor_principal_id: 1,
        type: (PERMISSION_TYPES[p.permission] ?? '').padEnd(4, ' '),
        permission_name: p.permission,
        state: p.state === 'GRANT' ? 'G' : 'D',
        state_desc: p.state,
      })),
    };
  }
  return undefined;
}
