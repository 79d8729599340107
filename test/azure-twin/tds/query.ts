/**
 * Evaluates the SELECTs the stand-in supports over the catalogue views: joins on conditions, WHERE,
 * ORDER BY, TOP, COUNT(*), CAST/CONVERT and the security built-ins (SUSER_SNAME, USER_NAME, DB_NAME,
 * IS_ROLEMEMBER, ...). Comparisons follow the default collation: case-insensitive, trailing spaces
 * ignored.
 */
import { errors, SqlError } from './azure-errors.ts';
import type { SqlDatabaseCatalog } from './catalog.ts';
import { catalogView, principalIdOf, rolesOf, type ViewColumn } from './catalog-views.ts';
import type { Expr, Select, TableRef } from './sql-parser.ts';
import { type Cell, type Column, type ColumnType, guidBytes, guidText } from './token-stream.ts';

/** Who runs the query, for the built-in functions. */
export interface QueryContext {
  catalog: SqlDatabaseCatalog;
  database: string;
  serverName: string;
  loginName: string;
  userName: string;
  loginSid: Buffer;
  /** Parameters of an `sp_executesql` call by lower-case name (`@name`). */
  variables?: Map<string, Cell>;
}

export interface ResultSet {
  columns: Column[];
  rows: Cell[][];
}

interface Source {
  alias: string;
  columns: ViewColumn[];
}

type Row = Map<string, Record<string, Cell>>;

const FUNCTION_TYPES: Record<string, ColumnType> = {
  SUSER_SNAME: 'nvarchar',
  SUSER_NAME: 'nvarchar',
  SYSTEM_USER: 'nvarchar',
  ORIGINAL_LOGIN: 'nvarchar',
  USER_NAME: 'nvarchar',
  CURRENT_USER: 'nvarchar',
  SESSION_USER: 'nvarchar',
  DB_NAME: 'nvarchar',
  USER_ID: 'int',
  DATABASE_PRINCIPAL_ID: 'int',
  IS_ROLEMEMBER: 'int',
  SUSER_SID: 'varbinary',
  LOWER: 'nvarchar',
  UPPER: 'nvarchar',
  LEN: 'int',
  '@@VERSION': 'nvarchar',
  '@@SERVERNAME': 'nvarchar',
  '@@SPID': 'int',
};

const CAST_TYPES: Record<string, ColumnType> = {
  uniqueidentifier: 'uniqueidentifier',
  nvarchar: 'nvarchar',
  varchar: 'nvarchar',
  sysname: 'nvarchar',
  char: 'nvarchar',
  nchar: 'nvarchar',
  int: 'int',
  bit: 'bit',
  varbinary: 'varbinary',
};

/** Runs `query`; unknown objects, columns and functions are the engine's errors 208, 207 and 195. */
export function runSelect(query: Select, ctx: QueryContext): ResultSet {
  const sources: Source[] = [];
  let rows: Row[] = [new Map()];
  if (query.from) {
    const first = openView(query.from, ctx);
    sources.push(first.source);
    rows = first.rows.map((r) => new Map([[first.source.alias, r]]));
    for (const join of query.joins) {
      const next = openView(join.table, ctx);
      sources.push(next.source);
      const joined: Row[] = [];
      for (const row of rows) {
        const matches = next.rows
          .map((r) => new Map([...row, [next.source.alias, r]]))
          .filter((candidate) => truthy(evaluate(join.on, candidate, sources, ctx)));
        if (matches.length > 0) joined.push(...matches);
        else if (join.left) joined.push(new Map([...row, [next.source.alias, nullRow(next.source)]]));
      }
      rows = joined;
    }
  }
  // Names are bound when the query compiles, not only for rows that reach an expression.
  for (const item of query.items) if (item.expr) typeOf(item.expr, sources, ctx);
  for (const expr of [query.where, ...query.joins.map((j) => j.on)]) if (expr) bind(expr, sources);
  if (query.where) rows = rows.filter((row) => truthy(evaluate(query.where!, row, sources, ctx)));
  if (query.orderBy.length > 0) {
    // ORDER BY may name a select-list alias.
    const keys = query.orderBy.map(({ expr, desc }) => {
      const aliased =
        expr.kind === 'column' && !expr.table
          ? query.items.find((item) => item.alias?.toLowerCase() === expr.name.toLowerCase())?.expr
          : undefined;
      return { expr: aliased ?? expr, desc };
    });
    rows = [...rows].sort((a, b) => {
      for (const { expr, desc } of keys) {
        const order = compare(evaluate(expr, a, sources, ctx), evaluate(expr, b, sources, ctx)) ?? 0;
        if (order !== 0) return desc ? -order : order;
      }
      return 0;
    });
  }
  if (query.top !== undefined) rows = rows.slice(0, query.top);

  const columns: Column[] = [];
  const cells: ((row: Row) => Cell)[] = [];
  const aggregate = query.items.some((item) => item.expr?.kind === 'countStar');
  for (const item of query.items) {
    if (item.star) {
      const picked = item.star.table ? [findSource(sources, item.star.table)] : sources;
      if (picked.length === 0) throw errors.syntax('*');
      for (const source of picked) {
        for (const column of source.columns) {
          columns.push({ name: column.name, type: column.type });
          cells.push((row) => row.get(source.alias)?.[column.name] ?? null);
        }
      }
      continue;
    }
    const expr = item.expr!;
    columns.push({
      name: item.alias ?? (expr.kind === 'column' ? expr.name : ''),
      type: typeOf(expr, sources, ctx),
    });
    cells.push((row) => (expr.kind === 'countStar' ? rows.length : evaluate(expr, row, sources, ctx)));
  }
  const output = aggregate ? [rows[0] ?? new Map()] : rows;
  return { columns, rows: output.map((row) => cells.map((cell) => cell(row))) };
}

function openView(table: TableRef, ctx: QueryContext): { source: Source; rows: Record<string, Cell>[] } {
  const view = catalogView(ctx.catalog, table.schema, table.name);
  if (!view) throw errors.invalidObject(table.schema ? `${table.schema}.${table.name}` : table.name);
  return { source: { alias: table.alias ?? table.name, columns: view.columns }, rows: view.rows };
}

function nullRow(source: Source): Record<string, Cell> {
  return Object.fromEntries(source.columns.map((c) => [c.name, null]));
}

function findSource(sources: Source[], alias: string): Source {
  const found = sources.find((s) => s.alias.toLowerCase() === alias.toLowerCase());
  if (!found)
    throw new SqlError({
      number: 4104,
      state: 1,
      severity: 16,
      message: `The multi-part identifier "${alias}" could not be bound.`,
    });
  return found;
}

function resolveColumn(
  expr: { table: string | undefined; name: string },
  sources: Source[],
): { source: Source; column: ViewColumn } {
  const candidates = expr.table ? [findSource(sources, expr.table)] : sources;
  const hits = candidates.flatMap((source) =>
    source.columns
      .filter((c) => c.name.toLowerCase() === expr.name.toLowerCase())
      .map((column) => ({ source, column })),
  );
  if (hits.length === 0) {
    if (expr.table)
      throw new SqlError({
        number: 4104,
        state: 1,
        severity: 16,
        message: `The multi-part identifier "${expr.table}.${expr.name}" could not be bound.`,
      });
    throw errors.invalidColumn(expr.name);
  }
  if (hits.length > 1)
    throw new SqlError({
      number: 209,
      state: 1,
      severity: 16,
      message: `Ambiguous column name '${expr.name}'.`,
    });
  return hits[0]!;
}

function typeOf(expr: Expr, sources: Source[], ctx: QueryContext): ColumnType {
  switch (expr.kind) {
    case 'literal':
      return typeof expr.value === 'number' ? 'int' : Buffer.isBuffer(expr.value) ? 'varbinary' : 'nvarchar';
    case 'column':
      return resolveColumn(expr, sources).column.type;
    case 'call': {
      const type = FUNCTION_TYPES[expr.name];
      if (!type) throw errors.unknownFunction(expr.name);
      return type;
    }
    case 'cast': {
      typeOf(expr.expr, sources, ctx);
      const type = CAST_TYPES[expr.type];
      if (!type)
        throw new SqlError({
          number: 243,
          state: 1,
          severity: 16,
          message: `Type ${expr.type} is not a defined system type.`,
        });
      return type;
    }
    case 'countStar':
      return 'int';
    case 'variable': {
      const value = variable(expr.name, ctx);
      if (typeof value === 'number') return 'int';
      if (typeof value === 'boolean') return 'bit';
      return Buffer.isBuffer(value) ? 'varbinary' : 'nvarchar';
    }
    default:
      return 'int';
  }
}

function truthy(value: Cell): boolean {
  return value === true || (typeof value === 'number' && value !== 0);
}

/** Three-valued comparison; undefined when either side is NULL. */
function compare(a: Cell, b: Cell): number | undefined {
  if (a === null || b === null) return undefined;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) {
    const left = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    const right = Buffer.isBuffer(b) ? b : Buffer.from(String(b));
    return Buffer.compare(left, right);
  }
  if (typeof a === 'number' || typeof b === 'number' || typeof a === 'boolean' || typeof b === 'boolean') {
    const left = Number(a);
    const right = Number(b);
    if (Number.isNaN(left) || Number.isNaN(right))
      throw new SqlError({
        number: 245,
        state: 1,
        severity: 16,
        message: `Conversion failed when converting the nvarchar value '${Number.isNaN(left) ? a : b}' to data type int.`,
      });
    return left - right;
  }
  const left = a.replace(/ +$/, '');
  const right = b.replace(/ +$/, '');
  return left.localeCompare(right, 'en', { sensitivity: 'accent' });
}

function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${pattern
          .slice(i + 1, end)
          .replace(/\\/g, '\\\\')
          .replace(/^\^/, '\\^')}]`;
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function cast(value: Cell, type: string): Cell {
  if (value === null) return null;
  switch (CAST_TYPES[type]) {
    case 'uniqueidentifier': {
      if (Buffer.isBuffer(value)) return value.length >= 16 ? guidText(value) : null;
      const text = String(value)
        .trim()
        .replace(/^\{(.*)\}$/, '$1');
      if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text))
        throw errors.conversion();
      return text.toUpperCase();
    }
    case 'nvarchar':
      return Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
    case 'int':
      return Number(value);
    case 'bit':
      return truthy(Number(value));
    case 'varbinary':
      return Buffer.isBuffer(value)
        ? value
        : typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value)
          ? guidBytes(value)
          : Buffer.from(String(value), 'utf16le');
    default:
      return value;
  }
}

function evaluate(expr: Expr, row: Row, sources: Source[], ctx: QueryContext): Cell {
  const value = (e: Expr) => evaluate(e, row, sources, ctx);
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'column': {
      const { source, column } = resolveColumn(expr, sources);
      return row.get(source.alias)?.[column.name] ?? null;
    }
    case 'cast':
      return cast(value(expr.expr), expr.type);
    case 'countStar':
      return 0;
    case 'variable':
      return variable(expr.name, ctx);
    case 'call':
      return callFunction(expr.name, expr.args.map(value), ctx);
    case 'compare': {
      const order = compare(value(expr.left), value(expr.right));
      if (order === undefined) return false;
      return (
        {
          '=': order === 0,
          '<>': order !== 0,
          '<': order < 0,
          '>': order > 0,
          '<=': order <= 0,
          '>=': order >= 0,
        }[expr.op] ?? false
      );
    }
    case 'in': {
      const left = value(expr.expr);
      const found = expr.list.some((item) => compare(left, value(item)) === 0);
      return left === null ? false : expr.not ? !found : found;
    }
    case 'isNull':
      return (value(expr.expr) === null) !== expr.not;
    case 'like': {
      const subject = value(expr.expr);
      const pattern = value(expr.pattern);
      if (subject === null || pattern === null) return false;
      return likeToRegExp(String(pattern)).test(String(subject)) !== expr.not;
    }
    case 'and':
      return truthy(value(expr.left)) && truthy(value(expr.right));
    case 'or':
      return truthy(value(expr.left)) || truthy(value(expr.right));
    case 'not':
      return !truthy(value(expr.expr));
    case 'exists':
      return runSelect(expr.query, ctx).rows.length > 0;
  }
}

function callFunction(name: string, args: Cell[], ctx: QueryContext): Cell {
  const arg = (i: number) => (args[i] === undefined ? undefined : args[i]);
  switch (name) {
    case 'SUSER_SNAME':
    case 'SUSER_NAME':
    case 'SYSTEM_USER':
    case 'ORIGINAL_LOGIN':
      return ctx.loginName;
    case 'USER_NAME': {
      if (arg(0) === undefined) return ctx.userName;
      const id = Number(arg(0));
      const row = catalogView(ctx.catalog, 'sys', 'database_principals')!.rows.find(
        (r) => r.principal_id === id,
      );
      return (row?.name as string | undefined) ?? null;
    }
    case 'CURRENT_USER':
    case 'SESSION_USER':
      return ctx.userName;
    case 'DB_NAME':
      return ctx.database;
    case 'USER_ID':
    case 'DATABASE_PRINCIPAL_ID':
      return principalIdOf(ctx.catalog, arg(0) === undefined ? ctx.userName : String(arg(0))) ?? null;
    case 'IS_ROLEMEMBER': {
      const role = String(arg(0) ?? '');
      const member = arg(1) === undefined ? ctx.userName : String(arg(1));
      if (principalIdOf(ctx.catalog, role) === undefined || principalIdOf(ctx.catalog, member) === undefined)
        return null;
      return rolesOf(ctx.catalog, member).some((r) => r.toLowerCase() === role.toLowerCase()) ? 1 : 0;
    }
    case 'SUSER_SID':
      return ctx.loginSid;
    case 'LOWER':
      return arg(0) === null ? null : String(arg(0)).toLowerCase();
    case 'UPPER':
      return arg(0) === null ? null : String(arg(0)).toUpperCase();
    case 'LEN':
      return arg(0) === null ? null : String(arg(0)).replace(/ +$/, '').length;
    case '@@VERSION':
      return 'Microsoft SQL Azure (RTM) - 12.0.2000.8 \n\tCopyright (C) 2022 Microsoft Corporation\n';
    case '@@SERVERNAME':
      return ctx.serverName;
    case '@@SPID':
      return 52;
    default:
      throw errors.unknownFunction(name);
  }
}

/** Evaluates a condition outside any FROM (the test of an IF). */
export function evaluateCondition(expr: Expr, ctx: QueryContext): boolean {
  return truthy(evaluate(expr, new Map(), [], ctx));
}

function variable(name: string, ctx: QueryContext): Cell {
  const key = name.toLowerCase();
  if (!ctx.variables?.has(key))
    throw new SqlError({
      number: 137,
      state: 2,
      severity: 15,
      message: `Must declare the scalar variable "${name}".`,
    });
  return ctx.variables.get(key)!;
}

/** Checks every column and function name in a condition (subqueries bind their own names when run). */
function bind(expr: Expr, sources: Source[]): void {
  switch (expr.kind) {
    case 'column':
      resolveColumn(expr, sources);
      return;
    case 'call':
      if (!FUNCTION_TYPES[expr.name]) throw errors.unknownFunction(expr.name);
      for (const arg of expr.args) bind(arg, sources);
      return;
    case 'cast':
    case 'not':
    case 'isNull':
      bind(expr.expr, sources);
      return;
    case 'compare':
    case 'and':
    case 'or':
      bind(expr.left, sources);
      bind(expr.right, sources);
      return;
    case 'in':
      bind(expr.expr, sources);
      for (const item of expr.list) bind(item, sources);
      return;
    case 'like':
      bind(expr.expr, sources);
      bind(expr.pattern, sources);
      return;
    default:
      return;
  }
}
