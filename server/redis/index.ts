import type { MemoryStoreConfig, RedisConfig } from '../config';
import type { Logger } from '../logger';
import { createMemoryStore } from './memoryStore';
import { createRedisClient, createRedisStore } from './redisStore';
import type { KeyValueStore } from './store';

export type { KeyValueStore };

export function openKeyValueStore(cfg: RedisConfig | MemoryStoreConfig, log: Logger): KeyValueStore {
  return cfg.kind === 'redis'
    ? createRedisStore(createRedisClient(cfg, log), cfg.connectTimeoutMs)
    : createMemoryStore();
}
