// Preload (`node --import ./scripts/lib/report-rss.mjs dist/cli.js ...`) that writes the process's
// peak resident set size in KiB (getrusage maxrss) to $SC_DOCTOR_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.SC_DOCTOR_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
