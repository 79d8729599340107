/**
 * A tiny argv parser driven by the tables in flags.ts. It exists (instead of `util.parseArgs`) so
 * every mistake gets a message that names the flag and suggests the closest valid one.
 */
import { COMMANDS, FLAGS, type FlagSpec, flagByName, flagByShort } from './flags.ts';
import { closestMatch } from './suggest.ts';
import { UsageError } from './usage-error.ts';

export interface ParsedArgs {
  /** First positional argument, undefined when none (the default interactive flow). */
  command: string | undefined;
  /** Positionals after the command. */
  operands: string[];
  /** Long flag name → value (`true` for on/off flags). The last occurrence wins. */
  flags: Map<string, string | true>;
  /** Every value of each flag that takes one, in order (for repeatable flags: `audit --subscription A --subscription B`). */
  lists: Map<string, string[]>;
}

export const HELP_HINT = 'Run sc-doctor --help to see every command and flag.';

/** Parses argv; throws `UsageError` for an unknown flag, a missing value or a value on an on/off flag. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    const { spec, shown, inline } = lookUp(token);
    if (!spec.value) {
      if (inline !== undefined && !spec.optionalValue)
        throw new UsageError(`${shown} takes no value; got '${inline}'.`, [HELP_HINT]);
      flags.set(spec.name, inline ?? true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && !(next.startsWith('-') && next.length > 1)) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === '') {
      throw new UsageError(`${shown} needs a value: ${shown} ${spec.value}`, [HELP_HINT]);
    }
    flags.set(spec.name, value);
    lists.set(spec.name, [...(lists.get(spec.name) ?? []), value]);
  }

  const [command, ...operands] = positionals;
  return { command, operands, flags, lists };
}

function lookUp(token: string): { spec: FlagSpec; shown: string; inline: string | undefined } {
  const equals = token.indexOf('=');
  const shown = equals === -1 ? token : token.slice(0, equals);
  const inline = equals === -1 ? undefined : token.slice(equals + 1);
  const spec = shown.startsWith('--')
    ? flagByName(shown.slice(2))
    : shown.length === 2
      ? flagByShort(shown.slice(1))
      : undefined;
  if (spec) return { spec, shown, inline };
  throw unknownFlag(shown);
}

function unknownFlag(shown: string): UsageError {
  const bare = shown.replace(/^-+/, '');
  const match =
    bare.length > 1
      ? closestMatch(
          bare,
          FLAGS.map((flag) => flag.name),
        )
      : undefined;
  const guess = match ? ` Did you mean --${match}?` : '';
  return new UsageError(`unknown flag ${shown}.${guess}`, [HELP_HINT]);
}

/**
 * The error for the first unknown flag in argv, or undefined when every flag is known. Looks at flag
 * names only (values of known flags are skipped), so `--help` and `--version` can still refuse a typo
 * that a full parse would report less precisely.
 */
export function unknownFlagIn(argv: readonly string[]): UsageError | undefined {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return undefined;
    if (!token.startsWith('-') || token === '-') continue;
    try {
      const { spec, inline } = lookUp(token);
      if (spec.value && inline === undefined) i++;
    } catch (error) {
      if (error instanceof UsageError) return error;
      throw error;
    }
  }
  return undefined;
}

/** The error for a first positional that is no command. */
export function unknownCommand(name: string): UsageError {
  const match = closestMatch(
    name,
    COMMANDS.map((command) => command.name),
  );
  const guess = match ? ` Did you mean ${match}?` : '';
  return new UsageError(`unknown command ${name}.${guess}`, [HELP_HINT]);
}

/**
 * The first positional of argv without failing on mistakes (values of known flags are skipped), so
 * `--help` can name the command even when a flag is wrong.
 */
export function firstWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return argv[i + 1];
    if (!token.startsWith('-') || token === '-') return token;
    if (token.includes('=')) continue;
    const spec = token.startsWith('--') ? flagByName(token.slice(2)) : flagByShort(token.slice(1));
    if (spec?.value) i++;
  }
  return undefined;
}

/** What the CLI must know of argv before the strict parse, read without failing on any mistake. */
export interface ArgvScan {
  /** The words before `--` (after it, everything is an operand). */
  options: readonly string[];
  /** The first positional: the command, or `help`. */
  word: string | undefined;
  /** `sc-doctor help <command>`: the command help is asked for. */
  helpFor: string | undefined;
  help: boolean;
  version: boolean;
  json: boolean;
  verbose: boolean;
  /** The first unknown flag, when there is one. */
  typo: UsageError | undefined;
}

/**
 * Reads argv once for what the CLI decides before parsing it strictly: help and version win over
 * every other mistake (a typo is still named), and a usage error of `--json` setup or undo is still
 * a JSON document.
 */
export function scanArgs(argv: readonly string[]): ArgvScan {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  const word = firstWord(argv);
  const has = (...names: string[]) => names.some((name) => options.includes(name));
  return {
    options,
    word,
    helpFor: word === 'help' ? firstWord(argv.slice(argv.indexOf('help') + 1)) : word,
    help: has('--help', '-h'),
    version: has('--version', '-v'),
    json: has('--json'),
    verbose: has('--verbose'),
    typo: unknownFlagIn(options),
  };
}

/** Flags whose value is a list of `key=value` words, as the Azure CLI takes them. */
const KEY_VALUE_FLAGS = new Set(['--system-identity', '--user-identity', '--service-principal']);
const KEY_VALUE = /^[a-z][a-z-]*=/i;

/**
 * The Azure CLI's `--user-identity client-id=X subs-id=Y` spreads one value over several words: glue
 * the `key=value` words that follow such a flag into its value, so the parser sees one.
 */
export function glueKeyValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = token.split('=', 1)[0]!;
    if (!KEY_VALUE_FLAGS.has(name)) {
      out.push(token);
      continue;
    }
    const words: string[] = token.includes('=') ? [token.slice(name.length + 1)] : [];
    while (i + 1 < argv.length && KEY_VALUE.test(argv[i + 1]!)) words.push(argv[++i]!);
    out.push(words.length > 0 ? `${name}=${words.join(' ')}` : token);
  }
  return out;
}
