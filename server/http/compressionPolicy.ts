import compression from 'compression';
import type { Request, Response } from 'express';

/**
 * No compression for small bodies. compression's 1 KB threshold only works when the length is known,
 * and tRPC streams its answers without one, so every answer was gzipped: a booking's ~300-byte answer
 * cost a zlib stream, a tenth of a booking's CPU in issue 13's profile. Mutations (POST) answer with
 * one booking or cancellation, small by contract: never compressed. Reads (a listing of sessions, a
 * roster, an export) keep gzip, still subject to the threshold where the length is known.
 */
export function shouldCompress(req: Request, res: Response): boolean {
  if (req.method === 'POST') return false;
  return compression.filter(req, res);
}

export const compressLargeAnswers = () => compression({ filter: shouldCompress });
