// Preload (`node --import ./scripts/lib/report-rss.mjs dist/cli.js ...`) that appends the process's
// peak resident set size in KiB (getrusage maxrss) as a line to $SC_DOCTOR_RSS_FILE when it exits.
// One line per process: `sc-doctor audit` starts itself again with a tuned heap (source/cli/tuned-heap.ts),
// in place where Node can (one line: the process image replaced never exits), else as a child that
// inherits this preload (two lines: the child's, then the waiting parent's).
import { appendFileSync } from 'node:fs';

const file = process.env.SC_DOCTOR_RSS_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
