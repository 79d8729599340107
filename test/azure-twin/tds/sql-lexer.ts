/**
 * T-SQL tokens as SQL Server reads them with QUOTED_IDENTIFIER ON (what every driver sets): regular
 * identifiers, `[bracketed]` identifiers with `]]` as an escaped `]`, `"quoted"` identifiers with `""`,
 * `'strings'` and `N'strings'` with `''`, numbers, 0x binary literals, punctuation, `--` and `/* *\/`
 * comments. Identifiers longer than 128 characters are refused here, as the engine does.
 */
import { errors } from './azure-errors.ts';

export type TokenKind = 'word' | 'identifier' | 'string' | 'number' | 'binary' | 'punct' | 'variable';

export interface SqlToken {
  kind: TokenKind;
  /** Unescaped value: identifier or string content, keyword as written, punctuation itself. */
  value: string;
}

const MAX_IDENTIFIER = 128;
const PUNCT = ['::', '<>', '!=', '<=', '>=', '(', ')', ',', '.', ';', '=', '*', '<', '>', '+', '-', '/', '%'];

/** Splits a batch into tokens; a lexical error is a SqlError. */
export function tokenize(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw errors.syntax(sql.slice(i, i + 2));
      i = end + 2;
    } else if (c === '[' || c === '"') {
      const close = c === '[' ? ']' : '"';
      const { value, next } = delimited(sql, i + 1, close);
      if (next < 0) throw errors.unclosedQuote(value);
      if (value === '') throw errors.emptyIdentifier();
      if (value.length > MAX_IDENTIFIER) throw errors.identifierTooLong(value);
      tokens.push({ kind: 'identifier', value });
      i = next;
    } else if (c === "'" || ((c === 'N' || c === 'n') && sql[i + 1] === "'")) {
      const start = c === "'" ? i + 1 : i + 2;
      const { value, next } = delimited(sql, start, "'");
      if (next < 0) throw errors.unclosedQuote(value);
      tokens.push({ kind: 'string', value });
      i = next;
    } else if (/[0-9]/.test(c)) {
      const hex = /^0x[0-9a-fA-F]*/.exec(sql.slice(i));
      const match = hex ?? /^[0-9]+(\.[0-9]+)?/.exec(sql.slice(i))!;
      tokens.push({ kind: hex ? 'binary' : 'number', value: match[0] });
      i += match[0].length;
    } else if (/[\p{L}_@#]/u.test(c)) {
      const match = /^[\p{L}\p{N}_@#$]+/u.exec(sql.slice(i))!;
      const word = match[0];
      if (word.length > MAX_IDENTIFIER) throw errors.identifierTooLong(word);
      tokens.push({ kind: word.startsWith('@') ? 'variable' : 'word', value: word });
      i += word.length;
    } else {
      const punct = PUNCT.find((p) => sql.startsWith(p, i));
      if (!punct) throw errors.syntax(c);
      tokens.push({ kind: 'punct', value: punct });
      i += punct.length;
    }
  }
  return tokens;
}

/** Reads up to the closing delimiter, a doubled delimiter standing for itself; `next` -1 when unclosed. */
function delimited(sql: string, start: number, close: string): { value: string; next: number } {
  let value = '';
  let i = start;
  while (i < sql.length) {
    if (sql[i] === close) {
      if (sql[i + 1] === close) {
        value += close;
        i += 2;
        continue;
      }
      return { value, next: i + 1 };
    }
    value += sql[i];
    i++;
  }
  return { value, next: -1 };
}
