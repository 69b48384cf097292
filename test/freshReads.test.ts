import { describe, expect, it } from 'vitest';
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
