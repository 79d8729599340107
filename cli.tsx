#!/usr/bin/env node
/**
 * Entry point of the `sc-doctor` bin, and the run's exit site: `process.exitCode` is set here, from
 * what `main` returns (source/run/exit.ts ends the process early only when nothing can wait). Kept
 * tiny on purpose: it checks the Node version, turns on the compile cache and lazily imports the
 * real CLI, so `--version` stays fast.
 */
import { existsSync } from 'node:fs';
import nodeModule from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  // Usage (exit 2): this Node cannot run sc-doctor; nothing else is loaded.
  // Run from a clone (dist/cli.js next to scripts/), `npm start` fetches a new enough Node by itself.
  const fromClone = existsSync(new URL('../scripts/start.sh', import.meta.url));
  const args = process.argv.slice(2).join(' ');
  process.stderr.write(
    `sc-doctor needs Node.js 22 or newer; this is ${process.version}.\n` +
      (fromClone
        ? `From this clone, run it as: npm start -- ${args || 'doctor'}   (fetches Node 24 into .cache once)\n`
        : 'Install a current Node.js (https://nodejs.org), or run it through npx with a newer Node: npx -y node@24 $(which sc-doctor)\n'),
  );
  process.exitCode = 2;
} else {
  nodeModule.enableCompileCache?.();
  const { main } = await import('./source/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
