import { Counter, Gauge } from 'prom-client';
import { metricsRegistry, PREFIX } from './registry';

/** What a pg.Pool tells about itself (structural, so this module imports no driver). */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

const pools = new Map<string, Set<PoolCounts>>();

new Gauge({
  name: `${PREFIX}pg_pool_connections`,
  help: 'Postgres pool connections by pool (main, booking) and state: total, idle, and waiting (callers queued for one)',
  labelNames: ['pool', 'state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const [pool, members] of pools) {
      let total = 0;
      let idle = 0;
      let waiting = 0;
      for (const p of members) {
        total += p.totalCount;
        idle += p.idleCount;
        waiting += p.waitingCount;
      }
      this.set({ pool, state: 'total' }, total);
      this.set({ pool, state: 'idle' }, idle);
      this.set({ pool, state: 'waiting' }, waiting);
    }
  },
});

/** Reports a pool under `name` until the returned function is called (when the pool is closed). */
export function watchPool(name: string, pool: PoolCounts): () => void {
  const members = pools.get(name) ?? new Set<PoolCounts>();
  pools.set(name, members);
  members.add(pool);
  return () => members.delete(pool);
}

const redisProbes = new Set<() => Promise<boolean>>();

new Gauge({
  name: `${PREFIX}redis_up`,
  help: '1 when Redis answers PING at scrape time, 0 when not (bookings then run on Postgres row locks alone)',
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    if (redisProbes.size === 0) return;
    const answers = await Promise.all([...redisProbes].map((probe) => probe().catch(() => false)));
    this.set(answers.every(Boolean) ? 1 : 0);
  },
});

/** `probe` resolves true when Redis answers (bounded by its own timeout). */
export function watchRedis(probe: () => Promise<boolean>): () => void {
  redisProbes.add(probe);
  return () => redisProbes.delete(probe);
}

export const secretReads = new Counter({
  name: `${PREFIX}secret_reads_total`,
  help: 'Secrets Manager reads: "initial" (first read of a secret) or "reread" (after a rotation, e.g. on 28P01), by outcome',
  labelNames: ['kind', 'outcome'] as const,
  registers: [metricsRegistry],
});

/** Wraps a secret reader so every read is counted, first reads apart from re-reads. */
export function countedSecretReader(
  read: (secretId: string) => Promise<string>,
): (secretId: string) => Promise<string> {
  const seen = new Set<string>();
  return async (secretId) => {
    const kind = seen.has(secretId) ? 'reread' : 'initial';
    seen.add(secretId);
    try {
      const value = await read(secretId);
      secretReads.inc({ kind, outcome: 'ok' });
      return value;
    } catch (err) {
      secretReads.inc({ kind, outcome: 'error' });
      throw err;
    }
  };
}
