import { Agent } from 'node:http';
import { type Client, createClient } from '../../client/src';
import { type LoadRequest, requestOfFetch, send } from './httpRequest';

/** One HTTP request exactly as the typed client built it: method, URL, headers and body. */
export type RecordedCall = LoadRequest;

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
      recorded = requestOfFetch(input, init);
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
export async function sendRecorded(call: RecordedCall, agent: Agent = loadAgent): Promise<string> {
  const answer = await send(agent, call);
  return answer.status === 200 ? 'ok' : outcomeOfAnswer(answer.status, answer.body);
}

function outcomeOfAnswer(status: number, body: Buffer): string {
  let answer: unknown;
  try {
    answer = JSON.parse(body.toString());
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
