import type pg from 'pg';
import { type BenchStudent, seedSessions, seedStudents, sessionCounts } from '../data';
import { summarize, type WorkloadResult } from '../measure';
import type { ResourceSampler } from '../resources';
import { SPREAD_CONCURRENCY, WARMUP_BOOKINGS_PER_STUDENT, WARMUP_SESSIONS, WARMUP_STUDENTS } from '../settings';
import { loginEveryone } from './login';
import { spreadLoad } from './spread';

const STUDENT_PREFIX = 'bench-w';
const SESSION_PREFIX = 'bench-cw';

/**
 * The warm-up's own students (bench-w-*, plenty of credits) and Clinical Skills sessions (bench-cw-*,
 * on their own dates after every fixture session's), seeded before the servers start like the rest.
 */
export async function seedWarmUp(db: pg.Client) {
  const students = await seedStudents(db, {
    count: WARMUP_STUDENTS,
    idPrefix: 'W',
    contactPrefix: STUDENT_PREFIX,
    credits: WARMUP_BOOKINGS_PER_STUDENT,
  });
  const sessions = await seedSessions(
    db,
    SESSION_PREFIX,
    'Clinical Skills',
    WARMUP_SESSIONS,
    WARMUP_STUDENTS,
    600,
    'true',
  );
  return { students, sessions };
}

/**
 * Workload A's cold pass: the bookings a fresh pair of servers answers first, by the warm-up's own
 * students on its own sessions (A's load: SPREAD_CONCURRENCY in flight, one session per booking), after
 * which every row they made is deleted, so the fixture the other workloads and checks read is as seeded.
 *
 * Why A is measured after it: a fresh server spends its first thousands of bookings compiling. V8 tiers
 * the hot path up, and each new Postgres backend of the pools plans book_seat's statements. Under wrk,
 * server CPU per booking fell from ~1.7-1.9 ms in the first 5 s to ~1.0 ms after ~7,000 bookings, and
 * Postgres's from ~0.8 to ~0.5 ms. Instances behind the ALB are warm when a release comes (slow start
 * warms a new one: infra), so A's figure is the warm one; this pass's figures are printed beside it.
 */
export async function warmUp(
  db: pg.Client,
  seeded: Awaited<ReturnType<typeof seedWarmUp>>,
  trpcUrls: string[],
  sampler: ResourceSampler,
): Promise<WorkloadResult> {
  await loginEveryone(seeded.students, trpcUrls, sampler);
  const students = seeded.students.filter((s): s is BenchStudent => Boolean(s.client));
  // Student i books WARMUP_BOOKINGS_PER_STUDENT sessions a stride apart: all distinct (their own dates).
  const stride = Math.floor(WARMUP_SESSIONS / WARMUP_BOOKINGS_PER_STUDENT);
  const bookings = students.flatMap((student, i) =>
    Array.from({ length: WARMUP_BOOKINGS_PER_STUDENT }, (_, k) => ({
      student,
      examId: seeded.sessions[(i + k * stride) % WARMUP_SESSIONS]!,
    })),
  );
  const { samples, wall, resources, ok } = await spreadLoad(bookings, sampler, `warm-up (${WARMUP_SESSIONS} sessions)`);
  const counts = await sessionCounts(db, SESSION_PREFIX);
  const booked = counts.reduce((sum, c) => sum + c.active, 0);
  const checks = [
    {
      name: 'every warm-up booking is a booking row, and its session agrees',
      pass: ok === bookings.length && booked === ok && counts.every((c) => c.total_bookings === c.active),
      detail: `client ok=${ok} of ${bookings.length}, rows=${booked}`,
    },
  ];
  await forgetWarmUp(db);
  return summarize(
    'A cold (warm-up)',
    `fresh servers' first ${bookings.length} bookings: ${WARMUP_STUDENTS} students × ${WARMUP_BOOKINGS_PER_STUDENT} of ${WARMUP_SESSIONS} sessions, ${SPREAD_CONCURRENCY} in flight; A is measured after it`,
    samples,
    wall,
    resources,
    new Set(['ok']),
    checks,
  );
}

/**
 * Deletes what the warm-up made (HubSpot sync is off in the bench: its outbox rows wait unread); the
 * bench vacuums after every workload.
 */
async function forgetWarmUp(db: pg.Client): Promise<void> {
  await db.query(
    `delete from sync_outbox
      where (object_type = 'booking' and object_id in
              (select id::text from hubspot_bookings where associated_contact_id like '${STUDENT_PREFIX}-%'))
         or (object_type = 'contact' and object_id like '${STUDENT_PREFIX}-%')
         or (object_type = 'exam' and object_id like '${SESSION_PREFIX}-%')`,
  );
  await db.query(`delete from hubspot_bookings where associated_contact_id like '${STUDENT_PREFIX}-%'`);
  await db.query(`delete from hubspot_mock_exams where hubspot_id like '${SESSION_PREFIX}-%'`);
  await db.query(`delete from hubspot_contact_credits where hubspot_id like '${STUDENT_PREFIX}-%'`);
}
