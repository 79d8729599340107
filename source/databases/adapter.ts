/**
 * A kind of database as the doctor, setup and the snippets ask about it: its descriptor (the data)
 * and the code that is that database's own. Each kind's adapter is `<kind>/index.ts`, registered in
 * index.ts. Heavy parts (drivers) are imported by the adapter's functions when first called.
 */
import type { DatabaseDescriptor } from './descriptor.ts';
import type { ServerFacts } from './facts.ts';

export interface DatabaseAdapter extends DatabaseDescriptor {
  /** The facts of a server resource as ARM returned it. */
  serverFacts(resource: unknown): ServerFacts;
}
