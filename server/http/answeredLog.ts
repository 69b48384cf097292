import type { ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import { recordHttpRequest } from '../metrics/http';

/**
 * For an answer sent outside Express (the front door, the procedure lane): once it is sent, the
 * request metrics and the log line pino-http writes for Express's answers, at the level app.ts's
 * customLogLevel gives it (error from 500, warn from 400, else info). `fields` are the line's request
 * fields when `log` does not carry them already.
 */
export function recordWhenAnswered(
  res: ServerResponse,
  answer: { labels: string[]; status: number; started: number; log: Logger; fields?: object },
): void {
  res.once('finish', () => {
    const { labels, status, started, log, fields } = answer;
    const elapsedMs = performance.now() - started;
    recordHttpRequest(labels, status, elapsedMs / 1000);
    const line = { ...fields, res: { statusCode: status }, responseTime: Math.round(elapsedMs) };
    if (status >= 500) log.error({ ...line, err: new Error(`failed with status code ${status}`) }, 'request errored');
    else if (status >= 400) log.warn(line, 'request completed');
    else log.info(line, 'request completed');
  });
}
