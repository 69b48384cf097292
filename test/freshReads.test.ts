import { describe, expect, it } from 'vitest';
import { freshBatchReads } from '../server/lib/freshBatchReads';
import { freshReads } from '../server/lib/freshReads';
import { sleep } from '../server/lib/time';

/** A value that changes over time, and a read of it that takes `ms` and reports when it began. */
function slowSource(ms: number) {
  const source = { value: 0, reads: 0 };
  const read = async () => {
    source.reads++;
    const seen = { value: source.value, startedAt: performance.now() };
    await sleep(ms);
    return seen;
  };
  return { source, read };
}

describe('freshReads: concurrent callers share reads, never one older than their arrival', () => {
  it('callers who arrive during a read wait for the next one, which starts when it ends and serves them all', async () => {
    const { source, read } = slowSource(40);
    const shared = freshReads<{ value: number; startedAt: number }>();
    const first = shared('k', read);
    await sleep(10);
    source.value = 1; // committed after the first read began: the next callers must see it
    const arrivedAt = performance.now();
    const late = await Promise.all(Array.from({ length: 10 }, () => shared('k', read)));
    expect((await first).value).toBe(0);
    for (const answer of late) {
      expect(answer.value).toBe(1);
      expect(answer.startedAt).toBeGreaterThanOrEqual(arrivedAt);
    }
    expect(source.reads).toBe(2); // 11 callers, two reads
  });

  it('other keys read on their own, a failed read fails only its callers, and the key is free again after', async () => {
    const shared = freshReads<string>();
    let calls = 0;
    const failing = () => {
      calls++;
      return sleep(20).then(() => Promise.reject(new Error('db down')));
    };
    const a = shared('a', failing);
    const waiting = shared('a', failing);
    const b = shared('b', async () => 'b ok');
    await expect(a).rejects.toThrow('db down');
    await expect(waiting).rejects.toThrow('db down');
    await expect(b).resolves.toBe('b ok');
    expect(calls).toBe(2);
    await expect(shared('a', async () => 'a ok')).resolves.toBe('a ok');
  });
});

describe('freshBatchReads: one read at a time for every key asked, never one older than the caller', () => {
  /** Values per key that change over time; each read reports its keys and when it began. */
  function batchSource(ms: number) {
    const values = new Map<string, number>([
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]);
    const reads: string[][] = [];
    const readMany = async (keys: string[]) => {
      reads.push(keys);
      const startedAt = performance.now();
      const seen = new Map(keys.filter((k) => values.has(k)).map((k) => [k, { value: values.get(k)!, startedAt }]));
      await sleep(ms);
      return seen;
    };
    return { values, reads, readMany };
  }

  it('callers who arrive during a read share the next one, which asks for all their keys once', async () => {
    const { values, reads, readMany } = batchSource(40);
    const shared = freshBatchReads(readMany);
    const first = shared('a');
    await sleep(10);
    values.set('a', 1); // committed after the first read began: the next callers must see it
    values.set('b', 1);
    const arrivedAt = performance.now();
    const late = await Promise.all(['a', 'b', 'a', 'c', 'b', 'a'].map((key) => shared(key)));
    expect((await first)?.value).toBe(0);
    expect(late.map((answer) => answer?.value)).toEqual([1, 1, 1, 0, 1, 1]);
    for (const answer of late) expect(answer!.startedAt).toBeGreaterThanOrEqual(arrivedAt);
    expect(reads).toEqual([['a'], ['a', 'b', 'c']]); // 7 callers, two reads
  });

  it('a key the read did not find is undefined, a failed read fails only its callers, and reads go on after', async () => {
    let fail = true;
    const shared = freshBatchReads(async (keys: string[]) => {
      await sleep(20);
      if (fail && keys.includes('a')) throw new Error('db down');
      return new Map(keys.filter((k) => k !== 'gone').map((k) => [k, `${k} ok`]));
    });
    const a = shared('a');
    const waiting = [shared('b'), shared('gone')];
    await expect(a).rejects.toThrow('db down');
    await expect(Promise.all(waiting)).resolves.toEqual(['b ok', undefined]);
    fail = false;
    await expect(shared('a')).resolves.toBe('a ok');
  });
});
