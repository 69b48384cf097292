import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../../db/client';
import { rootMessage } from '../lib/errorMessage';
import { withTimeout } from '../lib/time';
import type { KeyValueStore } from '../redis';
import type { Lifecycle } from './lifecycle';

export interface DependencyHealth {
  status: 'up' | 'down';
  mode: string;
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'healthy' | 'unhealthy' | 'draining';
  database: DependencyHealth;
  redis: DependencyHealth;
  version: string;
}

export interface HealthDeps {
  database: DatabaseHandle;
  kv: KeyValueStore;
  lifecycle: Lifecycle;
  version: string;
  timeoutMs: number;
}

async function probe(mode: string, timeoutMs: number, check: () => Promise<unknown>): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    await withTimeout(check(), timeoutMs);
    return { status: 'up', mode, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: 'down', mode, latencyMs: Math.round(performance.now() - started), error: rootMessage(err) };
  }
}

/** Never throws and never takes longer than the timeout: the ALB must always get an answer. */
export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const [database, redis] = await Promise.all([
    probe(deps.database.mode, deps.timeoutMs, async () => {
      await deps.database.db.execute(sql`select 1`);
      if (!deps.lifecycle.databaseReady) {
        throw new Error(
          `migrations not applied yet${deps.lifecycle.databaseStartError ? `: ${deps.lifecycle.databaseStartError}` : ''}`,
        );
      }
    }),
    probe(deps.kv.mode, deps.timeoutMs, () => deps.kv.ping()),
  ]);
  const healthy = database.status === 'up' && redis.status === 'up';
  const status = deps.lifecycle.draining ? 'draining' : healthy ? 'healthy' : 'unhealthy';
  return { status, database, redis, version: deps.version };
}
