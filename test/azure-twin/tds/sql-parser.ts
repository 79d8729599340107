/**
 * The statements the stand-in understands, parsed from tokens. Anything else is error 102 "Incorrect
 * syntax near ..." before any statement of the batch runs, as SQL Server compiles a batch whole.
 */
import { errors } from './azure-errors.ts';
import { type SqlToken, tokenize } from './sql-lexer.ts';

export type Expr =
  | { kind: 'literal'; value: string | number | Buffer | null }
  | { kind: 'column'; table: string | undefined; name: string }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'cast'; expr: Expr; type: string }
  | { kind: 'countStar' }
  | { kind: 'variable'; name: string }
  | { kind: 'compare'; op: string; left: Expr; right: Expr }
  | { kind: 'in'; not: boolean; expr: Expr; list: Expr[] }
  | { kind: 'isNull'; not: boolean; expr: Expr }
  | { kind: 'like'; not: boolean; expr: Expr; pattern: Expr }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'exists'; query: Select };

export interface SelectItem {
  /** `*` or `alias.*` when `star` is set. */
  star?: { table: string | undefined };
  expr?: Expr;
  alias?: string;
}

export interface TableRef {
  schema: string | undefined;
  name: string;
  alias: string | undefined;
}

export interface Join {
  left: boolean;
  table: TableRef;
  on: Expr;
}

export interface Select {
  top: number | undefined;
  items: SelectItem[];
  from: TableRef | undefined;
  joins: Join[];
  where: Expr | undefined;
  orderBy: { expr: Expr; desc: boolean }[];
}

export type Statement =
  | { kind: 'set' }
  | { kind: 'createUser'; name: string; objectId: string | undefined }
  | { kind: 'dropUser'; name: string; ifExists: boolean }
  | { kind: 'alterRole'; role: string; add: boolean; member: string }
  | {
      kind: 'grant';
      verb: 'GRANT' | 'REVOKE' | 'DENY';
      permissions: string[];
      database: string | undefined;
      principal: string;
    }
  | { kind: 'select'; query: Select }
  | { kind: 'if'; condition: Expr; then: Statement[]; otherwise: Statement[] }
  | { kind: 'print'; text: string }
  | { kind: 'use'; database: string };

/** Database permissions a GRANT may name (the subset of sys.fn_builtin_permissions('DATABASE') apps use). */
const DATABASE_PERMISSIONS = [
  'CONTROL',
  'CONNECT',
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'EXECUTE',
  'ALTER',
  'REFERENCES',
  'VIEW DEFINITION',
  'SHOWPLAN',
  'CREATE TABLE',
  'CREATE VIEW',
  'CREATE PROCEDURE',
  'CREATE FUNCTION',
  'CREATE SCHEMA',
  'ALTER ANY USER',
  'ALTER ANY ROLE',
  'ALTER ANY SCHEMA',
  'VIEW DATABASE STATE',
];

const STATEMENT_STARTS = [
  'SET',
  'SELECT',
  'CREATE',
  'DROP',
  'ALTER',
  'GRANT',
  'REVOKE',
  'DENY',
  'IF',
  'PRINT',
  'USE',
  'BEGIN',
  'END',
  'ELSE',
];

/** Parses a whole batch. */
export function parseBatch(sql: string): Statement[] {
  return new Parser(tokenize(sql)).batch();
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: SqlToken[]) {}

  batch(): Statement[] {
    const statements: Statement[] = [];
    while (!this.done()) {
      if (this.eat(';')) continue;
      statements.push(this.statement());
    }
    return statements;
  }

  private statement(): Statement {
    const t = this.peek();
    if (t?.kind !== 'word') throw this.unexpected();
    switch (t.value.toUpperCase()) {
      case 'SET':
        return this.set();
      case 'SELECT':
        return { kind: 'select', query: this.select() };
      case 'CREATE':
        return this.createUser();
      case 'DROP':
        return this.dropUser();
      case 'ALTER':
        return this.alterRole();
      case 'GRANT':
      case 'REVOKE':
      case 'DENY':
        return this.grant();
      case 'IF':
        return this.ifStatement();
      case 'PRINT': {
        this.at++;
        const text = this.expect('string');
        return { kind: 'print', text };
      }
      case 'USE':
        this.at++;
        return { kind: 'use', database: this.name() };
      default:
        throw this.unexpected();
    }
  }

  /** `SET option value...`: session options are accepted and have no effect on the stand-in. */
  private set(): Statement {
    this.at++;
    if (this.done()) throw this.unexpected();
    while (!this.done() && !this.check(';') && !this.atStatementStart()) this.at++;
    return { kind: 'set' };
  }

  private atStatementStart(): boolean {
    const t = this.peek();
    return t?.kind === 'word' && STATEMENT_STARTS.includes(t.value.toUpperCase());
  }

  /** `CREATE USER name FROM EXTERNAL PROVIDER [WITH OBJECT_ID = 'guid']` */
  private createUser(): Statement {
    this.at++;
    this.keyword('USER');
    const name = this.name();
    this.keyword('FROM');
    this.keyword('EXTERNAL');
    this.keyword('PROVIDER');
    let objectId: string | undefined;
    if (this.eatKeyword('WITH')) {
      this.keyword('OBJECT_ID');
      this.punct('=');
      objectId = this.expect('string');
    }
    return { kind: 'createUser', name, objectId };
  }

  /** `DROP USER [IF EXISTS] name` */
  private dropUser(): Statement {
    this.at++;
    this.keyword('USER');
    let ifExists = false;
    if (this.eatKeyword('IF')) {
      this.keyword('EXISTS');
      ifExists = true;
    }
    return { kind: 'dropUser', name: this.name(), ifExists };
  }

  /** `ALTER ROLE role ADD|DROP MEMBER name` */
  private alterRole(): Statement {
    this.at++;
    this.keyword('ROLE');
    const role = this.name();
    const add = this.eatKeyword('ADD');
    if (!add) this.keyword('DROP');
    this.keyword('MEMBER');
    return { kind: 'alterRole', role, add, member: this.name() };
  }

  /** `GRANT|REVOKE|DENY perm[, perm...] [ON DATABASE::name] TO|FROM principal` */
  private grant(): Statement {
    const verb = this.next().value.toUpperCase() as 'GRANT' | 'REVOKE' | 'DENY';
    const permissions: string[] = [];
    do {
      const words: string[] = [];
      while (this.peek()?.kind === 'word' && !['ON', 'TO', 'FROM'].includes(this.peek()!.value.toUpperCase()))
        words.push(this.next().value.toUpperCase());
      const permission = words.join(' ');
      if (!DATABASE_PERMISSIONS.includes(permission)) throw this.unexpected();
      permissions.push(permission);
    } while (this.eat(','));
    let database: string | undefined;
    if (this.eatKeyword('ON')) {
      this.keyword('DATABASE');
      this.punct('::');
      database = this.name();
    }
    if (!this.eatKeyword('TO')) {
      if (verb !== 'REVOKE') throw this.unexpected();
      this.keyword('FROM');
    }
    return { kind: 'grant', verb, permissions, database, principal: this.name() };
  }

  /** `IF condition statement-or-block [ELSE statement-or-block]` */
  private ifStatement(): Statement {
    this.at++;
    const condition = this.condition();
    const then = this.block();
    const otherwise = this.eatKeyword('ELSE') ? this.block() : [];
    return { kind: 'if', condition, then, otherwise };
  }

  private block(): Statement[] {
    while (this.eat(';'));
    if (this.eatKeyword('BEGIN')) {
      const statements: Statement[] = [];
      while (!this.eatKeyword('END')) {
        if (this.done()) throw this.unexpected();
        if (this.eat(';')) continue;
        statements.push(this.statement());
      }
      return statements;
    }
    return [this.statement()];
  }

  select(): Select {
    this.keyword('SELECT');
    let top: number | undefined;
    if (this.eatKeyword('TOP')) {
      const parens = this.eat('(');
      top = Number(this.expect('number'));
      if (parens) this.punct(')');
    }
    const items: SelectItem[] = [];
    do items.push(this.selectItem());
    while (this.eat(','));
    const query: Select = { top, items, from: undefined, joins: [], where: undefined, orderBy: [] };
    if (this.eatKeyword('FROM')) {
      query.from = this.tableRef();
      for (;;) {
        const left = this.eatKeyword('LEFT');
        if (left) this.eatKeyword('OUTER');
        else this.eatKeyword('INNER');
        if (!this.eatKeyword('JOIN')) {
          if (left) throw this.unexpected();
          break;
        }
        const table = this.tableRef();
        this.keyword('ON');
        query.joins.push({ left, table, on: this.condition() });
      }
    }
    if (this.eatKeyword('WHERE')) query.where = this.condition();
    if (this.eatKeyword('ORDER')) {
      this.keyword('BY');
      do {
        const expr = this.value();
        const desc = this.eatKeyword('DESC');
        if (!desc) this.eatKeyword('ASC');
        query.orderBy.push({ expr, desc });
      } while (this.eat(','));
    }
    return query;
  }

  private selectItem(): SelectItem {
    if (this.eat('*')) return { star: { table: undefined } };
    const t = this.peek();
    const after = this.tokens[this.at + 1];
    const afterStar = this.tokens[this.at + 2];
    if (
      t &&
      (t.kind === 'word' || t.kind === 'identifier') &&
      after?.value === '.' &&
      afterStar?.value === '*'
    ) {
      this.at += 3;
      return { star: { table: t.value } };
    }
    const expr = this.condition();
    if (this.eatKeyword('AS')) return { expr, alias: this.aliasName() };
    const maybeAlias = this.peek();
    if (
      maybeAlias &&
      (maybeAlias.kind === 'identifier' || maybeAlias.kind === 'string' || this.isPlainAlias(maybeAlias))
    )
      return { expr, alias: this.aliasName() };
    return { expr };
  }

  private isPlainAlias(t: SqlToken): boolean {
    return t.kind === 'word' && !RESERVED.has(t.value.toUpperCase());
  }

  private aliasName(): string {
    const t = this.next();
    if (t.kind === 'identifier' || t.kind === 'string' || t.kind === 'word') return t.value;
    throw this.unexpected(t);
  }

  private tableRef(): TableRef {
    const first = this.name();
    let schema: string | undefined;
    let name = first;
    if (this.eat('.')) {
      schema = first;
      name = this.name();
    }
    let alias: string | undefined;
    if (this.eatKeyword('AS')) alias = this.name();
    else if (this.peek() && (this.peek()!.kind === 'identifier' || this.isPlainAlias(this.peek()!)))
      alias = this.name();
    return { schema, name, alias };
  }

  condition(): Expr {
    let left = this.conjunction();
    while (this.eatKeyword('OR')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  private conjunction(): Expr {
    let left = this.negation();
    while (this.eatKeyword('AND')) left = { kind: 'and', left, right: this.negation() };
    return left;
  }

  private negation(): Expr {
    if (this.eatKeyword('NOT')) return { kind: 'not', expr: this.negation() };
    return this.predicate();
  }

  private predicate(): Expr {
    if (this.eatKeyword('EXISTS')) {
      this.punct('(');
      const query = this.select();
      this.punct(')');
      return { kind: 'exists', query };
    }
    const left = this.value();
    const t = this.peek();
    if (t?.kind === 'punct' && ['=', '<>', '!=', '<', '>', '<=', '>='].includes(t.value)) {
      this.at++;
      return { kind: 'compare', op: t.value === '!=' ? '<>' : t.value, left, right: this.value() };
    }
    if (this.eatKeyword('IS')) {
      const not = this.eatKeyword('NOT');
      this.keyword('NULL');
      return { kind: 'isNull', not, expr: left };
    }
    const not = this.eatKeyword('NOT');
    if (this.eatKeyword('IN')) {
      this.punct('(');
      const list: Expr[] = [];
      do list.push(this.value());
      while (this.eat(','));
      this.punct(')');
      return { kind: 'in', not, expr: left, list };
    }
    if (this.eatKeyword('LIKE')) return { kind: 'like', not, expr: left, pattern: this.value() };
    if (not) throw this.unexpected();
    return left;
  }

  private value(): Expr {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'literal', value: t.value };
    if (t.kind === 'number') return { kind: 'literal', value: Number(t.value) };
    if (t.kind === 'binary') return { kind: 'literal', value: Buffer.from(t.value.slice(2), 'hex') };
    if (t.kind === 'punct' && t.value === '-' && this.peek()?.kind === 'number')
      return { kind: 'literal', value: -Number(this.next().value) };
    if (t.kind === 'punct' && t.value === '(') {
      const inner = this.condition();
      this.punct(')');
      return inner;
    }
    if (t.kind === 'word' && t.value.toUpperCase() === 'NULL') return { kind: 'literal', value: null };
    if (t.kind === 'word' && ['CURRENT_USER', 'SESSION_USER', 'SYSTEM_USER'].includes(t.value.toUpperCase()))
      return { kind: 'call', name: t.value.toUpperCase(), args: [] };
    if (t.kind === 'word' && t.value.toUpperCase() === 'CAST' && this.check('(')) {
      this.at++;
      const expr = this.value();
      this.keyword('AS');
      const type = this.typeName();
      this.punct(')');
      return { kind: 'cast', expr, type };
    }
    if (t.kind === 'word' && t.value.toUpperCase() === 'CONVERT' && this.check('(')) {
      this.at++;
      const type = this.typeName();
      this.punct(',');
      const expr = this.value();
      this.punct(')');
      return { kind: 'cast', expr, type };
    }
    if (t.kind === 'word' && t.value.toUpperCase() === 'COUNT' && this.check('(')) {
      this.at++;
      this.punct('*');
      this.punct(')');
      return { kind: 'countStar' };
    }
    if (t.kind === 'variable' && t.value.startsWith('@@'))
      return { kind: 'call', name: t.value.toUpperCase(), args: [] };
    if (t.kind === 'variable') return { kind: 'variable', name: t.value };
    if ((t.kind === 'word' && !RESERVED.has(t.value.toUpperCase())) || t.kind === 'identifier') {
      if (t.kind === 'word' && this.check('(')) {
        this.at++;
        const args: Expr[] = [];
        if (!this.eat(')')) {
          do args.push(this.value());
          while (this.eat(','));
          this.punct(')');
        }
        return { kind: 'call', name: t.value.toUpperCase(), args };
      }
      if (this.eat('.')) return { kind: 'column', table: t.value, name: this.name() };
      return { kind: 'column', table: undefined, name: t.value };
    }
    throw this.unexpected(t);
  }

  private typeName(): string {
    const type = this.next();
    if (type.kind !== 'word') throw this.unexpected(type);
    if (this.eat('(')) {
      if (!this.eatKeyword('MAX')) this.expect('number');
      this.punct(')');
    }
    return type.value.toLowerCase();
  }

  /** An identifier, bracketed/quoted or regular (not a reserved word). */
  private name(): string {
    const t = this.next();
    if (t.kind === 'identifier' || (t.kind === 'word' && !RESERVED.has(t.value.toUpperCase())))
      return t.value;
    throw this.unexpected(t);
  }

  private keyword(word: string): void {
    if (!this.eatKeyword(word)) throw this.unexpected();
  }

  private eatKeyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'word' && t.value.toUpperCase() === word) {
      this.at++;
      return true;
    }
    return false;
  }

  private punct(value: string): void {
    if (!this.eat(value)) throw this.unexpected();
  }

  private eat(value: string): boolean {
    if (this.check(value)) {
      this.at++;
      return true;
    }
    return false;
  }

  private check(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.value === value;
  }

  private expect(kind: SqlToken['kind']): string {
    const t = this.next();
    if (t.kind !== kind) throw this.unexpected(t);
    return t.value;
  }

  private peek(): SqlToken | undefined {
    return this.tokens[this.at];
  }

  private next(): SqlToken {
    const t = this.tokens[this.at];
    if (!t) throw this.unexpected();
    this.at++;
    return t;
  }

  private done(): boolean {
    return this.at >= this.tokens.length;
  }

  /** Error 102 naming the offending token, or the last one when the batch ended too early. */
  private unexpected(token?: SqlToken): Error {
    const t = token ?? this.peek() ?? this.tokens.at(-1);
    return errors.syntax(t ? t.value : '');
  }
}

/** Reserved words that cannot be a bare identifier or alias (the ones that matter to this grammar). */
const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS',
  'NULL',
  'LIKE',
  'JOIN',
  'INNER',
  'LEFT',
  'OUTER',
  'ON',
  'ORDER',
  'BY',
  'AS',
  'TOP',
  'EXISTS',
  'CREATE',
  'DROP',
  'ALTER',
  'GRANT',
  'REVOKE',
  'DENY',
  'TO',
  'IF',
  'ELSE',
  'BEGIN',
  'END',
  'SET',
  'USER',
  'PRINT',
  'USE',
  'WITH',
  'ADD',
  'DATABASE',
  'ASC',
  'DESC',
  'UNION',
  'GROUP',
  'HAVING',
  'INSERT',
  'UPDATE',
  'DELETE',
  'EXEC',
  'EXECUTE',
]);
