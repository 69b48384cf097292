import type express from 'express';
import type { DatabaseHandle } from '../../db/client';
import type { Logger } from '../logger';
import type { KeyValueStore } from '../redis';
import { checkHealth, type DetailedHealthReport, fullyReady, publicHealth, servesTraffic } from '../runtime/health';
import type { Lifecycle } from '../runtime/lifecycle';

export interface HealthRouteDeps {
  database: DatabaseHandle;
  kv: KeyValueStore;
  lifecycle: Lifecycle;
  logger: Logger;
  version: string;
  timeoutMs: number;
}

/** Paths the load balancer and probes poll: only their failures are worth a request log line. */
export const HEALTH_PATHS = ['/api/health', '/api/ready'];

/**
 * `/api/health` is what the ALB checks: 200 while this instance can serve bookings (Postgres up,
 * Redis up or down: "degraded"), 503 while draining or without Postgres. `/api/ready` (and
 * `/api/health?strict=1`) is the strict view: 200 only with every dependency up. The body names the
 * dependency and a coarse reason; the driver's own message is logged as `health.<dep>.error`
 * (docs/OPERATIONS.md §4; the credential alarm reads `$.health.database.error`).
 */
export function mountHealthRoutes(app: express.Express, deps: HealthRouteDeps): void {
  const answer = async (res: express.Response, strict: boolean) => {
    const report: DetailedHealthReport = await checkHealth(deps);
    if (report.status !== 'healthy') deps.logger.warn({ health: report }, `health: ${report.status}`);
    const ok = strict ? fullyReady(report) : servesTraffic(report);
    res
      .status(ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(publicHealth(report));
  };
  app.get('/api/health', (req, res) => answer(res, req.query.strict === '1' || req.query.strict === 'true'));
  app.get('/api/ready', (_req, res) => answer(res, true));
}
