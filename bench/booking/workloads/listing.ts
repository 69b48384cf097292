import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { closedLoopGets } from '../ceilings/httpLoad';
import type { ServerProcess } from '../cleanup';
import { get } from '../httpRequest';
import { summarize, type WorkloadResult } from '../measure';
import type { ResourceSampler } from '../resources';
import { LISTING_CONCURRENCY, LISTING_SECONDS, log } from '../settings';

const BARE_SERVER = new URL('../ceilings/bareServer.mjs', import.meta.url).pathname;
/** What a browser sends: the service may compress, the bare server never does. */
const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate, br' };

const listingUrl = (s: ServerProcess) => `${s.url}/api/trpc/exams.available`;

async function startBareServer(body: Buffer, contentType: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mb-bench-bare-'));
  const file = join(dir, 'body');
  writeFileSync(file, body);
  const child = spawn(process.execPath, [BARE_SERVER, file, contentType], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return {
    pid: child.pid ?? -1,
    url: `http://127.0.0.1:${port}/api/trpc/exams.available`,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Workload C: exams.available with no filter (the default page of the 550 bookable sessions),
 * LISTING_CONCURRENCY in flight on both instances, then the same load on a bare node:http server
 * sending the bytes the service sent. Returns the service's result and the ceiling's.
 */
export async function listingAgainstBare(
  servers: ServerProcess[],
  sampler: ResourceSampler,
): Promise<{ service: WorkloadResult; bare: WorkloadResult }> {
  const probe = new Agent({ keepAlive: false });
  const first = await get(probe, listingUrl(servers[0]!), {});
  const contentType = String(first.headers['content-type'] ?? 'application/json');
  const listed = (JSON.parse(first.body.toString()) as { result?: { data?: { json?: unknown[] } } }).result?.data?.json;
  const sessions = Array.isArray(listed) ? listed.length : -1;
  log(
    `workload C: exams.available lists ${sessions} sessions in ${first.body.length} bytes; ${LISTING_CONCURRENCY} in flight`,
  );

  sampler.start();
  const service = await closedLoopGets(
    'exams.available',
    servers.map(listingUrl),
    BROWSER_HEADERS,
    LISTING_CONCURRENCY,
    LISTING_SECONDS,
  );
  const serviceResources = sampler.stop();

  const bare = await startBareServer(first.body, contentType);
  const bareSampler = sampler.alsoWatching([{ name: 'bare', pid: bare.pid }]);
  bareSampler.start();
  const ceiling = await closedLoopGets(
    'bare node:http',
    [bare.url],
    BROWSER_HEADERS,
    LISTING_CONCURRENCY,
    LISTING_SECONDS,
  );
  const bareResources = bareSampler.stop();
  await bare.stop();

  const answered = (r: { samples: { outcome: string }[] }) => r.samples.filter((s) => s.outcome === 'ok').length;
  return {
    service: summarize(
      'C listing',
      `exams.available, no filter, ${LISTING_CONCURRENCY} in flight for ${LISTING_SECONDS} s on both instances (browser Accept-Encoding)`,
      service.samples,
      service.wallMs,
      serviceResources,
      new Set(['ok']),
      [
        {
          name: 'the listing shows the bookable sessions',
          pass: sessions > 0 && answered(service) > 0,
          detail: `${sessions} sessions per answer (${first.body.length} bytes uncompressed)`,
        },
      ],
    ),
    bare: summarize(
      'C ceiling',
      `a bare node:http server sending the same ${first.body.length} bytes, ${LISTING_CONCURRENCY} in flight for ${LISTING_SECONDS} s, one process`,
      ceiling.samples,
      ceiling.wallMs,
      bareResources,
      new Set(['ok']),
    ),
  };
}
