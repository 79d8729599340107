/**
 * Helpers for driving the official ARM SDK clients against the twin in tests: the raw JSON of a
 * response (SDK models flatten `properties`, so shapes are compared on the wire body) and the example
 * body of a saved spec fixture.
 */
import { readFileSync } from 'node:fs';

/** Pass `capture.options` to an SDK call; `capture.body()` then returns the raw JSON it received. */
export function captureBody(): {
  options: { onResponse(raw: { bodyAsText?: string | null }): void };
  body(): any;
  bodies: any[];
} {
  const bodies: any[] = [];
  return {
    bodies,
    options: {
      onResponse(raw) {
        bodies.push(raw.bodyAsText ? JSON.parse(raw.bodyAsText) : undefined);
      },
    },
    body: () => bodies.at(-1),
  };
}

/** Response body `status` of `fixtures/<path>` (an azure-rest-api-specs example file). */
export function exampleBody(path: string, status = '200'): any {
  const example = JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));
  const body = example.responses?.[status]?.body;
  if (body === undefined) throw new Error(`fixtures/${path} has no ${status} body`);
  return body;
}

/** Error of a rejected SDK call as `{ statusCode, code, message }` (RestError fields). */
export async function sdkError(
  call: Promise<unknown>,
): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const { statusCode, code, message } = error as { statusCode?: number; code?: string; message: string };
    return { statusCode, code, message };
  }
  throw new Error('expected the SDK call to fail');
}
