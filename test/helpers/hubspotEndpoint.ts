import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HubSpot-shaped HTTP server with only the endpoints the sync uses (CRM v3 objects batch
 * read / update / upsert / archive and search, v4 default and labelled associations, their reads and
 * label archives), so tests drive
 * the real @hubspot/api-client. Objects live in memory per object type, each with HubSpot's
 * modification stamps (`hs_lastmodifieddate`, and `lastmodifieddate` as contacts have it), bumped by
 * every write; faults are injected per test.
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
  /** A labelled association type (e.g. 1340, "requires attendance at"); absent for the default one. */
  typeId?: number;
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
  /** Stores an object as HubSpot has it; `modifiedAt` sets its modification stamps (default: now). */
  seed(type: string, id: string, properties: Record<string, string | null>, modifiedAt?: Date): void;
  /**
   * Private-app tokens HubSpot knows, with their scopes (the token-info endpoint doctor asks); any
   * other token is refused. Unset: every token is known, with all the scopes the sync needs.
   */
  tokens?: Record<string, string[]> | undefined;
  /** Properties by `objectType/name` (the property read doctor makes); the booking key is there, unique. */
  properties: Map<string, { name: string; hasUniqueValue: boolean }>;
  /** A change made in HubSpot (staff, a purchase): the properties merge in, the stamps move to now. */
  touch(type: string, id: string, properties: Record<string, string | null>): void;
  close(): Promise<void>;
}

const now = () => new Date().toISOString();
const MODIFIED = ['hs_lastmodifieddate', 'lastmodifieddate'];
/** Sets an object's modification stamps, as HubSpot does on every write. */
function stamp(o: StoredObject, at = new Date()): void {
  o.updatedAt = at.toISOString();
  for (const name of MODIFIED) o.properties[name] = o.updatedAt;
}
const instantOf = (value: string | null | undefined) =>
  value == null ? Number.NaN : /^\d+$/.test(value) ? Number(value) : Date.parse(value);

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
}
function matches(o: StoredObject, f: Filter): boolean {
  const have = o.properties[f.propertyName];
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return have != null && have !== '';
    case 'EQ':
      return have != null && have.toLowerCase() === String(f.value).toLowerCase();
    case 'GTE':
      return instantOf(have) >= instantOf(f.value);
    case 'GT':
      return instantOf(have) > instantOf(f.value);
    case 'LTE':
      return instantOf(have) <= instantOf(f.value);
    default:
      throw new Error(`the test endpoint has no search operator ${f.operator}`);
  }
}

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
    if (path === '/oauth/v2/private-apps/get/access-token-info' && method === 'POST') {
      const scopes = endpoint.tokens
        ? endpoint.tokens[body?.tokenKey]
        : [
            'crm.objects.contacts.read',
            'crm.objects.contacts.write',
            'crm.objects.custom.read',
            'crm.objects.custom.write',
          ];
      if (!scopes) return [401, { status: 'error', category: 'INVALID_AUTHENTICATION', message: 'unknown token' }];
      return [200, { userId: 1, hubId: 4242, appId: 77, scopes }];
    }
    let m = path.match(/^\/crm\/v3\/properties\/([^/]+)\/([^/]+)$/);
    if (m && method === 'GET') {
      const p = endpoint.properties.get(`${m[1]}/${m[2]}`);
      if (!p) return [404, { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'no such property' }];
      return [
        200,
        { ...p, label: p.name, type: 'string', fieldType: 'text', groupName: 'info', description: '', options: [] },
      ];
    }
    m = path.match(/^\/crm\/v3\/objects\/([^/]+)\/search$/);
    if (m && method === 'POST') return [200, search(objects(m[1]!), body)];
    m = path.match(/^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/);
    if (m && method === 'POST') {
      const [, fromType, toType] = m as unknown as [string, string, string];
      const results = (body.inputs as Array<{ id: string }>).map((i) => ({
        from: { id: i.id },
        to: associations
          .filter((a) => a.fromType === fromType && a.toType === toType && a.fromId === i.id)
          .map((a) => ({
            toObjectId: /^\d+$/.test(a.toId) ? Number(a.toId) : a.toId,
            associationTypes: [
              a.typeId === undefined
                ? { category: 'HUBSPOT_DEFINED', typeId: 1, label: null }
                : { category: 'USER_DEFINED', typeId: a.typeId, label: 'requires attendance at' },
            ],
          })),
      }));
      return [200, batch(results.filter((r) => r.to.length > 0))];
    }
    m = path.match(/^\/crm\/v3\/objects\/([^/]+)\/batch\/(upsert|update|read)$/);
    if (m && method === 'POST') {
      const [, type, op] = m as unknown as [string, string, string];
      const map = objects(type);
      if (op === 'read') {
        // By id, or by the values of a unique property (`idProperty`), as HubSpot reads either.
        const byProperty = body.idProperty as string | undefined;
        const find = (id: string) =>
          byProperty ? [...map.values()].find((o) => o.properties[byProperty] === id) : map.get(id);
        const found = (body.inputs as Array<{ id: string }>)
          .map((i) => find(i.id))
          .filter((o): o is StoredObject => Boolean(o));
        return [200, batch(found.map((o) => view(o, body.properties)))];
      }
      if (op === 'update') {
        const missing = (body.inputs as Array<{ id: string }>).filter((i) => !map.has(i.id));
        if (missing.length > 0) return [400, { status: 'error', message: `unknown ids ${missing.map((i) => i.id)}` }];
        const results = (body.inputs as Array<{ id: string; properties: Record<string, string> }>).map((i) => {
          const o = map.get(i.id)!;
          Object.assign(o.properties, i.properties);
          stamp(o);
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
        stamp(o);
        // Like HubSpot, the answer carries the properties written (and its own stamps), not the record's
        // every property: a caller matching results by its key must send the key as a property too.
        return { ...view(o, [...Object.keys(i.properties), ...MODIFIED, 'hs_object_id']), new: isNew };
      });
      return [200, batch(results)];
    }
    m = path.match(/^\/crm\/v3\/objects\/([^/]+)\/batch\/archive$/);
    if (m && method === 'POST') {
      const map = objects(m[1]!);
      for (const { id } of body.inputs as Array<{ id: string }>) {
        map.delete(id);
        for (let i = associations.length - 1; i >= 0; i--)
          if (associations[i]!.fromId === id || associations[i]!.toId === id) associations.splice(i, 1);
      }
      return [204, null];
    }
    m = path.match(/^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/(create|labels\/archive)$/);
    if (m && method === 'POST') {
      const [, fromType, toType, op] = m as unknown as [string, string, string, string];
      type Labelled = {
        _from?: { id: string };
        from?: { id: string };
        to: { id: string };
        types: Array<{ associationTypeId: number }>;
      };
      for (const i of body.inputs as Labelled[]) {
        const fromId = (i._from ?? i.from)!.id;
        for (const { associationTypeId: typeId } of i.types) {
          const at = associations.findIndex(
            (a) =>
              a.fromType === fromType &&
              a.toType === toType &&
              a.fromId === fromId &&
              a.toId === i.to.id &&
              a.typeId === typeId,
          );
          if (op === 'create' && at < 0) associations.push({ fromType, fromId, toType, toId: i.to.id, typeId });
          if (op !== 'create' && at >= 0) associations.splice(at, 1);
        }
      }
      return op === 'create' ? [200, batch([])] : [204, null];
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

  /** CRM search: AND within a group, OR across groups, sorted by the first sort's property, paged by offset. */
  // biome-ignore lint/suspicious/noExplicitAny: the search request as sent
  function search(map: Map<string, StoredObject>, body: any) {
    const groups = (body.filterGroups ?? []) as Array<{ filters: Filter[] }>;
    const found = [...map.values()].filter(
      (o) => groups.length === 0 || groups.some((g) => g.filters.every((f) => matches(o, f))),
    );
    const sort = body.sorts?.[0];
    const by: string | undefined = typeof sort === 'string' ? sort.replace(/^-/, '') : sort?.propertyName;
    if (by) found.sort((a, b) => instantOf(a.properties[by]) - instantOf(b.properties[by]) || a.id.localeCompare(b.id));
    const limit = Math.min(Number(body.limit ?? 10), 200);
    const offset = Number(body.after ?? 0);
    const page = found.slice(offset, offset + limit);
    return {
      total: found.length,
      results: page.map((o) => view(o, body.properties ? [...body.properties, ...MODIFIED] : undefined)),
      ...(offset + limit < found.length ? { paging: { next: { after: String(offset + limit) } } } : {}),
    };
  }

  const endpoint: HubSpotEndpoint = {
    url: '',
    objects,
    associations,
    requests,
    properties: new Map([
      ['2-50158943/mocks_booking_uuid', { name: 'mocks_booking_uuid', hasUniqueValue: true }],
      ['2-50158913/mocks_booking_exam_id', { name: 'mocks_booking_exam_id', hasUniqueValue: true }],
    ]),
    failNext: (count, fault, path) => faults.push({ remaining: count, fault, path }),
    setOutage: (fault) => {
      outage = fault;
    },
    seed: (type, id, properties, modifiedAt) => {
      const o = { id, properties: { ...properties }, createdAt: now(), updatedAt: now() };
      stamp(o, modifiedAt);
      objects(type).set(id, o);
    },
    touch: (type, id, properties) => {
      const o = objects(type).get(id);
      if (!o) throw new Error(`touch: no ${type} ${id}`);
      Object.assign(o.properties, properties);
      stamp(o);
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
