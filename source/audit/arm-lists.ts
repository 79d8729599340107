/**
 * What the audit lists through ARM because Resource Graph cannot answer it: the subscriptions the
 * caller sees (`--all`) and a Spring service's apps (Resource Graph holds the services only).
 */
import { armList } from '../azure/arm.ts';
import type { AzureSession } from '../azure/session.ts';
import { listSubscriptions } from '../azure/subscriptions.ts';
import { APP_CONFIG_API } from './app-config.ts';
import { type AppRow, identityOf, type SpringServiceRow } from './inventory.ts';
import { ResourceGraphError } from './resource-graph.ts';

/** Every row of every page, one by one. */
export async function drain(
  rows: AsyncGenerator<Record<string, unknown>[]>,
  each: (row: Record<string, unknown>) => void,
): Promise<void> {
  for await (const page of rows) for (const row of page) each(row);
}

/** Every subscription `GET /subscriptions` lists for the caller (`--all`). */
export async function visibleSubscriptions(azure: AzureSession, signal: AbortSignal): Promise<string[]> {
  const listed = await listSubscriptions(azure, signal);
  if (!listed.ok)
    throw new ResourceGraphError(
      `Azure Resource Manager would not list the subscriptions (${listed.response.status}).`,
      listed.response.status,
      null,
    );
  return listed.items.flatMap((item) => {
    const id = (item as { subscriptionId?: unknown }).subscriptionId;
    return typeof id === 'string' ? [id.toLowerCase()] : [];
  });
}

/** A Spring service's apps, through ARM (Resource Graph does not index them). */
export async function springApps(
  azure: AzureSession,
  service: SpringServiceRow,
  signal: AbortSignal,
): Promise<AppRow[]> {
  const listed = await armList(azure, `${service.id}/apps`, APP_CONFIG_API.spring, signal).catch(
    () => undefined,
  );
  if (!listed?.ok) return [];
  return listed.items.flatMap((item) => {
    const app = item as { id?: unknown; name?: unknown; identity?: unknown };
    if (typeof app.id !== 'string') return [];
    return [
      {
        id: app.id,
        key: app.id.toLowerCase(),
        kind: 'spring' as const,
        name: typeof app.name === 'string' ? `${service.name}/${app.name}` : app.id,
        platformKind: null,
        subscriptionId: service.subscriptionId,
        resourceGroup: service.resourceGroup,
        identity: identityOf(app.identity),
      },
    ];
  });
}
