import { readFileSync } from 'node:fs';

/** The service version reported by /api/health, read from package.json so a release bump is enough. */
export const serviceVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
