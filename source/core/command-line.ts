/**
 * Commands printed for a person to paste (remedies, left-in-place lines, hand-off scripts, manual
 * undo, "next time"): the one place that quotes their arguments, so that pasting a line runs exactly
 * the argv it was built from, whatever a name holds (quotes, `$()`, backticks, `;`, newlines,
 * unicode). Never build such a line by joining strings: pass the words to `commandLine`.
 */

/** Words that need no quoting in any POSIX shell (no glob, no expansion, no word splitting). */
const POSIX_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One argument for a POSIX shell (sh, bash, zsh): left bare when nothing in it is special, else
 * single-quoted with each `'` written as `'\''`. Inside single quotes nothing expands, newlines
 * included, so the shell hands the program exactly `word`.
 */
export function shellQuote(word: string): string {
  if (word !== '' && POSIX_SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * One argument for PowerShell: single-quoted (no expansion inside), each single quote doubled.
 * PowerShell also takes the typographic single quotes (U+2018, U+2019, U+201A, U+201B) as quote
 * marks, so those are doubled too.
 */
export function powershellQuote(word: string): string {
  if (word !== '' && POSIX_SAFE.test(word) && !word.startsWith('@')) return word;
  return `'${word.replace(/['\u2018\u2019\u201A\u201B]/g, (quote) => quote + quote)}'`;
}

/** The shells a printed command can be meant for. */
export type Shell = 'posix' | 'powershell';

/**
 * A whole command line from its argv, each word quoted for `shell` (POSIX by default). The program
 * name is quoted like any other word.
 */
export function commandLine(argv: readonly string[], shell: Shell = 'posix'): string {
  const quote = shell === 'powershell' ? powershellQuote : shellQuote;
  const line = argv.map(quote).join(' ');
  // PowerShell runs a quoted program name only through the call operator.
  return shell === 'powershell' && argv.length > 0 && quote(argv[0]!) !== argv[0] ? `& ${line}` : line;
}
