import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { type BenchStudent, expectedWins, pick, seatChecks, shuffle } from '../data';
import { runPool, type Sample, summarize, timed, type WorkloadResult } from '../measure';
import type { ResourceSampler } from '../resources';
import { log, SPREAD_CAPACITY, SPREAD_CONCURRENCY, SPREAD_READS_PER_BOOKING, SPREAD_SESSIONS } from '../settings';

/** Workload A: every student books a random Clinical Skills session, with reads mixed in. */
export async function spreadBookings(
  db: pg.Client,
  active: BenchStudent[],
  spreadExams: string[],
  sampler: ResourceSampler,
): Promise<WorkloadResult> {
  const samples: Sample[] = [];
  const targets: string[] = [];
  const tasks: Array<() => Promise<unknown>> = [];
  for (const student of active) {
    const examId = pick(spreadExams);
    targets.push(examId);
    tasks.push(() =>
      timed(samples, 'bookings.create', () => student.client.bookings.create.mutate({ examId, dominantHand: 'Right' })),
    );
    for (let r = 0; r < SPREAD_READS_PER_BOOKING; r++) {
      tasks.push(
        r % 2 === 0
          ? () => timed(samples, 'exams.available', () => student.client.exams.available.query())
          : () => timed(samples, 'bookings.mine', () => student.client.bookings.mine.query()),
      );
    }
  }
  shuffle(tasks);
  log(`workload A: ${tasks.length} requests, ${SPREAD_CONCURRENCY} in flight`);
  sampler.start();
  const t0 = performance.now();
  await runPool(tasks, SPREAD_CONCURRENCY);
  const wall = performance.now() - t0;
  const resources = sampler.stop();
  const ok = samples.filter((s) => s.op === 'bookings.create' && s.outcome === 'ok').length;
  const checks = await seatChecks(db, 'bench-cs', ok, expectedWins(targets, SPREAD_CAPACITY), 'cs_credits');
  log(`workload A done in ${(wall / 1000).toFixed(1)} s`);
  return summarize(
    'A spread',
    `${SPREAD_SESSIONS} × ${SPREAD_CAPACITY} seats (Clinical Skills), ${active.length} bookings + ${SPREAD_READS_PER_BOOKING} reads each, ${SPREAD_CONCURRENCY} in flight`,
    samples,
    wall,
    resources,
    new Set(['ok', 'EXAM_FULL']),
    checks,
  );
}
