/**
 * Shares reads between concurrent callers without ever handing one a read older than its arrival.
 *
 * A caller that finds no read of its key under way starts one. A caller that finds one under way
 * does not join it (it may have begun before this caller's question, and so miss a change committed
 * just before the caller arrived): it waits for the next read, which starts the moment the current
 * one ends and answers everyone who arrived in the meantime. Each answer is therefore as fresh as a
 * read of the caller's own, while at most one read per key runs at a time and one more is queued,
 * however many callers there are. (The listing cache asks Postgres for its digest this way: 32
 * requests in flight cost about one digest query per round trip instead of 32.) Callers of one key
 * must ask the same question: the shared read is the `read` of whoever started it.
 */
export function freshReads<T>(): (key: string, read: () => Promise<T>) => Promise<T> {
  interface Slot {
    running: boolean;
    /** The read the callers who arrived during the running one will share, if any arrived. */
    next?: Promise<T>;
    startNext?: () => void;
  }
  const slots = new Map<string, Slot>();

  const run = (key: string, slot: Slot, read: () => Promise<T>): Promise<T> => {
    slot.running = true;
    const result = read();
    const settled = () => {
      const startNext = slot.startNext;
      slot.next = undefined;
      slot.startNext = undefined;
      if (startNext) startNext();
      else {
        slot.running = false;
        slots.delete(key);
      }
    };
    result.then(settled, settled);
    return result;
  };

  return (key, read) => {
    const slot = slots.get(key) ?? { running: false };
    slots.set(key, slot);
    if (!slot.running) return run(key, slot, read);
    if (!slot.next) {
      slot.next = new Promise<T>((resolve, reject) => {
        slot.startNext = () => run(key, slot, read).then(resolve, reject);
      });
    }
    return slot.next;
  };
}
