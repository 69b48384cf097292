import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { type BenchStudent, expectedWins, seatChecks, shuffle } from '../data';
import { runPool, type Sample, summarize, timedOutcome, type WorkloadResult } from '../measure';
import { recordCall, sendRecorded } from '../recordedCalls';
import type { ResourceSampler } from '../resources';
import { log, SPREAD_CAPACITY, SPREAD_CONCURRENCY, SPREAD_SESSIONS } from '../settings';

/** The spread session student `n` books (1-based): round robin, so every session gets its share. */
export const spreadSessionOf = (n: number) => (n - 1) % SPREAD_SESSIONS;

/** Workload A: every student books one roomy Clinical Skills session, SPREAD_CONCURRENCY in flight. */
export async function spreadBookings(
  db: pg.Client,
  active: BenchStudent[],
  spreadExams: string[],
  sampler: ResourceSampler,
): Promise<WorkloadResult> {
  const samples: Sample[] = [];
  const targets: string[] = [];
  const tasks = await Promise.all(
    active.map(async (student) => {
      const examId = spreadExams[spreadSessionOf(student.n)]!;
      targets.push(examId);
      const call = await recordCall(student.url, student.token, (c) =>
        c.bookings.create.mutate({ examId, dominantHand: 'Right' }),
      );
      return () => timedOutcome(samples, 'bookings.create', () => sendRecorded(call));
    }),
  );
  shuffle(tasks);
  log(`workload A: ${tasks.length} bookings over ${SPREAD_SESSIONS} sessions, ${SPREAD_CONCURRENCY} in flight`);
  sampler.start();
  const t0 = performance.now();
  await runPool(tasks, SPREAD_CONCURRENCY);
  const wall = performance.now() - t0;
  const resources = sampler.stop();
  const ok = samples.filter((s) => s.outcome === 'ok').length;
  const expected = expectedWins(targets, SPREAD_CAPACITY);
  const checks = await seatChecks(db, 'bench-cs', ok, expected, 'cs_credits');
  log(`workload A done in ${(wall / 1000).toFixed(1)} s`);
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
