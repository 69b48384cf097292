import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import superjson from 'superjson';
import { bookableExamsDigest } from '../../db/queries/exams';
import { createInnerContext, type Dependencies } from '../context';
import { AVAILABLE_PAGE_DEFAULT, type AvailableExamsInput, availableExamsInput } from '../contracts/exams';
import { freshReads } from '../lib/freshReads';
import { decodeExamCursor } from '../services/examCursor';
import { listAvailableExams } from '../services/exams';
import { envelopeProblem } from './superjsonInput';

/** Listings kept (one per distinct input and content); the oldest leaves first. ~85 KB each at most. */
const MAX_ENTRIES = 32;

export interface CachedListing {
  etag: string;
  body: Buffer;
  /** Made by the first request for this answer that accepts gzip, then kept: a client that does
   * not ask for gzip (the typed client on Node, a script) no longer pays ~1 ms of zlib per rebuild,
   * which while bookings keep changing the page is most listing requests. */
  gzipped?: Buffer;
}

export interface ListingCall {
  batch: boolean;
  input: AvailableExamsInput;
}

/** The one call's input of `GET /api/trpc/exams.available` (plain or a batch of one), or undefined. */
export function listingCallOf(query: URLSearchParams): ListingCall | undefined {
  const batch = query.get('batch') === '1';
  const raw = query.get('input') ?? undefined;
  let envelope: unknown = { json: undefined };
  if (raw !== undefined) {
    try {
      envelope = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (batch) {
    if (typeof envelope !== 'object' || envelope === null) return undefined;
    const keys = Object.keys(envelope);
    if (keys.length !== 1 || keys[0] !== '0') return undefined;
    envelope = (envelope as Record<string, unknown>)['0'];
  }
  // The transformer's own check first (server/trpc.ts): a crafted meta is tRPC's to refuse.
  if (envelopeProblem(envelope)) return undefined;
  const parsed = availableExamsInput.safeParse(superjson.deserialize(envelope as never));
  return parsed.success ? { batch, input: parsed.data ?? {} } : undefined;
}

/**
 * `exams.available` answers from a cache of finished answers (issue 13). Every request still asks
 * Postgres for the digest of the rows it would list (bookableExamsDigest: same filter, same clock), so
 * an answer is never staler than the database: a booking, a cancellation, an admin edit, a HubSpot
 * pull or raw SQL changes the digest and the next request builds a new answer. What a hit saves is
 * the work per row: drizzle's mapping, the Redis seat mirror, superjson, JSON and gzip. The digest
 * is the ETag: a client polling with If-None-Match gets 304 while nothing changed. Anything but a
 * plain well-formed call (a batch of several, a bad input) is tRPC's to answer (frontDoor.ts), as is
 * a call whose answer could not be had here (a tampered cursor, a database error): the returned
 * function rejects then.
 */
export function listingCache(deps: Dependencies): (call: ListingCall) => Promise<CachedListing> {
  const cache = new Map<string, CachedListing>();
  // Concurrent requests for one listing share a digest query that began after they arrived
  // (freshReads says why that is as fresh as one each).
  const digests = freshReads<{ now: Date; digest: string }>();
  const building = new Map<string, Promise<CachedListing>>();
  return async ({ input, batch }) => {
    const { cursor, limit = AVAILABLE_PAGE_DEFAULT, ...filter } = input;
    const key = `${batch ? 'b' : 'p'}:${JSON.stringify(input)}`;
    const after = cursor ? decodeExamCursor(cursor) : undefined;
    // One clock for the digest and the listing, so the two describe the same rows.
    const { now, digest } = await digests(key, async () => {
      const now = new Date();
      const digest = await bookableExamsDigest(deps.db, {
        ...filter,
        after,
        limit,
        now,
        cutoffMs: deps.config.booking.bookingCutoffMs,
      });
      return { now, digest };
    });
    const etag = `"${createHash('sha1').update(`${key}|${digest}`).digest('base64url')}"`;
    let entry = cache.get(key);
    if (entry?.etag !== etag) {
      // Requests that shared this digest share its build too.
      let build = building.get(etag);
      if (!build) {
        build = buildListing(deps, input, batch, now, etag).finally(() => building.delete(etag));
        building.set(etag, build);
      }
      entry = await build;
      cache.delete(key);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(key, entry);
    }
    return entry;
  };
}

async function buildListing(
  deps: Dependencies,
  input: AvailableExamsInput,
  batch: boolean,
  now: Date,
  etag: string,
): Promise<CachedListing> {
  const listing = await listAvailableExams({ ...createInnerContext(deps), now: () => now }, input);
  const answer = { result: { data: superjson.serialize(listing) } };
  const body = Buffer.from(JSON.stringify(batch ? [answer] : answer));
  return { etag, body };
}

/** Writes a cached answer as tRPC would (or 304 for the client's own ETag); returns the status sent. */
export function sendListing(req: IncomingMessage, res: ServerResponse, entry: CachedListing): number {
  res.setHeader('ETag', entry.etag);
  // Added to CORS's `Vary: Origin`, never in its place: a cache must key on both.
  const vary = res.getHeader('Vary');
  res.setHeader('Vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
  // As tRPC's responseMeta: a query read with a student's token is never kept by a browser or proxy.
  if (req.headers.authorization || req.headers.cookie) res.setHeader('Cache-Control', 'no-store');
  if (req.headers['if-none-match'] === entry.etag) {
    res.statusCode = 304;
    res.end();
    return 304;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) entry.gzipped ??= gzipSync(entry.body);
  const body = gzip ? entry.gzipped! : entry.body;
  res.setHeader('Content-Type', 'application/json');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', body.length);
  res.statusCode = 200;
  res.end(body);
  return 200;
}
