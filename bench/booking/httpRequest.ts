import { type Agent, request } from 'node:http';

/**
 * One HTTP request of the load generator (node:http, no fetch: the generator shares the two cores
 * with what it measures, so it should cost as little as it can). This file imports nothing of the
 * bench's run state, so tests can use what is built on it (recordedCalls.ts).
 */
export interface LoadRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends one request on `agent`, the answer's body read in full (compressed bodies are not decompressed). */
export function send(agent: Agent, { url, method, headers, body }: LoadRequest): Promise<HttpAnswer> {
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

/** One GET on a keep-alive agent. */
export const get = (agent: Agent, url: string, headers: Record<string, string>) =>
  send(agent, { url, method: 'GET', headers });

/**
 * The request a `fetch(input, init)` call of the typed client's links describes: method, URL,
 * headers (a Headers object or a plain record) and a string body, with its Content-Length.
 */
export function requestOfFetch(input: string | URL | Request, init?: RequestInit): LoadRequest {
  const body = typeof init?.body === 'string' ? init.body : undefined;
  const headers: Record<string, string> =
    init?.headers instanceof Headers
      ? Object.fromEntries(init.headers)
      : { ...(init?.headers as Record<string, string> | undefined) };
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return { method: init?.method ?? 'GET', url: String(input), headers, body };
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
    const answer = await send(agent, requestOfFetch(input, init));
    const text = answer.body.toString();
    return {
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      json: async () => JSON.parse(text),
      text: async () => text,
    } as unknown as Response;
  }) as typeof fetch;
}
