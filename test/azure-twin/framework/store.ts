/** In-memory `ResourceStore`: ARM ids compared case-insensitively, stored resources keep their casing. */
import type { ArmResource, ResourceStore } from '../api.ts';

function key(id: string): string {
  return id.toLowerCase().replace(/\/+$/, '');
}

/** Called before each change with the resource as it was (undefined when it did not exist). */
export type StoreChangeListener = (id: string, before: ArmResource | undefined) => void;

export class MemoryResourceStore implements ResourceStore {
  private readonly resources = new Map<string, ArmResource>();

  /** `onChange` sees every put and delete (Resource Graph's index follows the store with a lag). */
  constructor(private readonly onChange?: StoreChangeListener) {}

  get(id: string): ArmResource | undefined {
    const found = this.resources.get(key(id));
    return found ? structuredClone(found) : undefined;
  }

  put(resource: ArmResource): ArmResource {
    this.onChange?.(resource.id, this.resources.get(key(resource.id)));
    const copy = structuredClone(resource);
    this.resources.set(key(resource.id), copy);
    return structuredClone(copy);
  }

  delete(id: string): boolean {
    const prefix = `${key(id)}/`;
    const own = this.resources.get(key(id));
    if (own) this.onChange?.(own.id, own);
    const existed = this.resources.delete(key(id));
    let removedChildren = false;
    for (const stored of [...this.resources.keys()]) {
      if (stored.startsWith(prefix)) {
        this.onChange?.(this.resources.get(stored)!.id, this.resources.get(stored));
        this.resources.delete(stored);
        removedChildren = true;
      }
    }
    return existed || removedChildren;
  }

  children(parentId: string, type: string): ArmResource[] {
    const prefix = `${key(parentId)}/`;
    const wanted = type.toLowerCase();
    const out: ArmResource[] = [];
    for (const [id, resource] of this.resources) {
      if (!id.startsWith(prefix) || resource.type.toLowerCase() !== wanted) continue;
      // A direct child is `{parent}/{childType}/{name}`: exactly two more segments.
      if (id.slice(prefix.length).split('/').length === 2) out.push(structuredClone(resource));
    }
    return out;
  }

  listByScope(scope: string, type: string): ArmResource[] {
    const prefix = `${key(scope)}/`;
    const wanted = type.toLowerCase();
    return [...this.resources.entries()]
      .filter(([id, resource]) => id.startsWith(prefix) && resource.type.toLowerCase() === wanted)
      .map(([, resource]) => structuredClone(resource));
  }

  all(): ArmResource[] {
    return [...this.resources.values()].map((resource) => structuredClone(resource));
  }
}
