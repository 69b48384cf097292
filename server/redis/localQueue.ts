import { withTimeout } from '../lib/time';

/**
 * In-process FIFO queues, one per key. Requests for the same session on one instance wait here, in
 * arrival order, so only the head of each queue polls the shared Redis lock: a rush of thousands of
 * requests costs Redis a few polls per session instead of thousands, and no one is starved.
 */
export class LocalQueues {
  private readonly tails = new Map<string, Promise<void>>();
  private callers = 0;

  /**
   * Runs `work` when every earlier caller with the same key has finished (or given up). `onTimeout`
   * is thrown if the turn does not come by `deadline`; the queue keeps its order either way.
   */
  async run<T>(
    key: string,
    deadline: number,
    onTimeout: () => Error,
    work: (waited: boolean) => Promise<T>,
  ): Promise<T> {
    const previous = this.tails.get(key);
    this.callers++;
    let leave!: () => void;
    const mine = new Promise<void>((resolve) => (leave = resolve));
    // The next caller waits for both: our predecessor's turn and ours, even if we give up early.
    const tail = (previous ?? Promise.resolve()).then(() => mine);
    this.tails.set(key, tail);
    try {
      if (previous) await withTimeout(previous, deadline - Date.now(), onTimeout);
      return await work(previous !== undefined);
    } finally {
      this.callers--;
      leave();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with someone queued or running (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }

  /** Callers queued or running, over all keys (the queue-length metric). */
  get length(): number {
    return this.callers;
  }
}
