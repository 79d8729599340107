/**
 * A minimal ARM client for framework tests, built from the same pieces the Azure SDKs use
 * (core-rest-pipeline with bearer-token auth, core-lro's poller), so a test exercises the twin the way
 * a real SDK does without depending on a resource provider.
 */
import { createHttpPoller, type ResourceLocationConfig } from '@azure/core-lro';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { Twin } from '../index.ts';

export interface ArmCall {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** A pipeline that authenticates as `principal` (default: the signed-in user) with ARM tokens. */
export function armPipeline(twin: Twin, principal = twin.world.signedInAs ?? '', maxRetries = 0) {
  const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries } });
  pipeline.addPolicy(
    bearerTokenAuthenticationPolicy({
      credential: twin.tokens.credential(principal),
      scopes: 'https://management.twin.test/.default',
    }),
  );
  const client = createDefaultHttpClient();
  return async (method: string, url: string, body?: unknown): Promise<ArmCall> => {
    const request = createPipelineRequest({
      url: url.startsWith('http') ? url : `${twin.baseUrl}${url}`,
      method: method as 'GET',
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response: PipelineResponse = await pipeline.sendRequest(client, request);
    const text = response.bodyAsText ?? '';
    return {
      status: response.status,
      headers: response.headers.toJSON(),
      body: text ? JSON.parse(text) : undefined,
    };
  };
}

/** Runs a long-running operation through core-lro's poller, as `beginXAndWait` does in the SDKs. */
export async function runLro(
  twin: Twin,
  method: string,
  path: string,
  body: unknown,
  resourceLocationConfig: ResourceLocationConfig,
): Promise<{ result: unknown; polls: string[] }> {
  const send = armPipeline(twin);
  const polls: string[] = [];
  const toOperationResponse = (call: ArmCall, url: string) => ({
    flatResponse: call.body,
    rawResponse: {
      statusCode: call.status,
      headers: call.headers,
      body: call.body,
      request: { method, url },
    },
  });
  const poller = createHttpPoller(
    {
      sendInitialRequest: async () =>
        toOperationResponse(await send(method, path, body), `${twin.baseUrl}${path}`),
      sendPollRequest: async (url: string) => {
        polls.push(url);
        return toOperationResponse(await send('GET', url), url);
      },
    },
    { resourceLocationConfig, intervalInMs: 10 },
  );
  const result = await poller.pollUntilDone();
  return { result, polls };
}
