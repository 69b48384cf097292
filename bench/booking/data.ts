import type pg from 'pg';
import type { Client } from '../../client/src';
import type { Check } from './measure';
import { STUDENTS } from './settings';

export interface Student {
  n: number;
  studentId: string;
  email: string;
  contactId: string;
  token?: string;
  client?: Client;
  /** The instance's tRPC endpoint this student's client calls. */
  url?: string;
}

/** A student who logged in: its client sends the session token to one instance. */
export type BenchStudent = Student & { client: Client; url: string };

export const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

export async function insertRows(
  db: pg.Client,
  table: string,
  columns: string[],
  rows: unknown[][],
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const params: unknown[] = [];
    const placeholder = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const tuples = part.map((row) => `(${row.map(placeholder).join(', ')})`);
    await db.query(`insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`, params);
  }
}

/**
 * `count` students `<idPrefix><n>` (contact `<contactPrefix>-<n>`) holding `credits` Clinical Skills
 * and Situational Judgment credits and one shared credit: the fixture's (bench-c-*, the checks'
 * 5 − credits counts what they spent) or the warm-up's own (warmUp.ts).
 */
export async function seedStudents(
  db: pg.Client,
  { count = STUDENTS, idPrefix = 'B', contactPrefix = 'bench-c', credits = 5 } = {},
): Promise<Student[]> {
  const students: Student[] = Array.from({ length: count }, (_, i) => ({
    n: i + 1,
    studentId: `${idPrefix}${i + 1}`,
    email: `${idPrefix.toLowerCase()}${i + 1}@example.com`,
    contactId: `${contactPrefix}-${i + 1}`,
  }));
  await insertRows(
    db,
    'hubspot_contact_credits',
    ['hubspot_id', 'student_id', 'email', 'firstname', 'lastname', 'cs_credits', 'sj_credits', 'shared_mock_credits'],
    students.map((s) => [s.contactId, s.studentId, s.email, 'Bench', `Student ${s.n}`, credits, credits, 1]),
  );
  return students;
}

/**
 * Sessions on distinct dates (a student may then book several of a type), three hours from
 * `startHour` UTC: each workload gets its own hours, so one student's bookings never overlap in time.
 */
export async function seedSessions(
  db: pg.Client,
  prefix: string,
  mockType: string,
  count: number,
  capacity: number,
  firstDayOffset: number,
  isActive: 'true' | 'false',
  startHour = 9,
): Promise<string[]> {
  const hh = (h: number) => String(h).padStart(2, '0');
  const rows = Array.from({ length: count }, (_, i) => {
    const day = isoDay(firstDayOffset + i);
    return [
      `${prefix}-${i + 1}`,
      mockType,
      'A',
      day,
      `${day}T${hh(startHour)}:00:00Z`,
      `${day}T${hh(startHour + 3)}:00:00Z`,
      'Toronto',
      capacity,
      isActive,
    ];
  });
  await insertRows(
    db,
    'hubspot_mock_exams',
    ['hubspot_id', 'mock_type', 'mock_set', 'exam_date', 'start_time', 'end_time', 'location', 'capacity', 'is_active'],
    rows,
  );
  return rows.map((r) => r[0] as string);
}

/**
 * The pgbench ceiling's own students and sessions, as many as the service's, in the same tables:
 * pgbench books on these so the service's fixture and its checks stay untouched. Credits and seats
 * are plentiful: the ceiling measures the booking, not the refusals. The sessions are open (book_seat
 * judges that) and start ~3 years out, after every session of the fixture, so they never reach the
 * listing's first page (200 sessions in start order) that workload C measures.
 */
export async function seedCeilingData(db: pg.Client, students: number, sessions: number): Promise<void> {
  await db.query(
    `insert into hubspot_contact_credits (hubspot_id, student_id, email, firstname, lastname, cs_credits)
     select 'pgb-c-' || g, 'P' || g, 'p' || g || '@example.com', 'Bench', 'Pg ' || g, 1000000
       from generate_series(1, $1::int) g`,
    [students],
  );
  await db.query(
    `insert into hubspot_mock_exams (hubspot_id, mock_type, mock_set, exam_date, start_time, end_time, location, capacity, is_active)
     select 'pgb-cs-' || g, 'Clinical Skills', 'A', d, d + time '09:00', d + time '12:00', 'Toronto', 1000000, 'true'
       from generate_series(1, $1::int) g, lateral (select current_date + 1000 + g as d) day`,
    [sessions],
  );
}

export interface SessionCount {
  hubspot_id: string;
  capacity: number;
  total_bookings: number;
  active: number;
}

export async function sessionCounts(db: pg.Client, prefix: string): Promise<SessionCount[]> {
  const { rows } = await db.query<SessionCount>(
    `select e.hubspot_id, e.capacity, e.total_bookings,
            (select count(*)::int from hubspot_bookings b where b.associated_mock_exam = e.hubspot_id and b.is_active <> 'Cancelled') as active
       from hubspot_mock_exams e where e.hubspot_id like $1 order by e.hubspot_id`,
    [`${prefix}-%`],
  );
  return rows;
}

/** The seat invariant of one workload's sessions, plus what the clients were told. */
export async function seatChecks(
  db: pg.Client,
  prefix: string,
  successes: number,
  expectedSuccesses: number,
  column: 'cs_credits' | 'sj_credits',
): Promise<Check[]> {
  const counts = await sessionCounts(db, prefix);
  const drifted = counts.filter((c) => c.total_bookings !== c.active);
  const over = counts.filter((c) => c.active > c.capacity);
  const booked = counts.reduce((sum, c) => sum + c.active, 0);
  const { rows } = await db.query<{ spent: number; negative: number }>(
    `select coalesce(sum(5 - ${column}), 0)::int as spent, count(*) filter (where ${column} < 0)::int as negative
       from hubspot_contact_credits where hubspot_id like 'bench-c-%'`,
  );
  const spent = rows[0]?.spent ?? -1;
  return [
    {
      name: 'total_bookings = active bookings, per session',
      pass: drifted.length === 0,
      detail:
        drifted.length === 0
          ? `${counts.length} sessions agree`
          : `drifted: ${drifted.map((c) => `${c.hubspot_id} total=${c.total_bookings} active=${c.active}`).join('; ')}`,
    },
    {
      name: 'active bookings ≤ capacity, per session',
      pass: over.length === 0,
      detail:
        over.length === 0
          ? `max ${Math.max(0, ...counts.map((c) => c.active))} of ${counts[0]?.capacity ?? '?'}`
          : `overbooked: ${over.map((c) => `${c.hubspot_id} ${c.active}/${c.capacity}`).join('; ')}`,
    },
    {
      name: 'bookings answered ok = booking rows',
      pass: booked === successes,
      detail: `client ok=${successes}, rows=${booked} (seats reachable by these requests: ${expectedSuccesses}${expectedSuccesses > successes ? `, ${expectedSuccesses - successes} left empty by errors` : ''})`,
    },
    {
      name: `credits spent (${column}) = bookings`,
      pass: spent === booked && (rows[0]?.negative ?? 1) === 0,
      detail: `spent=${spent}, bookings=${booked}`,
    },
  ];
}

/** Seats that can be won at most: per session, the smaller of its capacity and the requests aimed at it. */
export function expectedWins(targets: string[], capacity: number): number {
  const perSession = new Map<string, number>();
  for (const t of targets) perSession.set(t, (perSession.get(t) ?? 0) + 1);
  return [...perSession.values()].reduce((sum, n) => sum + Math.min(n, capacity), 0);
}

export const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
