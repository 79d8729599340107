/**
 * Run by undo-from-journal.test.ts as a separate process: starts a setup whose third step makes its
 * change and then hangs, prints `hung`, and waits to be killed with SIGKILL.
 */

import { Journal } from '../../source/engine/journal.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { runSetup } from '../../source/engine/run-setup.ts';
import { killedRunSteps } from './killed-run-steps.ts';

const [home, worldFile, target] = process.argv.slice(2);
const steps = killedRunSteps(worldFile!, {
  hang: async () => {
    process.stdout.write('hung\n');
    await new Promise(() => setInterval(() => {}, 1000));
  },
});
await runSetup(await planSteps(steps.steps), { journal: new Journal({ home: home! }), target: target! });
