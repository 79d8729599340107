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
