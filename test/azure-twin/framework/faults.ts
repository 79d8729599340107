/** Fault and latency injection: fail, delay or drop the Nth request matching a method and path. */

export interface FaultSpec {
  /** HTTP method to match; any when omitted. */
  method?: string;
  /** RegExp tested against the decoded path, or a case-insensitive substring of it. */
  path: RegExp | string;
  /** 1-based index of the first matching request to hit (default 1). */
  nth?: number;
  /** How many consecutive matching requests to hit from the Nth on (default 1). */
  times?: number;
  /** Status to answer with (with `code` and `message`); omitted with `delayMs` = delay only. */
  status?: number;
  code?: string;
  message?: string;
  /** Delay before answering (or before the request continues when there is no status). */
  delayMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
}

/** The same over HTTP (`POST /_twin/faults`): `path` is a substring, `pathRegex` a RegExp source. */
export interface FaultSpecJson extends Omit<FaultSpec, 'path'> {
  path?: string;
  pathRegex?: string;
}

interface ActiveFault {
  id: number;
  spec: FaultSpec;
  seen: number;
  hits: number;
}

export class FaultInjector {
  private readonly faults: ActiveFault[] = [];
  private nextId = 1;
  /** Added to every request (ARM, Graph, internal az routes) before it is handled. */
  latencyMs = 0;

  /** Registers a fault; returns its id for `remove`. */
  add(spec: FaultSpec): number {
    const id = this.nextId++;
    this.faults.push({ id, spec, seen: 0, hits: 0 });
    return id;
  }

  addJson(json: FaultSpecJson): number {
    const { path, pathRegex, ...rest } = json;
    return this.add({ ...rest, path: pathRegex ? new RegExp(pathRegex, 'i') : (path ?? '') });
  }

  remove(id: number): void {
    const index = this.faults.findIndex((fault) => fault.id === id);
    if (index >= 0) this.faults.splice(index, 1);
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** How many requests a fault has hit so far. */
  hits(id: number): number {
    return this.faults.find((fault) => fault.id === id)?.hits ?? 0;
  }

  /** The fault to apply to this request, counting it against every fault it matches. */
  take(method: string, path: string): FaultSpec | undefined {
    let chosen: FaultSpec | undefined;
    for (const fault of this.faults) {
      const { spec } = fault;
      if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) continue;
      const matches =
        typeof spec.path === 'string'
          ? path.toLowerCase().includes(spec.path.toLowerCase())
          : spec.path.test(path);
      if (!matches) continue;
      fault.seen++;
      const first = spec.nth ?? 1;
      const last = first + (spec.times ?? 1) - 1;
      if (!chosen && fault.seen >= first && fault.seen <= last) {
        fault.hits++;
        chosen = spec;
      }
    }
    return chosen;
  }
}
