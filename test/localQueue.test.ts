import { describe, expect, it } from 'vitest';
import { sleep } from '../server/lib/time';
import { LocalQueues } from '../server/redis/localQueue';

const timeoutError = () => new Error('BUSY');

describe('per-key local queues', () => {
  it('runs callers of one key one at a time, in arrival order, and other keys in parallel', async () => {
    const queues = new LocalQueues();
    const events: string[] = [];
    const job = (key: string, name: string, ms: number) =>
      queues.run(key, Date.now() + 5_000, timeoutError, async (waited) => {
        events.push(`start ${name}${waited ? ' (waited)' : ''}`);
        await sleep(ms);
        events.push(`end ${name}`);
        return name;
      });
    const results = await Promise.all([job('a', 'a1', 30), job('a', 'a2', 5), job('b', 'b1', 5), job('a', 'a3', 5)]);
    expect(results).toEqual(['a1', 'a2', 'b1', 'a3']);
    expect(events.filter((e) => e.includes(' a'))).toEqual([
      'start a1',
      'end a1',
      'start a2 (waited)',
      'end a2',
      'start a3 (waited)',
      'end a3',
    ]);
    expect(events.indexOf('end b1')).toBeLessThan(events.indexOf('end a1'));
    expect(queues.size).toBe(0);
  });

  it('a caller whose deadline passes gives up with the given error, and the ones behind it keep their order', async () => {
    const queues = new LocalQueues();
    const order: string[] = [];
    const first = queues.run('k', Date.now() + 5_000, timeoutError, async () => {
      await sleep(150);
      order.push('first');
    });
    const impatient = queues.run('k', Date.now() + 30, timeoutError, async () => void order.push('impatient'));
    const patient = queues.run('k', Date.now() + 5_000, timeoutError, async () => void order.push('patient'));
    await expect(impatient).rejects.toThrow('BUSY');
    await Promise.all([first, patient]);
    expect(order).toEqual(['first', 'patient']);
    expect(queues.size).toBe(0);
  });

  it('wake(key) lets each waiter settle at once without its turn; one that cannot keeps its place', async () => {
    const queues = new LocalQueues();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const holder = queues.run('k', Date.now() + 5_000, timeoutError, async () => {
      await held;
      order.push('holder');
      return 'holder';
    });
    // Two waiters can be answered early ("full"); the third cannot and must still get its turn.
    const waiter = (name: string, early: string | undefined) =>
      queues.run(
        'k',
        Date.now() + 5_000,
        timeoutError,
        async () => {
          order.push(`${name} ran`);
          return `${name} ran`;
        },
        async () => early,
      );
    const results = [waiter('w1', 'w1 early'), waiter('w2', undefined), waiter('w3', 'w3 early')];
    await sleep(20);
    queues.wake('k');
    expect(await results[0]).toBe('w1 early');
    expect(await results[2]).toBe('w3 early');
    expect(order).toEqual([]); // answered while the holder still holds the key
    release();
    expect(await holder).toBe('holder');
    expect(await results[1]).toBe('w2 ran');
    expect(order).toEqual(['holder', 'w2 ran']);
    expect(queues.size).toBe(0);
  });

  it('a failing caller frees the queue for the next one', async () => {
    const queues = new LocalQueues();
    const failing = queues.run('k', Date.now() + 1_000, timeoutError, async () => {
      throw new Error('boom');
    });
    const next = queues.run('k', Date.now() + 1_000, timeoutError, async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});
