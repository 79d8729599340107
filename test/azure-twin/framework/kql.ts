/**
 * The Kusto (KQL) the twin's Resource Graph understands: exactly the query forms sc-doctor sends
 * (source/audit/kql.ts), parsed for real and refused otherwise with Resource Graph's own error shape.
 * Grammar (keywords case-insensitive, as Kusto's; `order by` without a direction is descending, as in Kusto):
 *
 *   query   := 'resources' ( '|' stage )*
 *   stage   := 'where' operand op rhs
 *            | 'project' column ( ',' column )*
 *            | ( 'order' | 'sort' ) 'by' identifier ( 'asc' | 'desc' )?
 *   op      := '=~' | '!~' | '==' | '!=' | 'in~' | 'in' | '!in~' | '!in'
 *   rhs     := string | '(' string ( ',' string )* ')'
 *   column  := identifier ( '=' operand )?
 *   operand := path | ( 'tolower' | 'toupper' | 'tostring' ) '(' path ')'
 *   path    := identifier ( '.' identifier | '[' string ']' )*
 *   string  := '...' | "..." with the escapes \\ \' \" \n \r \t (Kusto "The string data type")
 *
 * Anything else (another table, `join`, `extend`, `mv-expand`, `take`, comments, verbatim strings)
 * is a parser failure: sc-doctor never sends it, and a twin that quietly accepted more than Resource
 * Graph would hide a product bug.
 */

export class KqlError extends Error {
  constructor(
    message: string,
    readonly token: string,
    readonly position: number,
  ) {
    super(message);
  }
}

type Token =
  | { kind: 'id'; text: string; at: number }
  | { kind: 'string'; value: string; text: string; at: number }
  | { kind: 'punct'; text: string; at: number };

const PUNCT = ['=~', '!~', '==', '!=', '|', '(', ')', ',', '.', '[', ']', '=', '~', '!'];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '/')
      throw new KqlError('comments are not part of the queries served', '//', i);
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_-]/.test(text[j]!)) j += 1;
      // `mv-expand` reads as one word in Kusto; a hyphen inside any other word is refused with it.
      tokens.push({ kind: 'id', text: text.slice(i, j), at: i });
      i = j;
      continue;
    }
    if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new KqlError('unterminated string literal', text.slice(i), i);
        const d = text[j]!;
        if (d === c) break;
        if (d === '\n' || d === '\r')
          throw new KqlError('line break inside a string literal', text.slice(i, j), i);
        if (d === '\\') {
          const e = text[j + 1];
          const escapes: Record<string, string> = {
            '\\': '\\',
            "'": "'",
            '"': '"',
            n: '\n',
            r: '\r',
            t: '\t',
          };
          if (e === undefined || !(e in escapes))
            throw new KqlError(`unknown escape \\${e ?? ''}`, text.slice(j, j + 2), j);
          value += escapes[e];
          j += 2;
          continue;
        }
        value += d;
        j += 1;
      }
      tokens.push({ kind: 'string', value, text: text.slice(i, j + 1), at: i });
      i = j + 1;
      continue;
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i));
    if (!punct) throw new KqlError(`unexpected character '${c}'`, c, i);
    tokens.push({ kind: 'punct', text: punct, at: i });
    i += punct.length;
  }
  return tokens;
}

export type Operand = { path: (string | { key: string })[]; fn: 'tolower' | 'toupper' | 'tostring' | null };

export type Stage =
  | { kind: 'where'; operand: Operand; op: string; values: string[] }
  | { kind: 'project'; columns: { name: string; operand: Operand }[] }
  | { kind: 'order'; column: string; descending: boolean };

export interface ParsedQuery {
  table: 'resources';
  stages: Stage[];
}

export function parseQuery(text: string): ParsedQuery {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const end = () => text.length;
  const fail = (what: string): never => {
    const token = peek();
    throw new KqlError(what, token ? tokenText(token) : '<end>', token?.at ?? end());
  };
  const word = (expected?: string): string => {
    const token = peek();
    if (token?.kind !== 'id' || (expected && token.text.toLowerCase() !== expected))
      return fail(expected ? `expected '${expected}'` : 'expected a name');
    at += 1;
    return token.text;
  };
  const punct = (expected: string) => {
    const token = peek();
    if (token?.kind !== 'punct' || token.text !== expected) fail(`expected '${expected}'`);
    at += 1;
  };
  const isPunct = (p: string) => peek()?.kind === 'punct' && peek()!.text === p;
  const string = (): string => {
    const token = peek();
    if (token?.kind !== 'string') return fail('expected a string literal');
    at += 1;
    return token.value;
  };
  const path = (): Operand['path'] => {
    const parts: Operand['path'] = [word()];
    for (;;) {
      if (isPunct('.')) {
        at += 1;
        parts.push(word());
      } else if (isPunct('[')) {
        at += 1;
        parts.push({ key: string() });
        punct(']');
      } else return parts;
    }
  };
  const operand = (): Operand => {
    const token = peek();
    const next = tokens[at + 1];
    if (token?.kind === 'id' && next?.kind === 'punct' && next.text === '(') {
      const fn = token.text.toLowerCase();
      if (fn !== 'tolower' && fn !== 'toupper' && fn !== 'tostring')
        return fail(`unknown function '${token.text}'`);
      at += 2;
      const inner = path();
      punct(')');
      return { path: inner, fn };
    }
    return { path: path(), fn: null };
  };

  if (word().toLowerCase() !== 'resources') {
    at -= 1;
    fail('only the resources table is served');
  }
  const stages: Stage[] = [];
  while (at < tokens.length) {
    punct('|');
    const keyword = word().toLowerCase();
    if (keyword === 'where') {
      const left = operand();
      let op: string;
      const token = peek();
      if (token?.kind === 'punct' && ['=~', '!~', '==', '!='].includes(token.text)) {
        op = token.text;
        at += 1;
      } else if (token?.kind === 'punct' && token.text === '!') {
        at += 1;
        word('in');
        op = '!in';
        if (isPunct('~')) {
          at += 1;
          op = '!in~';
        }
      } else if (token?.kind === 'id' && token.text.toLowerCase() === 'in') {
        at += 1;
        op = 'in';
        if (isPunct('~')) {
          at += 1;
          op = 'in~';
        }
      } else return fail('expected a comparison');
      const values: string[] = [];
      if (op.includes('in')) {
        punct('(');
        values.push(string());
        while (isPunct(',')) {
          at += 1;
          values.push(string());
        }
        punct(')');
      } else values.push(string());
      stages.push({ kind: 'where', operand: left, op, values });
    } else if (keyword === 'project') {
      const columns: { name: string; operand: Operand }[] = [];
      do {
        if (columns.length > 0) at += 1;
        const name = word();
        if (isPunct('=')) {
          at += 1;
          columns.push({ name, operand: operand() });
        } else {
          // A bare column may be a path (`properties.x`): it is named after its last part.
          at -= 1;
          const bare = path();
          const last = bare[bare.length - 1]!;
          columns.push({
            name: typeof last === 'string' ? last : last.key,
            operand: { path: bare, fn: null },
          });
        }
      } while (isPunct(','));
      stages.push({ kind: 'project', columns });
    } else if (keyword === 'order' || keyword === 'sort') {
      word('by');
      const column = word();
      let descending = true;
      const direction = peek();
      if (direction?.kind === 'id' && ['asc', 'desc'].includes(direction.text.toLowerCase())) {
        descending = direction.text.toLowerCase() === 'desc';
        at += 1;
      }
      stages.push({ kind: 'order', column, descending });
    } else {
      at -= 1;
      fail(`operator '${keyword}' is not served by the twin's Resource Graph`);
    }
  }
  return { table: 'resources', stages };
}

function tokenText(token: Token): string {
  return token.kind === 'string' ? token.text : token.text;
}

/** A value as `tostring()` gives it: strings as they are, null as '', anything else as JSON. */
function asString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function valueAt(row: Record<string, unknown>, operand: Operand): unknown {
  let value: unknown = row;
  for (const part of operand.path) {
    if (value === null || typeof value !== 'object') {
      value = undefined;
      break;
    }
    value = (value as Record<string, unknown>)[typeof part === 'string' ? part : part.key];
  }
  if (operand.fn === 'tostring') return asString(value);
  if (operand.fn === 'tolower') return asString(value).toLowerCase();
  if (operand.fn === 'toupper') return asString(value).toUpperCase();
  return value === undefined ? null : value;
}

/** Runs a parsed query over `rows` (the table as the caller may see it). */
export function runQuery(query: ParsedQuery, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  let out = rows;
  for (const stage of query.stages) {
    if (stage.kind === 'where') {
      const insensitive = stage.op.endsWith('~');
      const wanted = stage.values.map((v) => (insensitive ? v.toLowerCase() : v));
      const negate = stage.op.startsWith('!');
      out = out.filter((row) => {
        const value = valueAt(row, stage.operand);
        if (value === null) return negate;
        const text = insensitive ? asString(value).toLowerCase() : asString(value);
        return wanted.includes(text) !== negate;
      });
    } else if (stage.kind === 'project') {
      for (const column of stage.columns) {
        const head = column.operand.path[0];
        if (typeof head === 'string' && out.length > 0 && !(head in out[0]!))
          throw new KqlError(`unknown column '${head}'`, head, 0);
      }
      out = out.map((row) =>
        Object.fromEntries(stage.columns.map((column) => [column.name, valueAt(row, column.operand)])),
      );
    } else {
      const { column, descending } = stage;
      out = [...out].sort((a, b) => {
        const x = asString(a[column]);
        const y = asString(b[column]);
        const order = x < y ? -1 : x > y ? 1 : 0;
        return descending ? -order : order;
      });
    }
  }
  return out;
}
