/**
 * Container Apps writes through @azure/arm-appcontainers 4 (container-apps.ts): a container app's
 * PATCH (`ContainerApps_Update`), of its `identity` block or of its containers' env. The PATCH is
 * long-running (200/201/202, its result at `Location`), and the client's `update` returns core-lro
 * 3's poller, which is a thenable: awaited, it would run to its end on the SDK's own schedule. So it
 * is handed to `writeSdk` wrapped, once Azure's first answer is in (`submitted()`), and `writeSdk`
 * drives the polls: noted in flight from that answer, each wait Azure's `Retry-After` capped at 30 s
 * and shown on the step, Failed and Canceled errors in the product's words. The poller asks for its
 * polls without the call's `onResponse`, so the write is made on a context of its own that shows
 * `writeSdk` every answer as it came (`watched`). Loaded only by what writes.
 */
import type { StepContext, UndoContext } from '../engine/step.ts';
import { armIdParts } from './arm-sdk.ts';
import { type SdkPoller, type SdkWriteOptions, writeSdk } from './arm-sdk-write.ts';
import { containerAppsClient } from './container-apps.ts';
import type { AzureSession } from './session.ts';

/** Sets a container app's `identity` block as given (a user-assigned identity mapped to null comes off). */
export async function patchContainerAppIdentity(
  azure: AzureSession,
  ctx: StepContext | UndoContext,
  id: string,
  identity: Record<string, unknown>,
  what: string,
): Promise<void> {
  await patchContainerApp(azure, ctx, id, { identity }, what);
}

/**
 * Replaces a container app's containers with `containers` (as read, one container's env changed):
 * a PATCH replaces the list, so it is sent whole. Makes a new revision.
 */
export async function patchContainerAppContainers(
  azure: AzureSession,
  ctx: StepContext | UndoContext,
  id: string,
  containers: Record<string, unknown>[],
  what: string,
): Promise<void> {
  await patchContainerApp(azure, ctx, id, { template: { containers } }, what);
}

/** The PATCH body in the client's model: `identity` at the top, `properties` flattened. */
type Envelope = { identity?: Record<string, unknown>; template?: { containers: Record<string, unknown>[] } };

async function patchContainerApp(
  azure: AzureSession,
  ctx: StepContext | UndoContext,
  id: string,
  envelope: Envelope,
  what: string,
): Promise<void> {
  const { subscriptionId, resourceGroup, name } = armIdParts(id);
  const client = await containerAppsClient(azure, subscriptionId, ctx.signal);
  await writeSdk(ctx, 'PATCH', what, async (options: SdkWriteOptions) => {
    const context = client.watched((response) => options.onResponse(response as never, undefined));
    const poller = client.apps.update(context, resourceGroup, name, envelope as never, {
      abortSignal: options.abortSignal,
    });
    await poller.submitted();
    // Not the poller itself: it is a thenable, and `writeSdk` awaits what this returns.
    const wrapped: SdkPoller = {
      isDone: () => poller.isDone,
      poll: async (pollOptions) => {
        await poller.poll(pollOptions);
      },
    };
    return wrapped;
  });
}
