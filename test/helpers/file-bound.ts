/**
 * Loaded into every test file's process (scripts/test-inner.sh passes `--import` to node --test, which
 * hands it on to each file's process): a bound on the whole file. `--test-timeout` bounds each test,
 * and `--test-force-exit` ends a file whose tests are done but whose handles are still open; neither
 * ends a file stuck outside a test (a top-level await, a module that never settles). Past the bound
 * the file ends with a failure that names it, and its 'exit' hooks stop what it started (process
 * groups, database servers, tmux servers). The timer is unref'd: it never keeps a file alive.
 * A SIGINT or SIGTERM (Ctrl-C on `npm test`) also ends the file through those hooks.
 *
 * Every test ends with one turn of the event loop (a root `afterEach`). Without it `--test-force-exit`
 * loses results: the file's process exits once its last test is done, while the results of the tests
 * that ended in the same burst of promise callbacks are still queued on their way to the runner, which
 * then never hears of them (a file of quick async tests reported 20 to 50 of its 60, exit 0, no
 * failure: Node 24.21). The turn lets each test's result leave before the next test ends.
 * With SC_DOCTOR_TEST_TIMINGS=FILE, each file's wall time, exit code and path are appended to FILE (a
 * tab-separated line), to see how close the slowest files come to the bound.
 */
import { appendFileSync } from 'node:fs';
import { afterEach } from 'node:test';

/** Node sets NODE_TEST_CONTEXT in the processes it runs test files in; the runner itself has none. */
const inTestFile = process.env.NODE_TEST_CONTEXT !== undefined;

/** Default bound: the slowest file takes about 2 minutes alone on 2 cores; 10 leaves room for load. */
const DEFAULT_BOUND_SECONDS = 600;

/** The bound in seconds: SC_DOCTOR_TEST_FILE_TIMEOUT_S when it is a positive number, else the default. */
export function fileBoundSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.SC_DOCTOR_TEST_FILE_TIMEOUT_S);
  return Number.isFinite(given) && given > 0 ? given : DEFAULT_BOUND_SECONDS;
}

if (inTestFile) {
  afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
  const seconds = fileBoundSeconds();
  const file = process.argv[1] ?? 'this test file';
  const timer = setTimeout(() => {
    process.stderr.write(
      `\n${file} was still running after ${seconds} s, the bound for one test file ` +
        '(SC_DOCTOR_TEST_FILE_TIMEOUT_S): ended as a failure. Something in it never settles; ' +
        'the tests reported above for it are the ones that finished.\n',
    );
    process.exit(1);
  }, seconds * 1000);
  timer.unref();
  const timings = process.env.SC_DOCTOR_TEST_TIMINGS;
  if (timings) {
    process.once('exit', (code) => {
      appendFileSync(timings, `${(performance.now() / 1000).toFixed(1)}\t${code}\t${file}\n`);
    });
  }
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => process.exit(code));
  }
}
