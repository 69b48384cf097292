import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../../db/client';
import { rootMessage } from '../lib/errorMessage';
import { withTimeout } from '../lib/time';
import type { KeyValueStore } from '../redis';
import { type CoarseReason, coarseReason, DatabaseNotReadyError } from './healthReason';
import type { Lifecycle } from './lifecycle';

/** One dependency as the public health body shows it: up or down, and if down a coarse reason. */
export interface DependencyHealth {
  status: 'up' | 'down';
  mode: string;
  latencyMs: number;
  reason?: CoarseReason;
}

/**
 * - healthy: both dependencies up;
 * - degraded: Postgres up, Redis down. Bookings stay correct on Postgres row locks, so the instance
 *   keeps serving (200): a Redis failover must not take every instance out of the ALB at once;
 * - unhealthy: Postgres unreachable or not migrated yet (503);
 * - draining: shutting down (503), whatever the dependencies say.
 */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'draining';

export interface HealthReport {
  status: HealthStatus;
  database: DependencyHealth;
  redis: DependencyHealth;
  version: string;
}

/** The report with the driver's own words for each failure: for the log only (and its alarms). */
export interface DetailedHealthReport extends HealthReport {
  database: DependencyHealth & { error?: string };
  redis: DependencyHealth & { error?: string };
}

export interface HealthDeps {
  database: DatabaseHandle;
  kv: KeyValueStore;
  lifecycle: Lifecycle;
  version: string;
  timeoutMs: number;
}

async function probe(mode: string, timeoutMs: number, check: () => Promise<unknown>) {
  const started = performance.now();
  try {
    await withTimeout(check(), timeoutMs);
    return { status: 'up' as const, mode, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      status: 'down' as const,
      mode,
      latencyMs: Math.round(performance.now() - started),
      reason: coarseReason(err),
      error: rootMessage(err),
    };
  }
}

function statusOf(draining: boolean, database: DependencyHealth, redis: DependencyHealth): HealthStatus {
  if (draining) return 'draining';
  if (database.status === 'down') return 'unhealthy';
  return redis.status === 'down' ? 'degraded' : 'healthy';
}

/** Never throws and never takes longer than the timeout: the ALB must always get an answer. */
export async function checkHealth(deps: HealthDeps): Promise<DetailedHealthReport> {
  const [database, redis] = await Promise.all([
    probe(deps.database.mode, deps.timeoutMs, async () => {
      await deps.database.db.execute(sql`select 1`);
      if (!deps.lifecycle.databaseReady) {
        const why = deps.lifecycle.databaseStartError;
        throw new DatabaseNotReadyError(`migrations not applied yet${why ? `: ${why}` : ''}`);
      }
    }),
    probe(deps.kv.mode, deps.timeoutMs, () => deps.kv.ping()),
  ]);
  return { status: statusOf(deps.lifecycle.draining, database, redis), database, redis, version: deps.version };
}

/** What the route answers: the same report without the driver's text. */
export function publicHealth(report: DetailedHealthReport): HealthReport {
  const { error: _dbError, ...database } = report.database;
  const { error: _redisError, ...redis } = report.redis;
  return { ...report, database, redis };
}

/** The ALB's view (`/api/health`): in service unless draining or Postgres is unusable. */
export const servesTraffic = (report: HealthReport) => report.status === 'healthy' || report.status === 'degraded';

/** The strict view (`/api/ready`, `/api/health?strict=1`): every dependency up and not draining. */
export const fullyReady = (report: HealthReport) => report.status === 'healthy';
