/**
 * The package version. The build replaces `__SC_DOCTOR_VERSION__` with the version from
 * package.json (esbuild `define`); running from source (tsx) reads package.json instead.
 */
import { readFileSync } from 'node:fs';

declare const __SC_DOCTOR_VERSION__: string | undefined;

let cached: string | undefined;

/** The version shown by `--version` and written into the JSON document, e.g. `0.1.0`. */
export function toolVersion(): string {
  if (typeof __SC_DOCTOR_VERSION__ === 'string') return __SC_DOCTOR_VERSION__;
  cached ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return cached;
}

export const TOOL_NAME = 'sc-doctor';
