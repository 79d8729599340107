/**
 * Checking what a journal holds before anything is undone from it. A journal is a file a person can
 * edit, cut short or copy from a newer version; `undo` acts on Azure with what it reads, so every
 * record is checked against the shape its step writes, and against the run it comes from: the server
 * is the run's, the firewall rule is the one named for the run, the admin or role is the one the plan
 * named. Small and typed on purpose: the records are flat, and the marks need the run they come from,
 * which a general schema library would only reach through custom refinements.
 */
import type { RecordOrigin } from './step.ts';

/** The problems with one value, each naming where it is (`record.server: ...`). */
type Check = (value: unknown, at: string, origin: RecordOrigin) => string[];

/** A check of one field whose valid values have the type `T`. */
export interface Field<T> {
  readonly check: Check;
  /** Carries `T` for the schema's type; never set. */
  readonly type?: T;
}

/** The named fields of a record type, without its JSON index signature. */
type KnownKeys<R> = keyof { [K in keyof R as string extends K ? never : K]: R[K] };

/** A check for every field of `R`: leave one out and the schema does not compile. */
export type RecordSchema<R> = { [K in KnownKeys<R>]-?: Field<R[K]> };

const field = <T>(check: Check): Field<T> => ({ check });
const one = (ok: boolean, at: string, problem: string): string[] => (ok ? [] : [`${at} ${problem}`]);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+$/i;
const ARM_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+/i;

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const quoted = (value: unknown) => JSON.stringify(value)?.slice(0, 80) ?? String(value);

export const is = {
  /** Any string. */
  string: (): Field<string> => field((v, at) => one(typeof v === 'string', at, 'must be a string')),
  /** A string with something in it. */
  text: (): Field<string> =>
    field((v, at) => one(typeof v === 'string' && v.trim() !== '', at, 'must be a non-empty string')),
  boolean: (): Field<boolean> => field((v, at) => one(typeof v === 'boolean', at, 'must be true or false')),
  /** A TCP port. */
  port: (): Field<number> =>
    field((v, at) =>
      one(Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536, at, 'must be a port number'),
    ),
  /** One of a few words. */
  oneOf: <const W extends string>(...words: W[]): Field<W> =>
    field((v, at) => one(words.includes(v as W), at, `must be one of ${words.join(', ')}, not ${quoted(v)}`)),
  /** An Entra object or client id. */
  guid: (): Field<string> =>
    field((v, at) => one(typeof v === 'string' && GUID.test(v), at, `must be a GUID, not ${quoted(v)}`)),
  /** One IPv4 or IPv6 address. */
  ip: (): Field<string> =>
    field((v, at) =>
      one(
        typeof v === 'string' && (IPV4.test(v) || (v.includes(':') && IPV6.test(v))),
        at,
        `must be one IP address, not ${quoted(v)}`,
      ),
    ),
  /** An Azure resource id. */
  armId: (): Field<string> =>
    field((v, at) =>
      one(
        typeof v === 'string' && ARM_ID.test(v) && !/\/\.\.?(\/|$)/.test(v),
        at,
        'must be an Azure resource id',
      ),
    ),
  /** The resource the run was locked on: the run's own server. */
  target: (): Field<string> =>
    field((v, at, origin) =>
      one(
        typeof v === 'string' && sameId(v, origin.target),
        at,
        `must be the run's server ${origin.target}, not ${quoted(v)}`,
      ),
    ),
  /** The resource the step's plan row names (the app, for the app's steps). */
  stepResource: (): Field<string> =>
    field((v, at, origin) =>
      one(
        typeof v === 'string' && sameId(v, origin.resource),
        at,
        `must be the step's resource ${origin.resource}, not ${quoted(v)}`,
      ),
    ),
  /** An id under the step's resource, e.g. `<app>/providers/Microsoft.ServiceLinker/linkers/<name>`. */
  underStepResource: (infix: string): Field<string> =>
    field((v, at, origin) => {
      const prefix = `${origin.resource}${infix}`.toLowerCase();
      const ok =
        typeof v === 'string' &&
        v.toLowerCase().startsWith(prefix) &&
        v.length > prefix.length &&
        !v.slice(prefix.length).includes('/');
      return one(ok, at, `must be ${origin.resource}${infix}<name>, not ${quoted(v)}`);
    }),
  /** The temporary firewall rule's name: `sc-doctor-<run id>`, the mark of the run that made it. */
  runRule: (): Field<string> =>
    field((v, at, origin) =>
      one(
        v === `sc-doctor-${origin.runId}`,
        at,
        `must be sc-doctor-${origin.runId} (the only rule run ${origin.runId} adds), not ${quoted(v)}`,
      ),
    ),
  /** A name the step's plan row showed (the admin it adds, the role or user it creates). */
  planned: (): Field<string> =>
    field((v, at, origin) => {
      if (typeof v !== 'string' || v.trim() === '') return [`${at} must be a non-empty string`];
      const shown = [origin.title, ...origin.preview].some((line) => line.includes(v));
      return one(shown, at, `${quoted(v)} is not what the plan of this step named (${origin.title})`);
    }),
  /** Absent, or as `inner` says. */
  optional: <T>(inner: Field<T>): Field<T | undefined> =>
    field((v, at, origin) => (v === undefined ? [] : inner.check(v, at, origin))),
  nullable: <T>(inner: Field<T>): Field<T | null> =>
    field((v, at, origin) => (v === null ? [] : inner.check(v, at, origin))),
  array: <T>(item: Field<T>): Field<T[]> =>
    field((v, at, origin) =>
      Array.isArray(v) ? v.flatMap((x, i) => item.check(x, `${at}[${i}]`, origin)) : [`${at} must be a list`],
    ),
  /** Any JSON object (someone else's resource as it was, put back as it was). */
  jsonObject: (): Field<Record<string, never>> => field((v, at) => one(isObject(v), at, 'must be an object')),
  /** An object of strings by name (app settings). */
  strings: (): Field<Record<string, string>> =>
    field((v, at) =>
      isObject(v)
        ? Object.entries(v).flatMap(([key, x]) =>
            one(typeof x === 'string', `${at}.${key}`, 'must be a string'),
          )
        : [`${at} must be an object`],
    ),
  object: <R>(schema: RecordSchema<R>): Field<R> =>
    field((v, at, origin) =>
      isObject(v) ? checkFields(schema, v, at, origin) : [`${at} must be an object`],
    ),
  /** Anything: for records nothing is undone from (a check, the removal of the temporary rule). */
  anything: <T>(): Field<T> => field(() => []),
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFields<R>(
  schema: RecordSchema<R>,
  value: Record<string, unknown>,
  at: string,
  origin: RecordOrigin,
): string[] {
  return Object.entries(schema as Record<string, Field<unknown>>).flatMap(([key, check]) =>
    check.check(value[key], `${at}.${key}`, origin),
  );
}

/** What is wrong with `record` for `schema` and the run it comes from (empty: nothing). */
export function checkRecord<R>(schema: RecordSchema<R>, record: unknown, origin: RecordOrigin): string[] {
  if (!isObject(record)) return ['record must be an object'];
  return checkFields(schema, record, 'record', origin);
}
