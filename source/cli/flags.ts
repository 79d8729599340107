/**
 * Every command and flag the CLI accepts, as data: the parser, the help text and the suggestions
 * all read these tables, so they cannot disagree.
 */

export type FlagGroup = 'output' | 'azure' | 'target' | 'setup' | 'snippet' | 'audit' | 'mcp' | 'info';

export interface FlagSpec {
  /** Long name without the dashes, e.g. `resource-group`. */
  name: string;
  short?: string;
  /** Placeholder of the value in help, e.g. `<id>`; absent for on/off flags. */
  value?: string;
  /** A command's own placeholder, where the flag's value means something else there (`audit --out <file>`). */
  valueFor?: Readonly<Record<string, string>>;
  group: FlagGroup;
  /** What the flag does, in the help of every command (the whole tool's help names the differences). */
  help: string;
  /** A command's own words, shown instead of `help` in that command's help (`sc-doctor audit --help`). */
  helpFor?: Readonly<Record<string, string>>;
  /** An on/off flag that may also carry `=key=value` words glued to it (`--system-identity mysql-identity-id=X`). */
  optionalValue?: boolean;
  /** Key under `DoctorOptions.target` for target flags. */
  targetKey?: string;
  /** The commands that take this flag; absent when every command does. */
  commands?: readonly string[];
}

/** Values of `--credential`. */
export const CREDENTIALS = ['default', 'managed-identity'] as const;

const SUBSCRIPTION_HELP =
  "subscription id (a GUID); default: AZURE_SUBSCRIPTION_ID, then the Azure CLI's current one";

/** The same help words for each of `commands`. */
function forEach(commands: readonly string[], help: string): Record<string, string> {
  return Object.fromEntries(commands.map((command) => [command, help]));
}

/** Every flag of every command: the parser, the help and the per-command validation read this table. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'json', group: 'output', help: 'print one JSON document on stdout and nothing else' },
  {
    name: 'plain',
    group: 'output',
    help: 'append-only text lines, never a prompt (default without a terminal or when CI is set)',
  },
  { name: 'verbose', group: 'output', help: 'details under every check; stack traces for internal errors' },
  { name: 'strict', commands: ['doctor', 'setup'], group: 'output', help: 'warnings fail the run (exit 1)' },
  {
    name: 'subscription',
    commands: ['doctor', 'setup', 'undo', 'audit', 'mcp'],
    value: '<id>',
    group: 'azure',
    help: "subscription id (a GUID); default: AZURE_SUBSCRIPTION_ID, then the Azure CLI's current one; audit: repeat it for several",
    helpFor: {
      ...forEach(['doctor', 'setup', 'undo', 'mcp'], SUBSCRIPTION_HELP),
      audit:
        "a subscription to audit (a GUID); repeat it for several; default: AZURE_SUBSCRIPTION_ID, then the Azure CLI's current one",
    },
  },
  {
    name: 'cloud',
    commands: ['doctor', 'setup', 'undo', 'snippet', 'audit', 'mcp'],
    value: '<name>',
    group: 'azure',
    help: "AzureCloud, AzureChinaCloud, AzureUSGovernment or a cloud registered with az; default: the Azure CLI's active cloud",
  },
  {
    name: 'credential',
    commands: ['doctor', 'setup', 'undo', 'audit', 'mcp'],
    value: '<source>',
    group: 'azure',
    help: 'default (Azure CLI, then azd, then a service principal from the environment) or managed-identity',
  },
  {
    name: 'resource-group',
    commands: ['doctor', 'setup', 'audit'],
    short: 'g',
    value: '<name>',
    group: 'target',
    targetKey: 'resourceGroup',
    help: 'resource group of the app (audit: only the apps in it)',
    helpFor: {
      ...forEach(['doctor', 'setup'], 'resource group of the app'),
      audit: 'only the apps in this resource group',
    },
  },
  {
    name: 'app',
    commands: ['doctor', 'setup'],
    short: 'n',
    value: '<name>',
    group: 'target',
    targetKey: 'app',
    help: 'name of the app (App Service, Container App or Spring app)',
  },
  {
    name: 'source-id',
    commands: ['doctor', 'setup'],
    value: '<id>',
    group: 'target',
    targetKey: 'sourceId',
    help: 'resource id of the app, instead of --resource-group and --app',
  },
  {
    name: 'target',
    commands: ['doctor', 'setup'],
    value: '<kind>',
    group: 'target',
    targetKey: 'target',
    help: 'kind of app: webapp, containerapp or spring',
  },
  {
    name: 'server',
    commands: ['doctor', 'setup', 'snippet'],
    value: '<name>',
    group: 'target',
    targetKey: 'server',
    help: 'name of the database server',
  },
  {
    name: 'database',
    commands: ['doctor', 'setup', 'snippet', 'audit'],
    value: '<name>',
    group: 'target',
    targetKey: 'database',
    help: 'name of the database (audit: the kind to audit, postgres, mysql or sql)',
    valueFor: { audit: '<kind>' },
    helpFor: {
      ...forEach(['doctor', 'setup', 'snippet'], 'name of the database'),
      audit: 'only connections to this kind of database: postgres, mysql or sql',
    },
  },
  {
    name: 'target-resource-group',
    commands: ['doctor', 'setup'],
    value: '<name>',
    group: 'target',
    targetKey: 'targetResourceGroup',
    help: "resource group of the server, when it differs from the app's",
  },
  {
    name: 'server-id',
    commands: ['doctor', 'setup'],
    value: '<id>',
    group: 'target',
    targetKey: 'serverId',
    help: 'resource id of the server, instead of --server',
  },
  {
    name: 'connect-to',
    commands: ['doctor', 'setup', 'undo', 'audit', 'mcp'],
    value: '<map>',
    group: 'target',
    help: 'HOST:PORT=HOST:PORT[,...]: reach a server through a tunnel',
  },
  {
    name: 'check-user',
    commands: ['doctor', 'setup', 'audit'],
    group: 'target',
    help: "log in with your token; check the app's database user",
  },
  {
    name: 'system-identity',
    optionalValue: true,
    group: 'setup',
    commands: ['setup'],
    help: "auth: the app's system-assigned managed identity",
  },
  {
    name: 'user-identity',
    value: 'client-id=X subs-id=Y',
    group: 'setup',
    commands: ['setup'],
    help: 'auth: a user-assigned managed identity (attached to the app when it is not)',
  },
  {
    name: 'service-principal',
    value: 'client-id=X',
    group: 'setup',
    commands: ['setup'],
    help: 'auth: a service principal; its secret comes from SC_DOCTOR_APP_CLIENT_SECRET or a masked prompt',
  },
  {
    name: 'client-type',
    value: '<type>',
    group: 'setup',
    commands: ['setup', 'snippet'],
    help: 'java, springBoot, dotnet, python, django, nodejs, go, php, ruby or none (default: detected)',
  },
  {
    name: 'yes',
    group: 'setup',
    commands: ['setup'],
    help: 'apply without asking (needed without a terminal)',
  },
  { name: 'dry-run', group: 'setup', commands: ['setup'], help: 'print the plan; change nothing' },
  {
    name: 'no-linker',
    group: 'setup',
    commands: ['setup'],
    help: 'write the app settings directly instead of registering with Service Connector',
  },
  {
    name: 'container',
    short: 'c',
    value: '<name>',
    group: 'setup',
    commands: ['setup'],
    help: "container app: the container whose environment gets the settings (az's -c); asked when the app has several",
  },
  {
    name: 'db-user',
    value: '<name>',
    group: 'setup',
    commands: ['setup', 'snippet'],
    help: 'the database user (default for setup: aad_<connection>, as the Azure CLI names it)',
    helpFor: {
      setup: 'the database user (default: aad_<connection>, as the Azure CLI names it)',
      snippet: 'the database user the code logs in as (default: a placeholder to fill in)',
    },
  },
  {
    name: 'grants',
    value: '<least|owner>',
    group: 'setup',
    commands: ['setup'],
    help: "least (default): what an app needs in its database; owner: the Azure CLI's broader grants",
  },
  {
    name: 'resume',
    value: '<run-id>',
    group: 'setup',
    commands: ['setup'],
    help: "finish a run's hand-off from inside the server's network",
  },
  {
    name: 'list',
    group: 'setup',
    commands: ['undo'],
    help: 'undo: list the runs instead of undoing one',
    helpFor: { undo: 'list the runs instead of undoing one' },
  },
  {
    name: 'auth',
    value: '<type>',
    group: 'snippet',
    commands: ['snippet'],
    help: 'system (default), user (user-assigned identity), sp (service principal)',
  },
  {
    name: 'client-id',
    value: '<id>',
    group: 'snippet',
    commands: ['snippet'],
    help: 'client id of the user-assigned identity or service principal',
  },
  {
    name: 'out',
    value: '<dir>',
    valueFor: { audit: '<file>' },
    group: 'snippet',
    commands: ['snippet', 'audit'],
    help: 'snippet: write the files into this folder instead of printing them; audit: write the report to this file (.html, .md or .json)',
    helpFor: {
      snippet: 'write the files into this folder instead of printing them',
      audit: 'write the report to this file (.html, .md or .json)',
    },
  },
  {
    name: 'force',
    group: 'snippet',
    commands: ['snippet', 'audit'],
    help: 'with --out: replace files that exist',
  },
  {
    name: 'management-group',
    value: '<name>',
    group: 'audit',
    commands: ['audit'],
    help: 'audit every subscription under this management group',
  },
  {
    name: 'all',
    group: 'audit',
    commands: ['audit'],
    help: 'audit every subscription you can read (the tenant)',
  },
  {
    name: 'tag',
    value: '<key=value>',
    group: 'audit',
    commands: ['audit'],
    help: 'only apps with this tag (repeat it: every tag must match)',
  },
  {
    name: 'concurrency',
    value: '<n>',
    group: 'audit',
    commands: ['audit'],
    help: "Azure requests in flight at most (default 16, 1-64); Azure's own limits are obeyed whatever it is",
  },
  {
    name: 'allow-write',
    group: 'mcp',
    commands: ['mcp'],
    help: 'also offer the tools that change Azure (apply, undo); each change still needs your consent',
  },
  {
    name: 'dangerously-apply-without-consent',
    group: 'mcp',
    commands: ['mcp'],
    help: "with --allow-write: a client that cannot ask you (no elicitation) may apply and undo on the agent's word alone",
  },
  { name: 'help', short: 'h', group: 'info', help: 'show help (also: sc-doctor help <command>)' },
  { name: 'version', short: 'v', group: 'info', help: 'print the version' },
];

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
}

/** The commands, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'doctor',
    usage: 'doctor [flags]',
    summary: 'run the checks and report; never prompts, changes nothing',
  },
  {
    name: 'setup',
    usage: 'setup <postgres|mysql|sql>',
    summary: 'guided passwordless setup with rollback (postgres, mysql or sql)',
  },
  {
    name: 'undo',
    usage: 'undo [RUN_ID] [--list]',
    summary: 'roll back a finished or interrupted setup from its journal (latest when no id)',
  },
  {
    name: 'snippet',
    usage: 'snippet <postgres|mysql|sql>',
    summary: 'print the app settings and connection code for an app',
  },
  {
    name: 'audit',
    usage: 'audit [scope] [flags]',
    summary:
      'every app → database connection in a scope, found through Resource Graph and checked; changes nothing',
  },
  {
    name: 'mcp',
    usage: 'mcp [--allow-write]',
    summary:
      'serve the doctor, plan, apply, undo, runs, snippet and audit as MCP tools on stdio for coding agents',
  },
  {
    name: 'help',
    usage: 'help [command]',
    summary: 'show help for sc-doctor or one command',
  },
];

export const CLOUDS = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'] as const;
export const TARGET_KINDS = ['webapp', 'containerapp', 'spring'] as const;

/** The flag spelled `--name`, if there is one. */
export function flagByName(name: string): FlagSpec | undefined {
  return FLAGS.find((flag) => flag.name === name);
}

/** The flag spelled `-short`, if there is one. */
export function flagByShort(short: string): FlagSpec | undefined {
  return FLAGS.find((flag) => flag.short === short);
}

/** The command called `name`, if there is one. */
export function commandByName(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
