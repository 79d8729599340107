/**
 * The ARM and Graph reads setup and the database adapters make (429/5xx retried as the Azure SDK
 * does). A refusal becomes an error that names what was being done and Azure's code and message.
 * Writes, followed to their end, are in arm-write.ts: the doctor never loads them.
 */

import type { Services } from '../core/services.ts';
import { armGet, armList, graphGet } from './arm.ts';
import { refusal } from './arm-refusal.ts';

/** GET that returns the body, `undefined` for a 404, and throws for anything else. */
export async function readArm(
  services: Services,
  path: string,
  apiVersion: string,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown> | undefined> {
  const response = await armGet(services.azure, path, apiVersion, signal);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw refusal(response, what);
  return (response.body ?? {}) as Record<string, unknown>;
}

/** Every item of an ARM list, or throws naming what was read. */
export async function listArm(
  services: Services,
  path: string,
  apiVersion: string,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>[]> {
  const answer = await armList(services.azure, path, apiVersion, signal);
  if (!answer.ok) throw refusal(answer.response, what);
  return answer.items as Record<string, unknown>[];
}

/** A Microsoft Graph read; throws naming what was read. */
export async function readGraph(
  services: Services,
  path: string,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const response = await graphGet(services.azure, path, signal);
  if (response.status !== 200) throw refusal(response, what);
  return (response.body ?? {}) as Record<string, unknown>;
}

/** ARM ids compare case-insensitively. */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
