import { performance } from 'node:perf_hooks';
import { createClient } from '../../../client/src';
import type { Student } from '../data';
import { nodeHttpFetch } from '../httpRequest';
import { runPool, type Sample, stats, summarize, timed, type WorkloadResult } from '../measure';
import { loadAgent } from '../recordedCalls';
import { formatOutcomes } from '../report';
import type { ResourceSampler } from '../resources';
import { LOGIN_CONCURRENCY, log } from '../settings';

/** Every student logs in once, alternating instances; each then gets a client on its instance. */
export async function loginEveryone(
  students: Student[],
  trpcUrls: string[],
  sampler: ResourceSampler,
): Promise<WorkloadResult> {
  // One keep-alive transport for every student's requests (a socket per request in flight, as browsers
  // behind an ALB would open), the workloads' recorded calls included: what the load generator spends
  // per request should be small.
  const fetch = nodeHttpFetch(loadAgent);
  const anonymous = trpcUrls.map((url) => createClient({ url, fetch }));
  const samples: Sample[] = [];
  sampler.start();
  const t0 = performance.now();
  await runPool(
    students.map((student, i) => async () => {
      const session = await timed(samples, 'auth.login', () =>
        anonymous[i % trpcUrls.length]!.auth.login.mutate({ studentId: student.studentId, email: student.email }),
      );
      if (session) student.token = session.token;
    }),
    LOGIN_CONCURRENCY,
  );
  const wall = performance.now() - t0;
  const loggedIn = students.filter((s) => s.token).length;
  const result = summarize(
    'login',
    `${students.length} logins, ${LOGIN_CONCURRENCY} in flight, both instances`,
    samples,
    wall,
    sampler.stop(),
    new Set(['ok']),
    [{ name: 'every student logged in', pass: loggedIn === students.length, detail: `${loggedIn}/${students.length}` }],
  );
  log(`logged in ${loggedIn}/${students.length} in ${(wall / 1000).toFixed(1)} s`);
  if (loggedIn === 0) throw new Error(`no student could log in: ${formatOutcomes(stats(samples).outcomes)}`);
  students.forEach((student, i) => {
    const token = student.token;
    student.url = trpcUrls[i % trpcUrls.length]!;
    student.client = createClient({ url: student.url, getToken: () => token, fetch });
  });
  return result;
}
