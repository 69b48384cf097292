import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { type BenchStudent, expectedWins, seatChecks, shuffle } from '../data';
import { runPool, type Sample, summarize, timedOutcome, type WorkloadResult } from '../measure';
import { recordCall, sendRecorded } from '../recordedCalls';
import type { ResourceSampler } from '../resources';
import { log, SPREAD_CAPACITY, SPREAD_CONCURRENCY, SPREAD_SESSIONS } from '../settings';

/** The spread session student `n` books (1-based): round robin, so every session gets its share. */
export const spreadSessionOf = (n: number) => (n - 1) % SPREAD_SESSIONS;

/**
 * A's load: each of `bookings` recorded through the typed client, shuffled, then sent with
 * SPREAD_CONCURRENCY in flight while `sampler` watches. The warm-up (warmUp.ts) sends its own the same way.
 */
export async function spreadLoad(
  bookings: Array<{ student: BenchStudent; examId: string }>,
  sampler: ResourceSampler,
  label: string,
) {
  const samples: Sample[] = [];
  const calls = await Promise.all(
    bookings.map(({ student, examId }) =>
      recordCall(student.url, student.token, (c) => c.bookings.create.mutate({ examId, dominantHand: 'Right' })),
    ),
  );
  const tasks = shuffle(calls.map((call) => () => timedOutcome(samples, 'bookings.create', () => sendRecorded(call))));
  log(`${label}: ${tasks.length} bookings, ${SPREAD_CONCURRENCY} in flight`);
  sampler.start();
  const t0 = performance.now();
  await runPool(tasks, SPREAD_CONCURRENCY);
  const wall = performance.now() - t0;
  const resources = sampler.stop();
  const ok = samples.filter((s) => s.outcome === 'ok').length;
  log(`${label} done in ${(wall / 1000).toFixed(1)} s`);
  return { samples, wall, resources, ok };
}

/** Workload A: every student books one roomy Clinical Skills session, SPREAD_CONCURRENCY in flight. */
export async function spreadBookings(
  db: pg.Client,
  active: BenchStudent[],
  spreadExams: string[],
  sampler: ResourceSampler,
): Promise<WorkloadResult> {
  const bookings = active.map((student) => ({ student, examId: spreadExams[spreadSessionOf(student.n)]! }));
  const { samples, wall, resources, ok } = await spreadLoad(
    bookings,
    sampler,
    `workload A (${SPREAD_SESSIONS} sessions)`,
  );
  const expected = expectedWins(
    bookings.map((b) => b.examId),
    SPREAD_CAPACITY,
  );
  const checks = await seatChecks(db, 'bench-cs', ok, expected, 'cs_credits');
  return summarize(
    'A spread',
    `${SPREAD_SESSIONS} × ${SPREAD_CAPACITY} seats (Clinical Skills), ${active.length} bookings, ${SPREAD_CONCURRENCY} in flight, both instances`,
    samples,
    wall,
    resources,
    new Set(['ok']),
    checks,
  );
}
