/**
 * Microsoft Graph reads through @microsoft/microsoft-graph-client, sent on the session's Graph
 * pipeline (arm-pipeline.ts): the client builds the request (`.api(path)`, its version and query),
 * and one middleware of ours sends it through the pipeline instead of the client's own fetch chain,
 * whose retry handler waits whatever `Retry-After` says (up to 180 s, unseen) and whose TLS cannot
 * take the session's CA. So Graph gets the same bearer policy (Graph scope), capped throttling,
 * retries, origin guard and verified TLS as ARM; the answer is read from the wire, as ARM's is
 * (docs/architecture.md, "ARM through the SDK clients, and what stays REST").
 */

import type { PipelineResponse } from '@azure/core-rest-pipeline';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { commonJs } from '../core/commonjs.ts';
import { type ArmResponse, armResponseOf } from './arm.ts';
import { plainRequest, type SharedPipeline, sharedPipeline } from './arm-pipeline.ts';
import { throughSessionReads } from './read-transport.ts';
import type { AzureSession } from './session.ts';

/** The versions a path may start with (`v1.0/servicePrincipals/...`). */
const VERSION = /^\/*(v1\.0|beta)\//;

/**
 * GET `path` (e.g. `v1.0/servicePrincipals/...`, a version first) from Microsoft Graph. Answers with
 * the status and JSON whatever the status; rejects only when no HTTP answer came back.
 */
export async function graphClientGet(
  azure: AzureSession,
  path: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const shared = await sharedPipeline(azure, 'graph', signal);
  // CommonJS in the bundle (`main` first): loaded through `commonJs` (docs/architecture.md, "Heavy modules and the bundle").
  const { Client, ResponseType } = commonJs(await import('@microsoft/microsoft-graph-client'));
  const sent: { response?: PipelineResponse } = {};
  const client = Client.initWithMiddleware({
    middleware: throughPipeline(azure, shared, sent, signal),
    baseUrl: shared.endpoint.replace(/\/+$/, ''),
    defaultVersion: 'v1.0',
  });
  const version = VERSION.exec(path)?.[1] ?? 'v1.0';
  await client.api(path.replace(VERSION, '/')).version(version).responseType(ResponseType.RAW).get();
  if (!sent.response) throw new Error('the Graph request ended without an answer');
  return armResponseOf(sent.response);
}

/** The one middleware: the request the Graph client built, sent on the session's Graph pipeline. */
function throughPipeline(
  azure: AzureSession,
  shared: SharedPipeline,
  sent: { response?: PipelineResponse },
  signal: AbortSignal | undefined,
): Middleware {
  return {
    async execute(context: Context) {
      const { createHttpHeaders, createPipelineRequest } = await import('@azure/core-rest-pipeline');
      const url = typeof context.request === 'string' ? context.request : context.request.url;
      const headers = createHttpHeaders();
      new Headers(context.options?.headers).forEach((value, name) => {
        headers.set(name, value);
      });
      const request = throughSessionReads(
        azure,
        plainRequest(
          createPipelineRequest({
            url,
            method: (context.options?.method ?? 'GET') as 'GET',
            headers,
            ...(signal ? { abortSignal: signal } : {}),
          }),
        ),
      );
      const response = await shared.pipeline.sendRequest(shared.httpClient, request);
      sent.response = response;
      const empty = response.status === 204 || response.status === 304;
      context.response = new Response(empty ? null : (response.bodyAsText ?? null), {
        status: response.status,
        headers: response.headers.toJSON(),
      });
    },
  };
}
