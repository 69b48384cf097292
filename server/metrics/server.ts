import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectProcessMetrics, metricsRegistry } from './registry';

/** Where a log line goes; structural, so this folder needs nothing of the logger module. */
interface MetricsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` (Prometheus text format) on a listener of its own: the ALB forwards only the app
 * port, and the security group admits METRICS_PORT only from a scraper's group. A port that is
 * taken costs the metrics, not the service: it is logged and the service serves on without them.
 */
export async function startMetricsServer(
  at: { host: string; port: number },
  log: MetricsLog,
): Promise<MetricsServer | undefined> {
  collectProcessMetrics();
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    try {
      const body = await metricsRegistry.metrics();
      res.writeHead(200, { 'Content-Type': metricsRegistry.contentType, 'Cache-Control': 'no-store' }).end(body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`);
    }
  });
  server.keepAliveTimeout = 65_000;
  server.listen(at.port, at.host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    log.warn(
      { err: (err as Error).message, port: at.port, host: at.host },
      code === 'EADDRINUSE'
        ? `metrics: port ${at.port} is taken; serving without /metrics (set METRICS_PORT to a free port)`
        : 'metrics: could not listen; serving without /metrics',
    );
    return undefined;
  }
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`;
  log.info({ url }, 'metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
