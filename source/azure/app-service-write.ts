/**
 * App Service writes through @azure/arm-appservice 19 (app-service.ts): a web app's identity PATCH
 * (`WebApps_Update`) and its app settings PUT (`WebApps_UpdateApplicationSettings`). Neither is a
 * long-running operation in the client, so `writeSdk` sends it once and reads its answer from the
 * wire: a refusal names Microsoft.Web's code and message and changed nothing, the throttling waits
 * are the shared pipeline's. Should Microsoft.Web answer 202 with an operation to follow (its spec
 * allows it for `WebApps_Update`), the operation is noted in flight and followed as ARM's are
 * (`waitForArm`), as the REST write did. Loaded only by what writes.
 */
import type { StepContext, UndoContext } from '../engine/step.ts';
import { type WebAppsClient, webAppsClient } from './app-service.ts';
import { type ArmResponse, armResponseOf } from './arm.ts';
import { waitForArm } from './arm-lro.ts';
import { armIdParts } from './arm-sdk.ts';
import { type SdkWriteOptions, writeSdk } from './arm-sdk-write.ts';
import { inFlightOf } from './arm-write.ts';
import type { AzureSession } from './session.ts';

/** Sets a web app's `identity` block as given (a user-assigned identity mapped to null comes off). */
export async function patchWebAppIdentity(
  azure: AzureSession,
  ctx: StepContext | UndoContext,
  id: string,
  identity: Record<string, unknown>,
  what: string,
): Promise<void> {
  await writeWebApp(azure, ctx, 'PATCH', id, what, ({ context, ops }, group, name, options) =>
    ops.update(context, group, name, { identity: identity as never }, options),
  );
}

/** Replaces a web app's app settings with `settings` (the PUT takes the whole set). */
export async function putWebAppSettings(
  azure: AzureSession,
  ctx: StepContext | UndoContext,
  id: string,
  settings: Record<string, string>,
  what: string,
): Promise<void> {
  await writeWebApp(azure, ctx, 'PUT', id, what, ({ context, ops }, group, name, options) =>
    ops.updateApplicationSettings(context, group, name, { properties: settings }, options),
  );
}

type WebAppWrite = (
  client: WebAppsClient,
  resourceGroup: string,
  name: string,
  options: { abortSignal?: AbortSignal; onResponse: never },
) => Promise<unknown>;

async function writeWebApp(
  azure: AzureSession,
  ctx: StepContext | UndoContext,
  method: 'PUT' | 'PATCH',
  id: string,
  what: string,
  send: WebAppWrite,
): Promise<void> {
  const { subscriptionId, resourceGroup, name } = armIdParts(id);
  const client = await webAppsClient(azure, subscriptionId, ctx.signal);
  let first: ArmResponse | undefined;
  await writeSdk(ctx, method, what, (options: SdkWriteOptions) =>
    send(client, resourceGroup, name, {
      abortSignal: options.abortSignal,
      onResponse: ((raw: Parameters<SdkWriteOptions['onResponse']>[0], ...rest: [unknown, unknown?]) => {
        first ??= armResponseOf(raw);
        options.onResponse(raw, ...rest);
      }) as never,
    }),
  );
  const answer = first as ArmResponse | undefined;
  if (answer?.status === 202 && inFlightOf(answer, what)) {
    await waitForArm(azure, answer, {
      what,
      signal: ctx.signal,
      onStatus: (status, nextPollMs) =>
        ctx.progress(
          `waiting for Azure: ${status}${nextPollMs >= 1000 ? ` (asking again in ${Math.round(nextPollMs / 1000)} s)` : ''}`,
        ),
    });
  }
}
