/** The `--help` text, built from the command and flag tables. Plain text: no colour, no Ink. */
import { COMMANDS, type CommandSpec, FLAGS, type FlagGroup } from './flags.ts';

const GROUP_TITLES: Record<FlagGroup, string> = {
  output: 'Output',
  azure: 'Azure',
  target: 'Target (which app and server the checks look at)',
  setup: 'Setup and undo',
  snippet: 'Snippet (client type detected from the project when not given; --server, --database too)',
  audit: 'Audit (also --subscription, --resource-group, --database, --check-user, --out)',
  mcp: 'MCP server (read-only unless --allow-write; see docs/mcp.md)',
  info: 'Information',
};

/**
 * The group of flags that is a command's own. In one command's help, a flag it borrows from another
 * command's group (audit's `--out`, from snippet) is listed in its own group, in its own words.
 */
const COMMAND_GROUP: Readonly<Record<string, FlagGroup>> = {
  setup: 'setup',
  undo: 'setup',
  snippet: 'snippet',
  audit: 'audit',
  mcp: 'mcp',
};

/** A group's title in one command's help, where the whole tool's says more than that command needs. */
const COMMAND_GROUP_TITLES: Partial<Record<FlagGroup, string>> = {
  setup: 'Setup and undo',
  audit: 'Audit',
};

const COMMAND_GROUPS = new Set<FlagGroup>(Object.values(COMMAND_GROUP));

const EXIT_CODES = `Exit codes
  0    success; warnings alone do not fail unless --strict
  1    a check failed (or setup failed and was rolled back cleanly), or an internal error
  2    usage or configuration error: unknown command or flag, bad value
  3    setup failed and the rollback is incomplete
  4    setup handed off: finish with the script it wrote, or --resume
  130  cancelled (Ctrl-C)
  141  stdout was closed early (| head): the run stopped quietly`;

const ENVIRONMENT = `Environment
  NO_COLOR               any non-empty value turns colour off
  FORCE_COLOR            1 forces colour on, 0 forces it off
  CI                     set (not 0/false): plain output, no prompts, no animation
  AZURE_SUBSCRIPTION_ID  subscription to use when --subscription is not given
  SC_DOCTOR_CONNECT_TO   as --connect-to, which wins when both are given
  SC_DOCTOR_PUBLIC_IP    this machine's public IPv4 for the firewall check (else asks api.ipify.org)
  SC_DOCTOR_DNS_SERVER   ADDRESS[:PORT],...: DNS servers to ask instead of the system's resolver`;

const EXAMPLES = `Examples
  npx sc-doctor                                  interactive doctor in a terminal
  sc-doctor doctor --json > doctor.json          machine-readable report
  CI=true sc-doctor doctor --strict              in a pipeline: warnings fail too
  sc-doctor doctor --cloud AzureUSGovernment --subscription 0b1f6471-1bf0-4dda-aec3-111122223333
  sc-doctor setup postgres -g rg-orders -n orders-api --server pg-orders --database orders \\
    --system-identity --client-type nodejs --dry-run
  sc-doctor undo --list                          the setup runs, newest last
  sc-doctor snippet postgres --client-type nodejs --auth user --server pg-orders --out src/db
  sc-doctor audit --all --out audit.html         every app → database pair you can read, as a report`;

/** Help for the whole tool, or for one command when `command` names one. */
export function helpText(version: string, command?: CommandSpec): string {
  const header = `sc-doctor ${version}: diagnose passwordless (Microsoft Entra) connections from Azure apps
to Azure Database for PostgreSQL, MySQL and Azure SQL.`;
  const usage = command
    ? `Usage\n  sc-doctor ${command.usage}\n\n${capitalize(command.summary)}.`
    : `Usage\n  sc-doctor [command] [flags]\n\n${commandsSection()}`;
  return `${[header, usage, flagsSection(command?.name), EXIT_CODES, ENVIRONMENT, EXAMPLES].join('\n\n')}\n`;
}

function commandsSection(): string {
  const rows: [string, string][] = [
    [
      '(none)',
      'guided, in a terminal: pick the server and app, check them, then set up (s); plain lines otherwise',
    ],
  ];
  for (const command of COMMANDS) {
    rows.push([command.usage, command.summary]);
  }
  return `Commands\n${table(rows)}`;
}

/** The flags by group; for one command, only the flags that command takes. */
function flagsSection(command?: string): string {
  const sections: string[] = [];
  const takes = (flag: (typeof FLAGS)[number]) =>
    command === undefined ||
    (command === 'help' ? flag.group === 'info' : !flag.commands || flag.commands.includes(command));
  const own = command === undefined ? undefined : COMMAND_GROUP[command];
  const groupOf = (flag: (typeof FLAGS)[number]): FlagGroup =>
    own && flag.group !== own && COMMAND_GROUPS.has(flag.group) ? own : flag.group;
  for (const group of Object.keys(GROUP_TITLES) as FlagGroup[]) {
    const flags = FLAGS.filter((flag) => groupOf(flag) === group && takes(flag));
    if (flags.length === 0) continue;
    const rows = flags.map((flag): [string, string] => {
      const names = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}`;
      const value = (command ? flag.valueFor?.[command] : undefined) ?? flag.value;
      const help = (command ? flag.helpFor?.[command] : undefined) ?? flag.help;
      return [value ? `${names} ${value}` : names, help];
    });
    const title = (command ? COMMAND_GROUP_TITLES[group] : undefined) ?? GROUP_TITLES[group];
    sections.push(`${title}\n${table(rows)}`);
  }
  return sections.join('\n\n');
}

/** Help fits a 100-column terminal: longer descriptions wrap under themselves. */
export const HELP_WIDTH = 100;

function table(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  const indent = ' '.repeat(width + 4);
  return rows
    .map(([left, right]) =>
      wrap(right, HELP_WIDTH - indent.length)
        .map((line, index) => (index === 0 ? `  ${left.padEnd(width)}  ${line}` : `${indent}${line}`))
        .join('\n'),
    )
    .join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
