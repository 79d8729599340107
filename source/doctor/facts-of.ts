/** Reading the shared facts (`data.server`, `data.app`) from the outcomes a check waited for. */
import type { ServerFacts } from '../databases/facts.ts';
import { type AppFacts, type FactsSource, factsOf } from './facts.ts';

/** The server the `server` check found, or null when it found none (failed, skipped, no target). */
export function serverFactsOf(from: FactsSource): ServerFacts | null {
  const server = factsOf(from, 'server')?.server;
  return server && typeof server.id === 'string' ? server : null;
}

/** The app the `app-identity` check found, or null. */
export function appFactsOf(from: FactsSource): AppFacts | null {
  const app = factsOf(from, 'app-identity')?.app;
  return app && typeof app.id === 'string' ? app : null;
}
