/** Calls the tRPC endpoint as a raw HTTP client would (curl, another language), without the client package. */

export interface RawAnswer {
  status: number;
  /** The parsed body (tRPC's superjson-wrapped shape). */
  body: unknown;
  headers: Headers;
}

export interface RawErrorShape {
  message: string;
  data: { appCode: string; httpStatus: number; fieldErrors?: Record<string, string[]>; details?: unknown };
}

export async function rawCall(
  baseUrl: string,
  path: string,
  init: { method?: string; query?: Record<string, string>; body?: string; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  const url = new URL(`${baseUrl}/api/trpc/${path}`);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the test sees the text
  }
  return { status: res.status, body, headers: res.headers };
}

/** The error of a (non-batched or first batched) answer, unwrapped from superjson's envelope. */
export function rawError(answer: RawAnswer): RawErrorShape {
  const first = Array.isArray(answer.body) ? answer.body[0] : answer.body;
  const error = (first as { error?: { json?: RawErrorShape } } | undefined)?.error?.json;
  if (!error) throw new Error(`expected an error answer, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return error;
}

/** The result data of a successful non-batched answer. */
export function rawData(answer: RawAnswer): unknown {
  const data = (answer.body as { result?: { data?: { json?: unknown } } }).result?.data;
  if (!data) throw new Error(`expected a result, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return data.json;
}
