/**
 * freshReads (freshReads.ts) across keys: one read at a time, for every key its callers asked about.
 *
 * A caller who finds no read under way starts one for its key. Callers who arrive while one runs
 * wait for the next, which starts the moment the current one ends and asks for all their keys in one
 * query. So, as with freshReads, no caller is answered from a read that began before it arrived.
 *
 * Why across keys (issue 13's release): when 50 sessions fill at once, each refusal confirms "full"
 * against its session's row. freshReads merged only the callers of one session, which at that spread
 * it seldom could: ~1,180 reads for 1,600 refusals. Merged across sessions they were ~210, and the
 * release (`npm run bench -- --only spread,stampede`) took 1.43-1.60 s instead of 1.96-1.99 s, with
 * 18-30 % less server CPU. One read runs at a time, so a slow one holds up the confirmations behind
 * it, as a slow read held up its own key's callers before: DB_STATEMENT_TIMEOUT_MS bounds both.
 *
 * `readMany` gets each key once and answers with what it found; a key it left out is answered
 * undefined. A failed read fails only the callers it was for.
 */
export function freshBatchReads<T>(
  readMany: (keys: string[]) => Promise<Map<string, T>>,
): (key: string) => Promise<T | undefined> {
  interface Caller {
    resolve(value: T | undefined): void;
    reject(err: unknown): void;
  }
  let running = false;
  let waiting = new Map<string, Caller[]>();

  const run = (batch: Map<string, Caller[]>) => {
    running = true;
    const answer = (settle: (caller: Caller, key: string) => void) => {
      for (const [key, callers] of batch) for (const caller of callers) settle(caller, key);
    };
    readMany([...batch.keys()])
      .then(
        (found) => answer((caller, key) => caller.resolve(found.get(key))),
        (err: unknown) => answer((caller) => caller.reject(err)),
      )
      .then(() => {
        if (waiting.size === 0) {
          running = false;
          return;
        }
        const next = waiting;
        waiting = new Map();
        run(next);
      });
  };

  return (key) =>
    new Promise<T | undefined>((resolve, reject) => {
      const caller = { resolve, reject };
      if (!running) return run(new Map([[key, [caller]]]));
      const callers = waiting.get(key);
      if (callers) callers.push(caller);
      else waiting.set(key, [caller]);
    });
}
