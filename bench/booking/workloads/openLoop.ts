import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { sleep } from '../../../server/lib/time';
import { type BenchStudent, pick, seatChecks } from '../data';
import { type Sample, summarize, timedOutcome, type WorkloadResult } from '../measure';
import { type RecordedCall, recordCall, sendRecorded } from '../recordedCalls';
import type { ResourceSampler } from '../resources';
import {
  log,
  OPEN_LOOP_BOOKINGS_PER_S,
  OPEN_LOOP_READS_PER_S,
  OPEN_LOOP_SECONDS,
  SPREAD_CAPACITY,
  SPREAD_SESSIONS,
} from '../settings';
import { spreadSessionOf } from './spread';

/**
 * Workload D, the seed's target: OPEN_LOOP_BOOKINGS_PER_S bookings and OPEN_LOOP_READS_PER_S reads
 * (exams.available and bookings.mine, alternately) sent on a fixed schedule whatever the answers'
 * pace (open loop: a slow answer does not slow the arrivals). Each booking is a student's second
 * Clinical Skills session, half the sessions away from their spread one (another date, no duplicate).
 */
export async function openLoop(
  db: pg.Client,
  active: BenchStudent[],
  spreadExams: string[],
  spreadOk: number,
  sampler: ResourceSampler,
): Promise<WorkloadResult> {
  const samples: Sample[] = [];
  const bookers = active.slice(0, OPEN_LOOP_BOOKINGS_PER_S * OPEN_LOOP_SECONDS);
  const arrivals: Array<{ at: number; send: () => Promise<unknown> }> = [];
  const scheduled = (at: number, op: string, call: RecordedCall) =>
    arrivals.push({ at, send: () => timedOutcome(samples, op, () => sendRecorded(call)) });
  for (const [i, student] of bookers.entries()) {
    const examId = spreadExams[(spreadSessionOf(student.n) + SPREAD_SESSIONS / 2) % SPREAD_SESSIONS]!;
    const call = await recordCall(student.url, student.token, (c) =>
      c.bookings.create.mutate({ examId, dominantHand: 'Right' }),
    );
    scheduled((i * 1000) / OPEN_LOOP_BOOKINGS_PER_S, 'bookings.create', call);
  }
  for (let i = 0; i < OPEN_LOOP_READS_PER_S * OPEN_LOOP_SECONDS; i++) {
    const student = pick(active);
    const listing = i % 2 === 0;
    const call = await recordCall(student.url, student.token, (c) =>
      listing ? c.exams.available.query() : c.bookings.mine.query(),
    );
    scheduled((i * 1000) / OPEN_LOOP_READS_PER_S, listing ? 'exams.available' : 'bookings.mine', call);
  }
  arrivals.sort((a, b) => a.at - b.at);
  log(
    `workload D: open loop ${OPEN_LOOP_BOOKINGS_PER_S} bookings/s + ${OPEN_LOOP_READS_PER_S} reads/s for ${OPEN_LOOP_SECONDS} s`,
  );
  sampler.start();
  const t0 = performance.now();
  const pending: Promise<unknown>[] = [];
  for (const arrival of arrivals) {
    const wait = t0 + arrival.at - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(arrival.send());
  }
  await Promise.all(pending);
  const wall = performance.now() - t0;
  const resources = sampler.stop();
  const ok = samples.filter((s) => s.op === 'bookings.create' && s.outcome === 'ok').length;
  const checks = await seatChecks(db, 'bench-cs', spreadOk + ok, spreadOk + bookers.length, 'cs_credits');
  log(`workload D done in ${(wall / 1000).toFixed(1)} s`);
  return summarize(
    'D open loop',
    `${OPEN_LOOP_BOOKINGS_PER_S} bookings/s (${SPREAD_SESSIONS} × ${SPREAD_CAPACITY} Clinical Skills) + ${OPEN_LOOP_READS_PER_S} reads/s, ${OPEN_LOOP_SECONDS} s, both instances`,
    samples,
    wall,
    resources,
    new Set(['ok']),
    checks,
  );
}
