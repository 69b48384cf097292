import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { inheritedEnv } from '../../../server/lib/childEnv';
import type { HttpAnswer, LoadRequest } from '../httpRequest';
import { REDIS_URL, redisPrefix } from '../settings';
import { PGBENCH_BOOKING_ARGS } from './pgbench';

const BARE_BOOKING = new URL('./bareBooking.mjs', import.meta.url).pathname;
/** Each floor process's pool: the service's DB_POOL_MAX in the bench. */
const POOL_MAX = 10;

/** One bareBooking.mjs process: the Node floor's stand-in for a service instance. */
export interface FloorServer {
  name: string;
  pid: number;
  url: string;
  stop: () => Promise<void>;
}

async function startFloorServer(databaseUrl: string, name: string): Promise<FloorServer> {
  const child = spawn(process.execPath, [BARE_BOOKING], {
    env: {
      ...inheritedEnv(),
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      KEY_PREFIX: `${redisPrefix}floor:`,
      POOL_MAX: String(POOL_MAX),
      BOOKING_ARGS: JSON.stringify(PGBENCH_BOOKING_ARGS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return {
    name,
    pid: child.pid ?? -1,
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Two floor processes, as the service runs two instances. */
export const startFloorServers = (databaseUrl: string): Promise<FloorServer[]> =>
  Promise.all([startFloorServer(databaseUrl, 'floor1'), startFloorServer(databaseUrl, 'floor2')]);

/** A floor booking of a ceiling student (pgb-c-n) on a ceiling session, sent to `server`. */
export const floorBooking = (server: FloorServer, examId: string, contactId: string): LoadRequest => ({
  url: server.url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ examId, contactId }),
});

/** A floor answer named as the service's are: `ok` for a seat, else book_seat's outcome (FULL, DUPLICATE…). */
export function floorOutcome(res: HttpAnswer): string {
  if (res.status !== 200) return `HTTP ${res.status}`;
  const outcome = (JSON.parse(res.body.toString()) as [{ result: { data: { json: { outcome: string } } } }])[0].result
    .data.json.outcome;
  return outcome === 'booked' ? 'ok' : outcome.toUpperCase();
}
