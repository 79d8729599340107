#!/usr/bin/env node
/**
 * Entry point of the `sc-doctor` bin. Kept tiny on purpose: it checks the Node version, turns on
 * the compile cache and lazily imports the real CLI, so `--version` stays fast.
 */
import nodeModule from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `sc-doctor needs Node.js 22 or newer; this is ${process.version}.\n` +
      'Install a current Node.js (https://nodejs.org), or run it through npx with a newer Node: npx -y node@24 $(which sc-doctor)\n',
  );
  process.exit(2);
}
nodeModule.enableCompileCache?.();

const { main } = await import('./source/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
