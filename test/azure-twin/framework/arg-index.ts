/**
 * Azure Resource Graph's index: an eventually consistent copy of ARM that follows changes with a delay
 * (Learn "Overview of Azure Resource Graph", "How Resource Graph is kept current"; typically seconds,
 * up to minutes or more: shared reference "fleet-audit.md" §5). The twin keeps, for each resource
 * changed lately, what it was before the change; a query sees a resource as it was `lagMs` ago:
 * a resource created less than `lagMs` ago is not there yet, a deleted one is still listed, an
 * updated one shows its old body. With a lag of 0 the index is the store.
 */
import type { ArmResource, ResourceStore } from '../api.ts';

interface Change {
  at: number;
  /** The resource before the change (undefined: it did not exist). */
  before: ArmResource | undefined;
}

export class ArgIndex {
  /** Lower-case id → changes inside the lag window, oldest first. */
  readonly #changes = new Map<string, Change[]>();
  #recording = false;

  constructor(
    private readonly now: () => number,
    private readonly lagMs: () => number,
  ) {}

  /** From now on changes are remembered (seeding a scenario is history already indexed). */
  start(): void {
    this.#recording = true;
    this.#changes.clear();
  }

  /** The store's change listener. */
  changed(id: string, before: ArmResource | undefined): void {
    if (!this.#recording || this.lagMs() <= 0) return;
    const key = id.toLowerCase();
    const list = this.#changes.get(key) ?? [];
    list.push({ at: this.now(), before: before ? structuredClone(before) : undefined });
    this.#changes.set(key, list);
  }

  /** Every resource as the index shows it now. */
  view(store: ResourceStore): ArmResource[] {
    const lag = this.lagMs();
    const current = store.all();
    if (lag <= 0 || this.#changes.size === 0) return current;
    const cutoff = this.now() - lag;
    const byKey = new Map(current.map((resource) => [resource.id.toLowerCase(), resource]));
    for (const [key, changes] of this.#changes) {
      // Changes the index has caught up with are forgotten.
      while (changes.length > 0 && changes[0]!.at <= cutoff && changes.length > 1 && changes[1]!.at <= cutoff)
        changes.shift();
      const firstUnseen = changes.find((change) => change.at > cutoff);
      if (!firstUnseen) {
        this.#changes.delete(key);
        continue;
      }
      // The index holds the state from before the first change it has not seen.
      if (firstUnseen.before) byKey.set(key, structuredClone(firstUnseen.before));
      else byKey.delete(key);
    }
    return [...byKey.values()];
  }
}
