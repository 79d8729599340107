/**
 * Run by postgres-killed-run.test.ts as a separate process: the PostgreSQL setup against the twin,
 * from a JSON file holding the input, the environment and the twin's CA. The test SIGKILLs it mid-run.
 */
import { readFileSync } from 'node:fs';
import { createAzureSession } from '../../source/azure/session.ts';
import { Journal } from '../../source/engine/journal.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { runSetup } from '../../source/engine/run-setup.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { type PostgresSetupInput, postgresSetupSteps } from '../../source/setup/postgres/index.ts';

const file = process.argv[2]!;
const { input, env, ca, home } = JSON.parse(readFileSync(file, 'utf8')) as {
  input: PostgresSetupInput;
  env: Record<string, string>;
  ca: string;
  home: string;
};
const base = { exec: nodeExec, env, now: Date.now };
const services = { ...base, azure: createAzureSession(base, { tls: { ca } }) };
const plan = await planSteps(postgresSetupSteps(input, services));
await runSetup(plan, {
  journal: new Journal({ home }),
  target: input.server.id,
  confirm: async () => true,
  emit: (event) => {
    if (event.type === 'step:start') process.stdout.write(`start ${event.id}\n`);
  },
});
