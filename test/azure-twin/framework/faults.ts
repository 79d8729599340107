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
  /** `Retry-After` (seconds) on the injected answer, as ARM sends with a 429. */
  retryAfterSeconds?: number;
  /** Delay before answering (or before the request continues when there is no status). */
  delayMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** `web`: the refusal comes from Microsoft.Web itself, in its PascalCase envelope (default ARM's). */
  envelope?: 'arm' | 'web';
}

/** The same over HTTP (`POST /_twin/faults`): `path` is a substring, `pathRegex` a RegExp source. */
export interface FaultSpecJson extends Omit<FaultSpec, 'path'> {
  path?: string;
  pathRegex?: string;
}

/**
 * An injected end of a long-running operation: the Nth operation whose resource id contains
 * `resourceId` (case-insensitive) ends `Failed` (with `code`/`message`) or `Canceled` instead of doing
 * its work; `delayMs` overrides how long that operation runs.
 */
export interface LroFaultSpec {
  resourceId: string;
  outcome?: 'Failed' | 'Canceled';
  code?: string;
  message?: string;
  /** HTTP status the operation-result URL answers for a failed operation (default 500). */
  status?: number;
  delayMs?: number;
  nth?: number;
  times?: number;
}

interface ActiveLroFault {
  spec: LroFaultSpec;
  seen: number;
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
  private readonly lroFaults: ActiveLroFault[] = [];
  /** Added to every request (ARM, Graph, internal az routes) before it is handled. */
  latencyMs = 0;
  /** How long each long-running operation runs before its work is done (settable while the twin runs). */
  lroDelayMs = 0;
  /**
   * `Retry-After` (whole seconds, as ARM sends it) on LRO answers. Left undefined, each answer says
   * how many whole seconds the operation still has to run (`lroDelayMs` scales it: a few seconds
   * for `npm run twin -- --lro-delay=5000`, 0 for the tests' fast operations); a number fixes it.
   */
  retryAfterSeconds: number | undefined = undefined;

  /** Registers an injected LRO ending. */
  addLro(spec: LroFaultSpec): void {
    this.lroFaults.push({ spec, seen: 0 });
  }

  /** The injected ending for an operation starting on `resourceId`, counting it against each match. */
  takeLro(resourceId: string): LroFaultSpec | undefined {
    let chosen: LroFaultSpec | undefined;
    for (const fault of this.lroFaults) {
      if (!resourceId.toLowerCase().includes(fault.spec.resourceId.toLowerCase())) continue;
      fault.seen++;
      const first = fault.spec.nth ?? 1;
      const last = first + (fault.spec.times ?? 1) - 1;
      if (!chosen && fault.seen >= first && fault.seen <= last) chosen = fault.spec;
    }
    return chosen;
  }

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
    this.lroFaults.length = 0;
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
