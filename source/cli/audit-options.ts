/**
 * `sc-doctor audit ...`: its flags validated into an `AuditRequest` before anything runs. Every
 * mistake is a usage error (exit 2) naming the flag; a value that could not go into a Resource Graph
 * query safely (a control character in a tag) is refused here, not escaped into one.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { KqlValueError, kqlString } from '../audit/kql.ts';
import type { AuditRequest } from '../audit/types.ts';
import { nameProblem, nameWhat } from '../azure/resource-id.ts';
import { DATABASE_KINDS, type DatabaseKind } from '../databases/kind.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import { reportFormatOf } from '../output/audit/report-file.ts';
import { doctorOptionsFrom, isGuid } from './doctor-options.ts';
import { HELP_HINT, type ParsedArgs } from './parse-args.ts';
import { UsageError } from './usage-error.ts';

export const DEFAULT_CONCURRENCY = 16;
export const MAX_CONCURRENCY = 64;
/** Flags the audit reads itself; the rest (cloud, credential, connect-to) are the doctor's. */
const AUDIT_FLAGS = new Set([
  'subscription',
  'resource-group',
  'database',
  'tag',
  'management-group',
  'all',
  'concurrency',
  'out',
  'force',
]);

export interface AuditCommand {
  request: AuditRequest;
  /** Cloud, credential and connect-to, as the doctor validates them. */
  options: DoctorOptions;
  /** `--out`, absolute, and its format. */
  out: { path: string; format: 'html' | 'md' | 'json' } | null;
}

export function auditCommandFrom(
  parsed: Pick<ParsedArgs, 'operands' | 'flags' | 'lists'>,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): AuditCommand {
  if (parsed.operands.length > 0)
    throw new UsageError(`unexpected argument '${clip(parsed.operands[0]!)}'.`, [HELP_HINT]);
  const values = (name: string) => parsed.lists.get(name) ?? [];
  const flag = (name: string) => {
    const value = parsed.flags.get(name);
    return typeof value === 'string' ? value : undefined;
  };

  const subscriptions = values('subscription');
  for (const id of subscriptions)
    if (!isGuid(id))
      throw new UsageError(`--subscription must be a subscription id (a GUID); got '${clip(id)}'.`, [
        'Find yours with: az account list -o table',
      ]);
  const managementGroup = flag('management-group');
  const all = parsed.flags.has('all');
  const scopes = [subscriptions.length > 0, managementGroup !== undefined, all].filter(Boolean).length;
  if (scopes > 1)
    throw new UsageError('Pick one scope: --subscription (repeatable), --management-group or --all.', [
      HELP_HINT,
    ]);
  if (managementGroup !== undefined && !/^[A-Za-z0-9_().-]{1,90}$/.test(managementGroup))
    throw new UsageError(
      `--management-group must be a management group's name (its id: letters, digits, - _ ( ) .); got '${clip(managementGroup)}'.`,
      ['List them with: az account management-group list -o table'],
    );
  let scope: AuditRequest['scope'];
  if (managementGroup !== undefined) scope = { kind: 'managementGroup', managementGroup };
  else if (all) scope = { kind: 'all' };
  else if (subscriptions.length > 0)
    scope = {
      kind: 'subscriptions',
      subscriptions: [...new Set(subscriptions.map((id) => id.toLowerCase()))],
    };
  else {
    const fromEnv = env.AZURE_SUBSCRIPTION_ID?.trim();
    if (!fromEnv)
      throw new UsageError(
        'audit needs a scope: --subscription ID (repeatable), --management-group NAME or --all.',
        ['e.g. sc-doctor audit --all --out audit.html'],
      );
    if (!isGuid(fromEnv))
      throw new UsageError(
        `AZURE_SUBSCRIPTION_ID must be a subscription id (a GUID); got '${clip(fromEnv)}'.`,
      );
    scope = { kind: 'subscriptions', subscriptions: [fromEnv.toLowerCase()] };
  }

  const database = flag('database');
  let kinds: DatabaseKind[] = [...DATABASE_KINDS];
  if (database !== undefined) {
    const kind = database.toLowerCase();
    if (!(DATABASE_KINDS as readonly string[]).includes(kind))
      throw new UsageError(
        `--database for audit is the kind to audit: postgres, mysql or sql; got '${clip(database)}'.`,
        [HELP_HINT],
      );
    kinds = [kind as DatabaseKind];
  }

  const resourceGroup = flag('resource-group');
  if (resourceGroup !== undefined) {
    const rule = nameProblem('resource-group', resourceGroup);
    if (rule)
      throw new UsageError(
        `--resource-group: '${clip(resourceGroup)}' is not a valid ${nameWhat('resource-group')}: Azure allows ${rule}.`,
      );
  }

  const tags = values('tag').map((text) => {
    const equals = text.indexOf('=');
    if (equals <= 0)
      throw new UsageError(`--tag needs key=value; got '${clip(text)}'.`, ['e.g. --tag env=prod']);
    const tag = { key: text.slice(0, equals), value: text.slice(equals + 1) };
    for (const [what, value] of [
      ['key', tag.key],
      ['value', tag.value],
    ] as const) {
      try {
        kqlString(value);
      } catch (error) {
        if (error instanceof KqlValueError)
          throw new UsageError(`--tag ${what} ${JSON.stringify(clip(value))} ${error.message}.`);
        throw error;
      }
    }
    return tag;
  });

  const concurrencyText = flag('concurrency');
  let concurrency = DEFAULT_CONCURRENCY;
  if (concurrencyText !== undefined) {
    concurrency = Number(concurrencyText);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)
      throw new UsageError(
        `--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}; got '${clip(concurrencyText)}'.`,
      );
  }

  let out: AuditCommand['out'] = null;
  const outText = flag('out');
  if (outText !== undefined) {
    const format = reportFormatOf(outText);
    if (!format)
      throw new UsageError(
        `--out for audit is a report file ending in .html, .md or .json; got '${clip(outText)}'.`,
      );
    const path = resolve(cwd, outText);
    if (existsSync(path) && !parsed.flags.has('force'))
      throw new UsageError(
        `--out ${clip(outText)} exists already: add --force to replace it, or pick another name.`,
      );
    out = { path, format };
  } else if (parsed.flags.has('force')) throw new UsageError('--force only means something with --out.');

  // Cloud, credential, --connect-to and the environment, validated as the doctor does; the flags the
  // audit reads differently (--database is a kind here, not a name) are kept out of it.
  const doctorFlags = new Map([...parsed.flags].filter(([name]) => !AUDIT_FLAGS.has(name)));
  const options = doctorOptionsFrom({ flags: doctorFlags }, { ...env, AZURE_SUBSCRIPTION_ID: undefined });

  return {
    request: {
      scope,
      kinds,
      ...(resourceGroup !== undefined ? { resourceGroup } : {}),
      tags,
      checkUser: parsed.flags.has('check-user'),
      concurrency,
      ...(options.connectTo ? { connectTo: options.connectTo } : {}),
    },
    options,
    out,
  };
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
