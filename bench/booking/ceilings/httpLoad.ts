import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isAborting } from '../cleanup';
import { requests, type Sample } from '../measure';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One GET on a keep-alive agent, the body read in full (compressed bodies are not decompressed). */
export function get(agent: Agent, url: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One request of any method, the body read in full. */
function send(
  agent: Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A `fetch` for the typed client made of node:http on a keep-alive agent: the client library still
 * builds every request and reads every answer (its links, superjson, its typed errors), only the
 * transport is cheaper. Node's fetch (undici, web streams) cost the load generator about as much CPU
 * per request as the server spent answering it, on the same two cores. It covers what the tRPC
 * links use: method, headers and a string body out; status and json() back. No Accept-Encoding is
 * sent, so answers come uncompressed, as a browser's would be decompressed for it.
 */
export function nodeHttpFetch(agent: Agent): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const headers: Record<string, string> = { ...(init?.headers as Record<string, string> | undefined) };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const answer = await send(agent, String(input), init?.method ?? 'GET', headers, body);
    const text = answer.body.toString();
    return {
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      json: async () => JSON.parse(text),
      text: async () => text,
    } as unknown as Response;
  }) as typeof fetch;
}

/** One request of a closed loop. */
export interface LoadRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Closed loop: `inFlight` workers each send requests back to back for `seconds`, the next one made by
 * `next`; one Sample per answer, named by `outcome`. node:http rather than fetch: the load generator
 * shares the two cores with what it measures, so it should cost as little as it can.
 */
export async function closedLoop(
  op: string,
  next: () => LoadRequest,
  outcome: (answer: HttpAnswer) => string,
  inFlight: number,
  seconds: number,
): Promise<{ samples: Sample[]; wallMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const samples: Sample[] = [];
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until && !isAborting()) {
      const { url, method, headers, body } = next();
      const start = performance.now();
      requests.inFlight++;
      try {
        const res = await send(agent, url, method, headers, body);
        const end = performance.now();
        samples.push({ op, ms: end - start, outcome: outcome(res), end });
      } catch (err) {
        const end = performance.now();
        samples.push({ op, ms: end - start, outcome: `Error(${(err as Error).message.slice(0, 60)})`, end });
      } finally {
        requests.inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const wallMs = performance.now() - t0;
  agent.destroy();
  return { samples, wallMs };
}

/** closedLoop of GETs round robin over `urls`, `ok` for a 200. */
export function closedLoopGets(
  op: string,
  urls: string[],
  headers: Record<string, string>,
  inFlight: number,
  seconds: number,
): Promise<{ samples: Sample[]; wallMs: number }> {
  let next = 0;
  return closedLoop(
    op,
    () => ({ url: urls[next++ % urls.length]!, method: 'GET', headers }),
    (res) => (res.status === 200 ? 'ok' : `HTTP ${res.status}`),
    inFlight,
    seconds,
  );
}
