import { Agent, request } from 'node:http';
import { type Client, createClient } from '../../client/src';

/** One HTTP request exactly as the typed client built it: method, URL, headers and body. */
export interface RecordedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** The students' one keep-alive transport: logins through the typed client, then the recorded calls. */
export const loadAgent = new Agent({ keepAlive: true });

/** What the typed client's batch link reads for a batch of one that succeeded (its data: null). */
const RECORDED_ANSWER = JSON.stringify([{ result: { data: { json: null } } }]);

/**
 * The request the typed client sends for `call`, recorded instead of sent: the client builds it (its
 * batch link, superjson, the Authorization header) and reads a stand-in answer. Recorded before a
 * workload's clock starts, then replayed by `sendRecorded`, so the load generator spends per request
 * only what node:http costs: it shares the two cores with what it measures, and building and reading
 * each call through the client cost it ~0.5 ms per booking (about a third of a server's) and, in the
 * open loop, superjson-parsing every 75 KB listing. The bytes on the wire are the client's own.
 */
export async function recordCall(
  url: string,
  token: string | undefined,
  call: (client: Client) => Promise<unknown>,
): Promise<RecordedCall> {
  let recorded: RecordedCall | undefined;
  const client = createClient({
    url,
    getToken: () => token,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const headers =
        init?.headers instanceof Headers
          ? Object.fromEntries(init.headers)
          : { ...(init?.headers as Record<string, string> | undefined) };
      const body = typeof init?.body === 'string' ? init.body : undefined;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      recorded = { method: init?.method ?? 'GET', url: String(input), headers, body };
      return new Response(RECORDED_ANSWER, { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch,
  });
  await call(client);
  if (!recorded) throw new Error('the typed client sent nothing');
  return recorded;
}

/**
 * Sends a recorded call on a keep-alive agent and names its outcome as the typed client would
 * (measure.ts outcomeOf): `ok`, an app error's code, or the transport's failure. A 200 answer to a
 * batch of one is its result (tRPC answers an error with the error's status), so a large listing is
 * not parsed; any other answer is.
 */
export function sendRecorded(call: RecordedCall, agent: Agent = loadAgent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(call.url, { agent, method: call.method, headers: call.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode === 200 ? 'ok' : outcomeOfAnswer(res.statusCode ?? 0, chunks)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

function outcomeOfAnswer(status: number, chunks: Buffer[]): string {
  let answer: unknown;
  try {
    answer = JSON.parse(Buffer.concat(chunks).toString());
  } catch {
    return `HTTP ${status}`;
  }
  const item = (Array.isArray(answer) ? answer[0] : answer) as
    | { error?: { json?: { message?: string; data?: { appCode?: unknown } } } }
    | undefined;
  const error = item?.error?.json;
  if (!error) return `HTTP ${status}`;
  return typeof error.data?.appCode === 'string'
    ? error.data.appCode
    : `TRPC_CLIENT_ERROR(${String(error.message).slice(0, 80)})`;
}
