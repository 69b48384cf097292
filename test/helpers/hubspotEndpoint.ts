import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HubSpot-shaped HTTP server with only the endpoints the sync uses (CRM v3 objects batch
 * read / update / upsert, v4 default associations), so tests drive the real @hubspot/api-client.
 * Objects live in memory per object type; faults are injected per test.
 */
export interface StoredObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

export interface Association {
  fromType: string;
  fromId: string;
  toType: string;
  toId: string;
}

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  body: unknown;
  status: number;
}

type Fault = { status: number; headers?: Record<string, string>; body?: unknown };

export interface HubSpotEndpoint {
  url: string;
  objects(type: string): Map<string, StoredObject>;
  associations: Association[];
  requests: RequestRecord[];
  /** Answer the next `count` requests (matching `path` if given) with this fault. */
  failNext(count: number, fault: Fault, path?: RegExp): void;
  /** Answer every request with this fault until cleared (`undefined`). */
  setOutage(fault: Fault | undefined): void;
  /** Called once the store has applied a write and before the answer is sent (e.g. to kill a worker). */
  afterWrite?: ((path: string) => Promise<void> | void) | undefined;
  seed(type: string, id: string, properties: Record<string, string | null>): void;
  close(): Promise<void>;
}

const now = () => new Date().toISOString();

export async function startHubSpotEndpoint(): Promise<HubSpotEndpoint> {
  const store = new Map<string, Map<string, StoredObject>>();
  const objects = (type: string) => {
    const map = store.get(type) ?? new Map<string, StoredObject>();
    store.set(type, map);
    return map;
  };
  let nextId = 1000;
  const associations: Association[] = [];
  const requests: RequestRecord[] = [];
  const faults: Array<{ remaining: number; fault: Fault; path?: RegExp | undefined }> = [];
  let outage: Fault | undefined;

  const batch = (results: unknown[]) => ({
    status: 'COMPLETE',
    results,
    startedAt: now(),
    completedAt: now(),
  });
  const view = (o: StoredObject, properties?: string[]) => ({
    id: o.id,
    properties: properties
      ? Object.fromEntries(properties.map((p) => [p, o.properties[p] ?? null]))
      : { ...o.properties },
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    archived: false,
  });

  // biome-ignore lint/suspicious/noExplicitAny: the request bodies of several HubSpot endpoints, read as sent
  async function route(method: string, path: string, body: any): Promise<[number, unknown]> {
    let m = path.match(/^\/crm\/v3\/objects\/([^/]+)\/batch\/(upsert|update|read)$/);
    if (m && method === 'POST') {
      const [, type, op] = m as unknown as [string, string, string];
      const map = objects(type);
      if (op === 'read') {
        const found = (body.inputs as Array<{ id: string }>)
          .map((i) => map.get(i.id))
          .filter((o): o is StoredObject => Boolean(o));
        return [200, batch(found.map((o) => view(o, body.properties)))];
      }
      if (op === 'update') {
        const missing = (body.inputs as Array<{ id: string }>).filter((i) => !map.has(i.id));
        if (missing.length > 0) return [400, { status: 'error', message: `unknown ids ${missing.map((i) => i.id)}` }];
        const results = (body.inputs as Array<{ id: string; properties: Record<string, string> }>).map((i) => {
          const o = map.get(i.id)!;
          Object.assign(o.properties, i.properties);
          o.updatedAt = now();
          return view(o);
        });
        return [200, batch(results)];
      }
      const results = (
        body.inputs as Array<{ idProperty: string; id: string; properties: Record<string, string> }>
      ).map((i) => {
        let o = [...map.values()].find((x) => x.properties[i.idProperty] === i.id);
        const isNew = !o;
        if (!o) {
          o = { id: String(nextId++), properties: { [i.idProperty]: i.id }, createdAt: now(), updatedAt: now() };
          map.set(o.id, o);
        }
        Object.assign(o.properties, i.properties);
        o.updatedAt = now();
        return { ...view(o), new: isNew };
      });
      return [200, batch(results)];
    }
    m = path.match(/^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/associate\/default$/);
    if (m && (method === 'POST' || method === 'PUT')) {
      const [, fromType, toType] = m as unknown as [string, string, string];
      const results = (body.inputs as Array<{ from: { id: string }; to: { id: string } }>).map((i) => {
        const exists = associations.some(
          (a) => a.fromType === fromType && a.toType === toType && a.fromId === i.from.id && a.toId === i.to.id,
        );
        if (!exists) associations.push({ fromType, fromId: i.from.id, toType, toId: i.to.id });
        return {
          fromObjectTypeId: fromType,
          fromObjectId: Number(i.from.id),
          toObjectTypeId: toType,
          toObjectId: Number(i.to.id),
          labels: [],
        };
      });
      return [200, batch(results)];
    }
    return [404, { status: 'error', message: `no route ${method} ${path}` }];
  }

  const endpoint: HubSpotEndpoint = {
    url: '',
    objects,
    associations,
    requests,
    failNext: (count, fault, path) => faults.push({ remaining: count, fault, path }),
    setOutage: (fault) => {
      outage = fault;
    },
    seed: (type, id, properties) => {
      objects(type).set(id, { id, properties: { ...properties }, createdAt: now(), updatedAt: now() });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body = text ? JSON.parse(text) : undefined;
    const path = (req.url ?? '').split('?')[0]!;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      requests.push({ at: Date.now(), method: req.method ?? '', path, body, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const fault = outage ?? takeFault(path);
    if (fault) return send(fault.status, fault.body ?? { status: 'error', message: 'injected' }, fault.headers);
    const [status, payload] = await route(req.method ?? '', path, body);
    if (status === 200 && endpoint.afterWrite) await endpoint.afterWrite(path);
    send(status, payload);
  });

  function takeFault(path: string): Fault | undefined {
    const entry = faults.find((f) => f.remaining > 0 && (!f.path || f.path.test(path)));
    if (!entry) return undefined;
    entry.remaining--;
    return entry.fault;
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return endpoint;
}
