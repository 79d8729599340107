// Preload (`node --import ./scripts/lib/trace-modules.mjs dist/cli.js ...`) that appends the URL of
// every module the process loads, one a line, to $SC_DOCTOR_TRACE_FILE (appended as they load, so
// the list is complete even for a process that is killed). The benchmark and the tests use it to
// prove `--json` and `--help` never load the Ink chunk.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.SC_DOCTOR_TRACE_FILE;

if (file) {
  registerHooks({
    load(url, context, nextLoad) {
      appendFileSync(file, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
