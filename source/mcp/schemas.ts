/**
 * The tools' input and output schemas (zod; the SDK derives the JSON Schema clients see and validates
 * every call and result against them). Inputs are names and ids only, never a query: nothing here is
 * KQL or SQL, and each name is checked against Azure's rules before anything runs. Outputs name app
 * settings, never their values, and carry no token, secret or password.
 */
import { z } from 'zod';
import { CLIENT_TYPES } from '../snippets/types.ts';

const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const name = (what: string) => z.string().min(1).max(256).regex(NO_CONTROL).describe(what);
const id = (what: string) => z.string().min(1).max(1024).regex(NO_CONTROL).describe(what);
const guid = (what: string) =>
  z
    .string()
    .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/)
    .describe(what);

/** Which app and server (the CLI's target flags). */
export const targetShape = {
  resourceGroup: name('Resource group of the app (with app and target)').optional(),
  app: name('Name of the app: App Service web app, Container App or Spring app').optional(),
  target: z.enum(['webapp', 'containerapp', 'spring']).describe('Kind of app').optional(),
  sourceId: id('ARM resource id of the app, instead of resourceGroup and app').optional(),
  server: name('Name of the database server').optional(),
  serverId: id('ARM resource id of the database server, instead of server').optional(),
  targetResourceGroup: name("Resource group of the server, when it differs from the app's").optional(),
  database: name('Name of the database on the server').optional(),
  subscription: guid(
    "Subscription id; default: the server's --subscription, then az's current one",
  ).optional(),
};

export const doctorInput = z.object({
  ...targetShape,
  checkUser: z
    .boolean()
    .describe("Also log in to the database with your token and check the app's database user")
    .optional(),
});

export const planInput = z.object({
  kind: z
    .enum(['postgres', 'mysql', 'sql'])
    .describe('Kind of database: PostgreSQL flexible, MySQL flexible or Azure SQL'),
  ...targetShape,
  auth: z
    .enum(['system-identity', 'user-identity', 'service-principal'])
    .describe(
      'How the app signs in: its system-assigned identity, a user-assigned identity, or a service principal (whose secret the server reads from SC_DOCTOR_APP_CLIENT_SECRET, never from an argument)',
    ),
  clientId: guid('Client id of the user-assigned identity or service principal').optional(),
  identitySubscription: guid('Subscription of the user-assigned identity, when it differs').optional(),
  mysqlIdentityId: id(
    'MySQL: ARM id of the user-assigned identity the server reads Microsoft Graph as',
  ).optional(),
  clientType: z
    .enum(CLIENT_TYPES)
    .describe("The app's language or framework (default: detected from the server's folder, else none)")
    .optional(),
  noLinker: z
    .boolean()
    .describe('Write the app settings directly instead of registering with Service Connector')
    .optional(),
  grants: z
    .enum(['least', 'owner'])
    .describe("least (default): what an app needs; owner: the Azure CLI's broader grants")
    .optional(),
  dbUser: name('The database user (default: aad_<connection>, as the Azure CLI names it)').optional(),
  container: name('Container app: the container whose environment gets the settings').optional(),
});

export const handleInput = z.object({
  handle: z.string().min(1).max(8192).describe('The plan handle the plan tool returned'),
});

export const undoInput = z.object({
  runId: z
    .string()
    .min(1)
    .max(128)
    .regex(NO_CONTROL)
    .describe('The run to undo (see the runs tool); default: the latest')
    .optional(),
});

export const runsInput = z.object({});

export const snippetInput = z.object({
  runId: z
    .string()
    .min(1)
    .max(128)
    .regex(NO_CONTROL)
    .describe('A run this server applied: its connection code, with the names it used')
    .optional(),
  kind: z.enum(['postgres', 'mysql', 'sql']).describe('Without runId: the kind of database').optional(),
  clientType: z.enum(CLIENT_TYPES).describe("Without runId: the app's language or framework").optional(),
  auth: z
    .enum(['system', 'user', 'sp'])
    .describe('Without runId: system, user (user-assigned identity) or sp (service principal)')
    .optional(),
  server: name('Without runId: server name or host name').optional(),
  database: name('Without runId: database name').optional(),
  dbUser: name('Without runId: the database user').optional(),
  clientId: guid('Without runId: client id of the user-assigned identity or service principal').optional(),
});

// Outputs.

const summary = z.object({
  pass: z.number(),
  warn: z.number(),
  fail: z.number(),
  skip: z.number(),
  error: z.number(),
  timeout: z.number(),
});

const check = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'warn', 'fail', 'skip', 'error', 'timeout']),
  durationMs: z.number(),
  message: z.string(),
  details: z.array(z.string()),
  remediation: z
    .object({
      summary: z.string(),
      commands: z.array(z.string()),
      commandLabels: z.record(z.string(), z.string()),
      docsUrl: z.string().nullable(),
      fixable: z.boolean(),
    })
    .nullable(),
  blocking: z.boolean(),
});

/** `sc-doctor doctor --json`'s document, version 1 (README "JSON output"). */
export const doctorOutput = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.string(), version: z.string() }),
  mode: z.literal('json'),
  command: z.string(),
  doctor: z.object({ summary, checks: z.array(check) }),
  setup: z.null(),
  snippets: z.array(z.never()),
  exitCode: z.number().int(),
});

const plannedStep = z.object({
  id: z.string(),
  title: z.string(),
  resource: z.string(),
  after: z.array(z.string()),
  lines: z.array(z.string()),
  consent: z.string().nullable().describe('Why this step needs your explicit yes (⚠), or null'),
  alreadyDone: z.string().nullable().describe('Words saying the change is in place already, or null'),
  readOnly: z.boolean().describe('The step only checks; it changes nothing'),
});

export const planOutput = z.object({
  handle: z
    .string()
    .describe('Give this to apply; it is bound to this plan, this world and who is signed in'),
  expiresAt: z.string().describe('When the handle stops being accepted (ISO 8601)'),
  title: z.string(),
  kind: z.enum(['postgres', 'mysql', 'sql']),
  steps: z.array(plannedStep),
  consentItems: z.array(z.object({ step: z.string(), title: z.string(), reason: z.string() })),
  changes: z.number().int().describe('Steps that would change something'),
  terminalCommand: z
    .string()
    .describe('The same setup in a terminal, where sc-doctor shows the plan and asks'),
  doctor: summary,
});

const left = z.object({
  id: z.string(),
  title: z.string(),
  reason: z.string(),
  commands: z.array(z.string()),
});
const notDone = z.object({ id: z.string(), title: z.string(), reason: z.string() });

export const applyOutput = z.object({
  runId: z.string().describe('The journalled run: undo takes it'),
  status: z.enum(['succeeded', 'handed-off', 'rolled-back', 'rollback-incomplete', 'cancelled']),
  exitCode: z.number().int(),
  title: z.string(),
  steps: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      outcome: z.enum(['applied', 'already-done', 'handed-off', 'failed', 'cancelled', 'not-run']),
      message: z.string().nullable(),
      elapsedMs: z.number(),
      scriptPath: z.string().nullable(),
    }),
  ),
  notDone: z.array(notDone),
  handedOff: z.array(z.object({ step: z.string(), script: z.string() })),
  resume: z.string().nullable(),
  rollback: z.object({
    ran: z.boolean(),
    complete: z.boolean(),
    steps: z.array(z.object({ id: z.string(), title: z.string(), outcome: z.string() })),
    left: z.array(left),
  }),
  connectionCode: z.boolean().describe('Whether snippet with this runId returns the code'),
});

export const undoOutput = z.object({
  runId: z.string(),
  status: z.enum(['undone', 'rollback-incomplete']),
  exitCode: z.number().int(),
  outcomes: z.array(
    z.object({ id: z.string(), title: z.string(), outcome: z.string(), reason: z.string().nullable() }),
  ),
  left: z.array(left),
});

export const runsOutput = z.object({
  runs: z.array(
    z.object({
      runId: z.string(),
      target: z.string(),
      status: z.string(),
      createdAt: z.string(),
      updatedAt: z.string(),
      changesInPlace: z.number().int(),
      unfinished: z.boolean(),
    }),
  ),
  unreadable: z.array(
    z.object({ runId: z.string(), path: z.string(), problem: z.string(), fix: z.string() }),
  ),
});

export const snippetOutput = z.object({
  database: z.enum(['postgres', 'mysql', 'sql']),
  clientType: z.enum(CLIENT_TYPES),
  auth: z.enum(['system', 'user', 'sp']),
  support: z.enum(['supported', 'outside-service-connector', 'unsupported']),
  settings: z.array(
    z.union([
      z.object({ name: z.string(), value: z.string() }),
      z.object({
        name: z.string(),
        secretRef: z.string().describe('Where the value comes from: never the value'),
      }),
    ]),
  ),
  files: z.array(z.object({ path: z.string(), language: z.string(), content: z.string() })),
  dependencies: z.array(
    z.object({ manifest: z.string(), name: z.string(), version: z.string(), entry: z.string() }),
  ),
  notes: z.array(z.string()),
});
