// Workload A's Node floor: the least a Node server can spend on a booking. node:http, the JSON body,
// the booking's three Redis round trips as the service makes them (rate limit with the seat counter's
// read, the session lock, the release with the counter's write) and book_seat as one prepared
// statement on a pg pool. No framework, session token, validation, log line or metric: what the
// service spends beyond this is its own. Plain JavaScript, run with `node` alone (no TypeScript loader).
// Usage: node bareBooking.mjs, with DATABASE_URL, REDIS_URL, KEY_PREFIX, POOL_MAX and BOOKING_ARGS (the
// JSON of book_seat's three last arguments: details, rules, session); prints {"port": n} once listening.
// POST / with {"examId", "contactId"}: 200 and book_seat's outcome as tRPC would wrap it.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';

const { DATABASE_URL, REDIS_URL, KEY_PREFIX, POOL_MAX, BOOKING_ARGS } = process.env;
const [details, rules, session] = JSON.parse(BOOKING_ARGS);
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: Number(POOL_MAX) });
const redis = new Redis(REDIS_URL, { keyPrefix: KEY_PREFIX, enableAutoPipelining: true });
const BOOK = 'SELECT book_seat($1, $2, NULL, now(), 0, $3::jsonb, $4::jsonb, $5::jsonb) AS outcome';
// Compare-and-delete, sent by its SHA as the service's release is.
redis.defineCommand('unlock', {
  numberOfKeys: 1,
  lua: "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
});

async function book(examId, contactId) {
  // One write: the rate limit and the seat counter's read (auto-pipelined, as the service's).
  await Promise.all([
    redis.incr(`rate:${contactId}`),
    redis.pexpire(`rate:${contactId}`, 60_000),
    redis.mget(`seats:${examId}`),
  ]);
  const token = randomUUID();
  await redis.set(`lock:${examId}`, token, 'PX', 5_000, 'NX');
  const { rows } = await pool.query({ name: 'book', text: BOOK, values: [examId, contactId, details, rules, session] });
  await Promise.all([redis.set(`seats:${examId}`, '1', 'PX', 60_000), redis.unlock(`lock:${examId}`, token)]);
  return rows[0].outcome;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let call;
    try {
      call = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('not JSON');
      return;
    }
    book(call.examId, call.contactId).then(
      (outcome) => {
        const body = JSON.stringify([{ result: { data: { json: outcome } } }]);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (err) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      },
    );
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => {
  server.close();
  Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
});
