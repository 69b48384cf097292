import { Redis } from 'ioredis';
import { inject } from 'vitest';

let sequence = 0;

/** A key prefix of this test's own, so tests share one Redis without seeing each other's keys. */
export const uniqueRedisPrefix = () => `mbt:${inject('runId')}:${process.pid}:${++sequence}:`;

/** A TCP port nothing listens on: connections to it are refused at once. */
export const DEAD_PORT = 1;

export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(inject('redisUrl'));
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
