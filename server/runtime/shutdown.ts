import type { Server } from 'node:http';
import { sleep, withTimeout } from '../lib/time';
import type { Logger } from '../logger';
import type { Lifecycle } from './lifecycle';

export interface ShutdownDeps {
  server: Server;
  lifecycle: Lifecycle;
  logger: Logger;
  settings: { drainDelayMs: number; timeoutMs: number };
  reason: string;
}

/**
 * The ALB-friendly order: report "draining" at once so the target is taken out of rotation, keep
 * serving for the drain delay (requests routed before the ALB noticed still arrive), then stop
 * accepting, let in-flight requests finish (bounded by the timeout), and only then close the
 * dependencies those requests were using.
 */
export async function gracefulShutdown(deps: ShutdownDeps, closeDependencies: () => Promise<void>): Promise<void> {
  const { server, lifecycle, logger, settings } = deps;
  if (lifecycle.draining) return;
  lifecycle.draining = true;
  logger.info({ reason: deps.reason, drainDelayMs: settings.drainDelayMs }, 'shutdown: draining');
  await sleep(settings.drainDelayMs);

  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => {
    logger.warn({ timeoutMs: settings.timeoutMs }, 'shutdown: in-flight requests did not finish in time; closing them');
    server.closeAllConnections();
  }, settings.timeoutMs);
  await closed;
  clearTimeout(force);

  // A dependency that never answers (a connect stuck on a dead host) must not keep the process alive.
  await withTimeout(closeDependencies(), settings.timeoutMs).catch((err: unknown) =>
    logger.warn({ err }, 'shutdown: closing dependencies did not finish; exiting anyway'),
  );
  logger.info('shutdown: complete');
}
