/**
 * Finds the server the target flags name: a GET by id, or, for `--server NAME`, a list of all three
 * server types in the resource group (or the subscription) and a match by name.
 */
import { type ArmResponse, armError } from '../azure/arm.ts';
import { armIds } from '../azure/resource-id.ts';
import type { AzureSession } from '../azure/session.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import { adapterOf } from '../databases/index.ts';
import { DATABASE_KINDS, type DatabaseKind } from '../databases/kind.ts';
import type { ServerSelector } from './target.ts';

export type ServerLookup =
  | { found: true; kind: DatabaseKind; resource: unknown }
  | { found: false; reason: 'not-found'; where: string; listProblems: string[] }
  | { found: false; reason: 'group-not-found'; resourceGroup: string }
  | { found: false; reason: 'ambiguous'; ids: string[] }
  /**
   * Azure refused to show the server (403): it may well exist. `scope` is the server's id when it was
   * named by id, else where the lists were refused; `kinds` are the types that could not be read.
   */
  | { found: false; reason: 'forbidden'; scope: string; kinds: DatabaseKind[]; code: string | null }
  | { found: false; reason: 'error'; message: string; requestId: string | undefined };

/** Looks the server up in `subscriptionId` (ignored when the selector is an id, which names its own). */
export async function findServer(
  azure: AzureSession,
  selector: ServerSelector,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<ServerLookup> {
  if (selector.by === 'id') {
    const { ref } = selector;
    const response = await adapterOf(ref.kind).arm.getServer(azure, ref.id, signal);
    if (response.status === 200) return { found: true, kind: ref.kind, resource: response.body };
    const error = armError(response.body);
    if (response.status === 404 && error?.code === 'ResourceGroupNotFound')
      return { found: false, reason: 'group-not-found', resourceGroup: ref.resourceGroup };
    if (response.status === 404)
      return {
        found: false,
        reason: 'not-found',
        where: `resource group ${ref.resourceGroup}`,
        listProblems: [],
      };
    if (response.status === 403)
      return {
        found: false,
        reason: 'forbidden',
        scope: ref.id,
        kinds: [ref.kind],
        code: error?.code ?? null,
      };
    return failure(response);
  }

  const scope = selector.resourceGroup
    ? armIds.resourceGroup(subscriptionId, selector.resourceGroup)
    : `/subscriptions/${subscriptionId}`;
  const lists = await Promise.all(
    DATABASE_KINDS.map(async (kind) => ({
      kind,
      answer: await adapterOf(kind).arm.listServers(azure, scope, signal),
    })),
  );
  const matches: { kind: DatabaseKind; resource: unknown }[] = [];
  const listProblems: string[] = [];
  const refused: DatabaseKind[] = [];
  let refusal: string | null = null;
  for (const { kind, answer } of lists) {
    if (!answer.ok) {
      const error = armError(answer.response.body);
      if (answer.response.status === 404 && error?.code === 'ResourceGroupNotFound')
        return { found: false, reason: 'group-not-found', resourceGroup: selector.resourceGroup ?? '' };
      if (answer.response.status === 403) {
        refused.push(kind);
        refusal = error?.code ?? null;
      }
      listProblems.push(
        `could not list ${descriptorOf(kind).armType}: ${answer.response.status}${error ? ` ${error.code}` : ''}`,
      );
      continue;
    }
    for (const item of answer.items) {
      const name = (item as { name?: unknown }).name;
      if (typeof name === 'string' && name.toLowerCase() === selector.name.toLowerCase())
        matches.push({ kind, resource: item });
    }
  }
  if (matches.length === 1) return { found: true, ...matches[0]! };
  if (matches.length > 1)
    return {
      found: false,
      reason: 'ambiguous',
      ids: matches.map((m) => String((m.resource as { id?: unknown }).id)),
    };
  // A refused list is no evidence of absence: the server may be among what Azure would not show.
  if (refused.length > 0) return { found: false, reason: 'forbidden', scope, kinds: refused, code: refusal };
  return {
    found: false,
    reason: 'not-found',
    where: selector.resourceGroup
      ? `resource group ${selector.resourceGroup}`
      : `subscription ${subscriptionId}`,
    listProblems,
  };
}

function failure(response: ArmResponse): ServerLookup {
  const error = armError(response.body);
  return {
    found: false,
    reason: 'error',
    message: `Azure Resource Manager answered ${response.status}${error ? ` ${error.code}: ${error.message}` : ''}`,
    requestId: response.requestId,
  };
}
