/**
 * Group commit, for the update log (one fdatasync'ed record per flush) and
 * PostgreSQL (one multi-row INSERT per flush): the first item goes out at
 * once; items pushed while a write is in flight wait and go together in the
 * next one. Each push resolves once the write holding it is durable, or
 * rejects with that write's error.
 */
export class GroupCommit<T> {
  private queue: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    /** Makes one batch durable, in push order. */
    private readonly write: (batch: T[]) => Promise<void>,
    /**
     * A write failed: the error to reject its batch with, and whether the
     * items queued behind it are rejected with it too (the store takes no
     * more after a failed write) or still written.
     */
    private readonly failed: (error: unknown, batch: T[]) => { error: unknown; dropQueued: boolean },
  ) {}

  push(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.write(batch.map((b) => b.item));
          for (const b of batch) b.resolve();
        } catch (e) {
          const { error, dropQueued } = this.failed(
            e,
            batch.map((b) => b.item),
          );
          const rejected = dropQueued ? [...batch, ...this.queue] : batch;
          if (dropQueued) this.queue = [];
          for (const b of rejected) b.reject(error);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Resolves once everything pushed so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }
}
