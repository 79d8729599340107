/** Writing one run's journal: queued, checked, whole. */
import type { JournalStep, RunDocument } from './journal-types.ts';
import { assertPlainJson } from './plain-json.ts';
import { assertNoSecrets } from './secret-scrubber.ts';

/**
 * Changes one run's journal. Writes are queued, so concurrent steps never interleave a write, and each
 * change is checked on a copy first: a change that would write a secret throws and is not kept.
 */
export class RunWriter {
  #document: RunDocument;
  #queue: Promise<void> = Promise.resolve();
  readonly #write: (document: RunDocument) => Promise<void>;
  readonly #now: () => number;

  constructor(document: RunDocument, write: (document: RunDocument) => Promise<void>, now: () => number) {
    this.#document = document;
    this.#write = write;
    this.#now = now;
  }

  get runId(): string {
    return this.#document.runId;
  }

  /** A copy of the journal as last written. */
  get document(): RunDocument {
    return structuredClone(this.#document);
  }

  /** Applies `change` to a copy, checks it, and writes it; resolves once it is on disk. */
  update(change: (document: RunDocument) => void): Promise<void> {
    const next = this.#queue.then(async () => {
      const draft = structuredClone(this.#document);
      change(draft);
      draft.updatedAt = new Date(this.#now()).toISOString();
      checkWritable(draft);
      await this.#write(draft);
      this.#document = draft;
    });
    // A failed write must not block the ones after it; the caller of this one sees the error.
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Updates one step by id. */
  updateStep(id: string, change: (step: JournalStep, document: RunDocument) => void): Promise<void> {
    return this.update((document) => {
      const step = document.steps.find((s) => s.id === id);
      if (!step) throw new Error(`the journal of run ${document.runId} has no step ${id}`);
      change(step, document);
    });
  }
}

/** Refuses a journal that is not plain JSON or holds what looks like a secret. */
export function checkWritable(document: RunDocument): void {
  assertPlainJson(document, 'journal');
  assertNoSecrets(document, 'journal');
}
