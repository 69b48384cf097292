import { withTimeout } from '../lib/time';

/**
 * In-process FIFO queues, one per key. Requests for the same session on one instance wait here, in
 * arrival order, so only the head of each queue polls the shared Redis lock: a rush of thousands of
 * requests costs Redis a few polls per session instead of thousands, and no one is starved.
 */
export class LocalQueues {
  private readonly tails = new Map<string, Promise<void>>();
  /** Per key, how to wake each caller now waiting for its turn (see wake). */
  private readonly sleepers = new Map<string, Set<() => void>>();
  private callers = 0;

  /**
   * Runs `work` when every earlier caller with the same key has finished (or given up). `onTimeout`
   * is thrown if the turn does not come by `deadline`; the queue keeps its order either way. While it
   * waits, a `wake(key)` makes it call `settleEarly`: an answer (or a throw) from it ends the wait
   * without the turn; undefined keeps its place in the line.
   */
  async run<T>(
    key: string,
    deadline: number,
    onTimeout: () => Error,
    work: (waited: boolean) => Promise<T>,
    settleEarly?: () => Promise<T | undefined>,
  ): Promise<T> {
    const previous = this.tails.get(key);
    this.callers++;
    let leave!: () => void;
    const mine = new Promise<void>((resolve) => (leave = resolve));
    // The next caller waits for both: our predecessor's turn and ours, even if we give up early.
    const tail = (previous ?? Promise.resolve()).then(() => mine);
    this.tails.set(key, tail);
    try {
      if (previous) {
        const turn = previous.then(() => 'turn' as const);
        for (;;) {
          const woken = await withTimeout(this.nextWake(key, turn), deadline - Date.now(), onTimeout);
          if (woken === 'turn') break;
          const settled = await settleEarly?.();
          if (settled !== undefined) return settled;
        }
      }
      return await work(previous !== undefined);
    } finally {
      this.callers--;
      leave();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /**
   * Tells every caller waiting for `key` to look again at once, each on its own: when the holder
   * learns that nobody behind it can succeed (a session just filled), the line drains in parallel
   * instead of one answer per turn.
   */
  wake(key: string): void {
    const sleepers = this.sleepers.get(key);
    if (!sleepers) return;
    this.sleepers.delete(key);
    for (const wakeUp of sleepers) wakeUp();
  }

  /** Resolves with 'turn' when our turn comes, or 'woken' at the next wake(key), whichever is first. */
  private nextWake(key: string, turn: Promise<'turn'>): Promise<'turn' | 'woken'> {
    let wakeUp!: () => void;
    const woken = new Promise<'woken'>((resolve) => (wakeUp = () => resolve('woken')));
    const sleepers = this.sleepers.get(key) ?? new Set<() => void>();
    this.sleepers.set(key, sleepers);
    sleepers.add(wakeUp);
    const stopListening = () => {
      if (sleepers.delete(wakeUp) && sleepers.size === 0 && this.sleepers.get(key) === sleepers)
        this.sleepers.delete(key);
    };
    return Promise.race([turn, woken]).finally(stopListening);
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
