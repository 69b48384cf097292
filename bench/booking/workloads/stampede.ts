import type pg from 'pg';
import { type BenchStudent, expectedWins, pick, seatChecks } from '../data';
import { summarize, type WorkloadResult } from '../measure';
import { recordCall, sendRecorded } from '../recordedCalls';
import { fireAtOnce } from '../release';
import type { ResourceSampler } from '../resources';
import { log, STAMPEDE_CAPACITY, STAMPEDE_SESSIONS } from '../settings';

/** Workload B: closed Situational Judgment sessions open at once and every student books in the same instant. */
export async function releaseStampede(
  db: pg.Client,
  active: BenchStudent[],
  stampedeExams: string[],
  sampler: ResourceSampler,
): Promise<WorkloadResult> {
  const targets = active.map(() => pick(stampedeExams));
  const calls = await Promise.all(
    active.map((student, i) =>
      recordCall(student.url, student.token, (c) =>
        c.bookings.create.mutate({ examId: targets[i]!, attendingLocation: 'Mississauga' }),
      ),
    ),
  );
  const released = await db.query(
    `update hubspot_mock_exams set is_active = 'true' where hubspot_id like 'bench-sj-%'`,
  );
  log(`workload B: released ${released.rowCount} sessions; firing ${active.length} bookings at once`);
  const {
    samples,
    wallMs: wall,
    resources,
    timeline,
  } = await fireAtOnce('bookings.create', calls.length, (i, agent) => sendRecorded(calls[i]!, agent), sampler);
  const ok = samples.filter((s) => s.outcome === 'ok').length;
  const expected = expectedWins(targets, STAMPEDE_CAPACITY);
  const seats = STAMPEDE_SESSIONS * STAMPEDE_CAPACITY;
  const notes = [timeline('ok', 'EXAM_FULL')];
  const checks = await seatChecks(db, 'bench-sj', ok, expected, 'sj_credits');
  checks.unshift({
    name: `exactly ${seats} bookings succeed`,
    pass: ok === seats,
    detail: `ok=${ok}${expected !== seats ? ` (only ${expected} reachable: some sessions drew fewer than ${STAMPEDE_CAPACITY} requests)` : ''}`,
  });
  log(`workload B done in ${(wall / 1000).toFixed(1)} s`);
  return summarize(
    'B stampede',
    `${STAMPEDE_SESSIONS} × ${STAMPEDE_CAPACITY} seats (Situational Judgment) released at once, ${active.length} simultaneous bookings`,
    samples,
    wall,
    resources,
    new Set(['ok', 'EXAM_FULL']),
    checks,
    notes,
  );
}
