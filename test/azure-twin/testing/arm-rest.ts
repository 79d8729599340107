/**
 * Authenticated ARM REST calls for twin tests: the same pipeline pieces the SDKs use
 * (`@azure/core-rest-pipeline` with `bearerTokenAuthenticationPolicy`, verified TLS) and, for
 * long-running operations, `@azure/core-lro`'s real poll loop.
 */
import type { TokenCredential } from '@azure/core-auth';
import { createHttpPoller, type OperationResponse, type ResourceLocationConfig } from '@azure/core-lro';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';

import { ARM_AUDIENCE } from '../framework/audiences.ts';

/** The twin's ARM scope (its custom cloud's `activeDirectoryResourceId` + `.default`). */
export const ARM_SCOPE = `${ARM_AUDIENCE}.default`;

export interface ArmAnswer {
  method: string;
  url: string;
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: any;
}

export interface LroRun {
  initial: ArmAnswer;
  /** Every poll the loop made, in order. */
  polls: ArmAnswer[];
  result: unknown;
}

export interface ArmRest {
  send(method: string, pathOrUrl: string, body?: unknown): Promise<ArmAnswer>;
  /** Sends the initial request and, when it is accepted, polls with core-lro until done (throws if the operation fails). */
  lro(method: string, path: string, body: unknown, config: ResourceLocationConfig): Promise<LroRun>;
}

export function armRest(baseUrl: string, credential: TokenCredential): ArmRest {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: ARM_SCOPE }));
  const client = createDefaultHttpClient();

  async function send(method: string, pathOrUrl: string, body?: unknown): Promise<ArmAnswer> {
    const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${baseUrl}${pathOrUrl}`;
    const request = createPipelineRequest({
      url,
      method: method as 'GET',
      headers: createHttpHeaders({
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response = await pipeline.sendRequest(client, request);
    const text = response.bodyAsText ?? '';
    return {
      method,
      url,
      status: response.status,
      headers: response.headers.toJSON(),
      body: text ? JSON.parse(text) : undefined,
    };
  }

  const asOperation = (answer: ArmAnswer): OperationResponse => ({
    flatResponse: answer.body,
    rawResponse: {
      statusCode: answer.status,
      headers: answer.headers,
      request: { method: answer.method, url: answer.url },
      body: answer.body,
    },
  });

  async function lro(
    method: string,
    path: string,
    body: unknown,
    config: ResourceLocationConfig,
  ): Promise<LroRun> {
    const initial = await send(method, path, body);
    if (initial.status >= 400)
      throw new Error(`initial ${method} answered ${initial.status}: ${JSON.stringify(initial.body)}`);
    const polls: ArmAnswer[] = [];
    const poller = createHttpPoller(
      {
        sendInitialRequest: async () => asOperation(initial),
        sendPollRequest: async (pollPath) => {
          const answer = await send('GET', pollPath);
          polls.push(answer);
          return asOperation(answer);
        },
      },
      { intervalInMs: 5, resourceLocationConfig: config },
    );
    const result = await poller.pollUntilDone();
    return { initial, polls, result };
  }

  return { send, lro };
}
