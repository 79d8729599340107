/**
 * Run ids such as `20261126-1a2b3c`: the UTC date, then six hex digits holding the second of the day
 * and a little randomness, so ids sort in the order runs started and two runs in one second differ.
 */
import { randomInt } from 'node:crypto';

const RUN_ID = /^\d{8}-[0-9a-f]{6}$/;

/** A new run id for a run starting at `nowMs`. */
export function newRunId(nowMs: number, random: (below: number) => number = randomInt): string {
  const at = new Date(nowMs);
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const secondOfDay = at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds();
  // 17 bits of second-of-day, 7 random bits: 24 bits, six hex digits.
  const suffix = secondOfDay * 128 + random(128);
  return `${date}-${suffix.toString(16).padStart(6, '0')}`;
}

/** True for a well-formed run id; anything else never reaches a file path. */
export function isRunId(text: string): boolean {
  return RUN_ID.test(text);
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
