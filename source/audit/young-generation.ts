/**
 * The audit keeps V8's young generation at the size it has. An audit has dozens of requests in flight
 * all the time, so objects keep surviving scavenges, and V8 then doubles the young generation again and
 * again up to its maximum (64 MB a semi-space on a machine with much memory: 128 MB of resident memory
 * for garbage). That alone took an audit of 10,000 apps to 340 MB of RSS (237 MB held), one of 2,000
 * to 246 MB (178 MB held); docs/audit.md has the figures. The live set is small (about 35 MB at 10,000
 * apps): what grew was room for garbage. Held, scavenges are more frequent: about 10 % more CPU.
 *
 * `--max-semi-space-size` bounds it, but V8 reads that flag only when the process starts. The factor
 * it grows by (`--semi-space-growth-factor`, 2 by default) is read each time it grows, so setting it
 * to 1 here, in the running process, stops the doubling without restarting anything: same process,
 * same pid, same terminal and signals (the new space still takes a few pages while scavenges lag
 * behind: 10-22 MB where it would reach 128 MB). Node keeps V8's flags writable for `v8.setFlagsFromString`; if a
 * future V8 ignores this flag, the audit still works and only uses more memory (the bench shows it,
 * and test/unit/audit-young-generation.test.ts fails).
 */
import { setFlagsFromString } from 'node:v8';

/** How much the old generation may grow past what survived its last full collection. */
const OLD_GENERATION_GROWTH_PERCENT = 50;

let held = false;

/**
 * Stops the young generation from growing, and bounds the old generation's room for garbage, from
 * here on, for the rest of this process.
 */
export function holdYoungGeneration(): void {
  if (held) return;
  held = true;
  setFlagsFromString('--semi-space-growth-factor=1');
  // The old generation, likewise: after each full collection V8 lets it grow to up to 4× what
  // survived before the next one, when it sees allocation running fast, and an audit allocates fast
  // all the time. At 10,000 apps about 45 MB survived and the old space stood at 160 MB (277 MB of
  // RSS). `--heap-growing-percent` (read each time the limit is set, 0 = V8's own choice) caps that
  // factor at 1.5: more full collections (incremental, concurrent), far less room for garbage.
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}
