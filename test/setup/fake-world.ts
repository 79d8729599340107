/**
 * A stand-in for Azure in the step engine's tests: named things with a value, fake steps that create
 * them and undo that verifies ownership, with counters and a log that show what ran when. A file-backed
 * world lets a child process make changes that the test sees after killing it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  type HandOff,
  handOff,
  type Step,
  type StepContext,
  type StepUndoer,
  type UndoRecord,
} from '../../source/engine/step.ts';

export interface WorldStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  snapshot(): Record<string, string>;
}

export class MemoryStore implements WorldStore {
  readonly #things = new Map<string, string>();
  get(key: string) {
    return this.#things.get(key);
  }
  set(key: string, value: string) {
    this.#things.set(key, value);
  }
  delete(key: string) {
    this.#things.delete(key);
  }
  snapshot() {
    return Object.fromEntries([...this.#things].sort());
  }
}

/** Every change goes straight to a JSON file, so a killed process leaves its changes behind. */
export class FileStore implements WorldStore {
  constructor(readonly file: string) {}
  #read(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return {};
    }
  }
  get(key: string) {
    return this.#read()[key];
  }
  set(key: string, value: string) {
    writeFileSync(this.file, JSON.stringify({ ...this.#read(), [key]: value }));
  }
  delete(key: string) {
    const things = this.#read();
    delete things[key];
    writeFileSync(this.file, JSON.stringify(things));
  }
  snapshot() {
    return Object.fromEntries(Object.entries(this.#read()).sort());
  }
}

export interface FakeStepOptions {
  id: string;
  resource?: string;
  after?: string[];
  consent?: string;
  timeoutMs?: number;
  /** Runs inside apply before the change (wait for a barrier, fail, hang...). */
  beforeChange?: (ctx: StepContext) => Promise<void>;
  /** Runs inside apply after the change and before the record is returned. */
  afterChange?: (ctx: StepContext) => Promise<void>;
  /** Runs inside undo before it looks at the world. */
  beforeUndo?: (signal: AbortSignal) => Promise<void>;
  /** Write the record to the journal before the change. */
  checkpoint?: boolean;
  /** Extra fields in the undo record (to test what the journal refuses). */
  extraRecord?: Record<string, unknown>;
  /** End as handed off with this script path instead of changing anything. */
  handOffScript?: string;
  /** Throw from apply (nothing changed). */
  failWith?: string;
}

export interface FakeStep extends Step, StepUndoer {
  calls: { isDone: number; apply: number; undo: number };
}

/**
 * Steps as the undo table `undoFromJournal` takes: a fake step checks its own records; any other
 * step's records are taken as they are.
 */
export function undoersOf(steps: readonly Step[]): StepUndoer[] {
  return steps.map((step) => ({
    checkRecord: () => [],
    ...step,
  }));
}

export class FakeWorld {
  readonly log: string[] = [];
  readonly #active = new Map<string, number>();
  /** The most applies ever running at once, per resource (lower-cased) and in total. */
  readonly maxActive = new Map<string, number>();
  maxActiveTotal = 0;
  readonly #started = new Map<string, () => void>();
  readonly #startedPromises = new Map<string, Promise<void>>();

  constructor(readonly store: WorldStore = new MemoryStore()) {}

  /** Resolves once the step's apply has started. */
  started(id: string): Promise<void> {
    if (!this.#startedPromises.has(id)) {
      this.#startedPromises.set(id, new Promise((resolve) => this.#started.set(id, resolve)));
    }
    return this.#startedPromises.get(id)!;
  }

  step(options: FakeStepOptions): FakeStep {
    const world = this;
    const resource = options.resource ?? `/things/${options.id}`;
    const calls = { isDone: 0, apply: 0, undo: 0 };
    return {
      id: options.id,
      title: `Thing ${options.id}`,
      resource,
      after: options.after,
      consent: options.consent,
      timeoutMs: options.timeoutMs,
      calls,
      preview: () => [`create thing ${options.id}`],
      async isDone() {
        calls.isDone += 1;
        return world.store.get(options.id) !== undefined;
      },
      async apply(ctx): Promise<UndoRecord | HandOff> {
        calls.apply += 1;
        world.log.push(`start ${options.id}`);
        void world.started(options.id);
        world.#started.get(options.id)?.();
        const key = resource.toLowerCase();
        const active = (world.#active.get(key) ?? 0) + 1;
        world.#active.set(key, active);
        world.maxActive.set(key, Math.max(world.maxActive.get(key) ?? 0, active));
        const total = [...world.#active.values()].reduce((a, b) => a + b, 0);
        world.maxActiveTotal = Math.max(world.maxActiveTotal, total);
        try {
          const record = { thing: options.id, value: `${ctx.runId}:${options.id}`, ...options.extraRecord };
          if (options.checkpoint) await ctx.checkpoint({ thing: options.id, value: record.value });
          await options.beforeChange?.(ctx);
          await tick();
          if (options.failWith) throw new Error(options.failWith);
          if (options.handOffScript) return handOff(options.handOffScript, `statements for ${options.id}`);
          ctx.progress(`creating ${options.id}`);
          world.store.set(options.id, record.value);
          await options.afterChange?.(ctx);
          return record as UndoRecord;
        } finally {
          world.#active.set(key, (world.#active.get(key) ?? 1) - 1);
          world.log.push(`end ${options.id}`);
        }
      },
      async undo(ctx, record) {
        calls.undo += 1;
        world.log.push(`undo ${options.id}`);
        await options.beforeUndo?.(ctx.signal);
        const current = world.store.get(String(record.thing));
        if (current === undefined)
          return { status: 'already-gone', reason: `thing ${record.thing} is not there` };
        if (current !== record.value) {
          return { status: 'changed-since', reason: `thing ${record.thing} now holds ${current}` };
        }
        world.store.delete(String(record.thing));
        return { status: 'undone' };
      },
      manualUndo: (record) => [`fake-cli delete thing ${record.thing}`],
      // The fake's mark: the value a run writes is `<run id>:<step id>`.
      checkRecord: (record, origin) =>
        record.thing === options.id && record.value === `${origin.runId}:${options.id}`
          ? []
          : [`record is not one run ${origin.runId} wrote for ${options.id}`],
    };
  }
}

/** Lets other promises run, so a step's apply really yields between its start and its end. */
export function tick(ms = 5): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the signal aborts, then throws its reason (a step that honours Ctrl-C). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Resolves when `promise` does, or rejects after `ms` naming what never happened. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} never happened`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
