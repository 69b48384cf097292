import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

const require = createRequire(import.meta.url);

/**
 * pino-pretty as a synchronous in-process stream (no worker thread), or undefined when it is not
 * installed: it is a development dependency, absent from a production install (`npm ci --omit=dev`).
 */
function prettyStream(): DestinationStream | undefined {
  try {
    const pretty = require('pino-pretty') as (options: object) => DestinationStream;
    return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  } catch {
    return undefined;
  }
}

/**
 * `auto` picks readable lines for a person at a terminal in development, JSON for everything else
 * (files, pipes, the CloudWatch agent, tests that parse the lines, and production always).
 */
export function resolveLogFormat(
  setting: 'auto' | LogFormat,
  env: string,
  isTerminal = Boolean(process.stdout.isTTY),
): LogFormat {
  if (setting !== 'auto') return setting;
  return env === 'development' && isTerminal ? 'pretty' : 'json';
}

export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  options: { format?: LogFormat } = {},
): Logger {
  const pretty = options.format === 'pretty' ? prettyStream() : undefined;
  const logger = pino(
    {
      level,
      base: { service: 'mocks-booking', ...base },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password'], censor: '[redacted]' },
    },
    ...(pretty ? [pretty] : []),
  );
  if (options.format === 'pretty' && !pretty)
    logger.warn('LOG_FORMAT=pretty but pino-pretty is not installed (a production install?): logging JSON');
  return logger;
}
