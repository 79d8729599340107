/**
 * One HTTP client for every request of an audit: @azure/core-rest-pipeline's default client keeps its
 * connections open (keep-alive) for as long as the client lives, so thousands of reads do not each pay
 * for a new TLS handshake. Loaded on first use, like every Azure SDK piece.
 */
import type { HttpClient } from '@azure/core-rest-pipeline';

let client: HttpClient | undefined;

export async function sharedHttpClient(): Promise<{ httpClient: HttpClient }> {
  if (!client) {
    const { createDefaultHttpClient } = await import('@azure/core-rest-pipeline');
    client = createDefaultHttpClient();
  }
  return { httpClient: client };
}
