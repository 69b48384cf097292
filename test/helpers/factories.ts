import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createClient } from '../../client/src';

/** Rows are arranged with plain SQL on purpose: tests state the data, not the service's own code paths. */

export interface TestContact {
  contactId: string;
  studentId: string;
  email: string;
}

/**
 * `make(0)`, `make(1)`, ... one after another. Rows made on one pg.Client go in turn: a client runs one
 * query at a time, and pg queues a second one sent meanwhile with a deprecation warning (pg 9 refuses it).
 */
export async function inTurn<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let i = 0; i < count; i++) made.push(await make(i));
  return made;
}

let sequence = 0;
// Separated, so that no two (sequence, random) pairs can spell the same id ("1"+"23" = "12"+"3").
const unique = () => `${process.pid}-${++sequence}-${Math.floor(Math.random() * 1e4)}`;

export async function insertContact(
  db: pg.Client,
  credits: Partial<
    Record<'sj_credits' | 'cs_credits' | 'sjmini_credits' | 'mock_discussion_token' | 'shared_mock_credits', number>
  > = {},
  fields: { studentId?: string; email?: string; firstname?: string } = {},
): Promise<TestContact> {
  const id = unique();
  const contact = {
    contactId: `contact-${id}`,
    studentId: fields.studentId ?? `S${id}`,
    email: fields.email ?? `student${id}@example.com`,
  };
  await db.query(
    `insert into hubspot_contact_credits (hubspot_id, student_id, email, firstname, lastname, sj_credits, cs_credits, sjmini_credits, mock_discussion_token, shared_mock_credits)
     values ($1, $2, $3, $4, 'Tester', $5, $6, $7, $8, $9)`,
    [
      contact.contactId,
      contact.studentId,
      contact.email,
      fields.firstname ?? 'Test',
      credits.sj_credits ?? 0,
      credits.cs_credits ?? 0,
      credits.sjmini_credits ?? 0,
      credits.mock_discussion_token ?? 0,
      credits.shared_mock_credits ?? 0,
    ],
  );
  return contact;
}

export interface ExamFields {
  examId?: string;
  mockType?: string;
  examDate?: string;
  startsInHours?: number;
  capacity?: number;
  isActive?: 'true' | 'false' | 'scheduled';
  activationInHours?: number;
  prerequisites?: string[];
  location?: string;
  durationHours?: number;
}

/**
 * Sessions made without a start time each get their own 3-hour slot, 3 days out and onwards, so a test
 * booking several of them for one student never meets the overlap rule by accident.
 */
let defaultSlot = 0;

export async function insertExam(db: pg.Client, f: ExamFields = {}): Promise<string> {
  const examId = f.examId ?? `exam-${unique()}`;
  const startsInHours = f.startsInHours ?? 72 + 3 * defaultSlot++;
  const start = new Date(Date.now() + startsInHours * 3_600_000);
  await db.query(
    `insert into hubspot_mock_exams (hubspot_id, mock_type, mock_set, exam_date, start_time, end_time, location, capacity, is_active, scheduled_activation_datetime, prerequisite_exam_ids)
     values ($1, $2, 'A', $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      examId,
      f.mockType ?? 'Clinical Skills',
      f.examDate ?? start.toISOString().slice(0, 10),
      start,
      new Date(start.getTime() + (f.durationHours ?? 3) * 3_600_000),
      f.location ?? 'Toronto',
      f.capacity ?? 8,
      f.isActive ?? 'true',
      f.activationInHours === undefined ? null : new Date(Date.now() + f.activationInHours * 3_600_000),
      f.prerequisites ?? null,
    ],
  );
  return examId;
}

/**
 * A booking written straight into the table (as an import or an admin tool would), copying the
 * session's date, times and type; for states the API cannot produce on demand (past, attended,
 * Admin Override). Returns the booking's id.
 */
export async function insertBookingRow(
  db: pg.Client,
  contactId: string,
  examId: string,
  fields: { tokenUsed?: string; status?: 'Active' | 'Completed' | 'Cancelled'; attendance?: 'Yes' | 'No' } = {},
): Promise<string> {
  const { rows } = await db.query(
    `insert into hubspot_bookings (associated_contact_id, associated_mock_exam, exam_date, start_time, end_time, mock_type, token_used, is_active, attendance)
     select $1, hubspot_id, exam_date, start_time, end_time, mock_type, $3, $4, $5 from hubspot_mock_exams where hubspot_id = $2 returning id`,
    [
      contactId,
      examId,
      fields.tokenUsed ?? 'Clinical Skills Token',
      fields.status ?? 'Active',
      fields.attendance ?? null,
    ],
  );
  if (!rows[0]) throw new Error(`no session ${examId} to book`);
  return rows[0].id as string;
}

export async function balancesOf(db: pg.Client, contactId: string) {
  const { rows } = await db.query(
    'select sj_credits, cs_credits, sjmini_credits, mock_discussion_token, shared_mock_credits from hubspot_contact_credits where hubspot_id = $1',
    [contactId],
  );
  return rows[0] as Record<string, number>;
}

export async function examCounts(db: pg.Client, examId: string) {
  const { rows } = await db.query(
    `select e.total_bookings, (select count(*)::int from hubspot_bookings b where b.associated_mock_exam = e.hubspot_id and b.is_active <> 'Cancelled') as active
     from hubspot_mock_exams e where e.hubspot_id = $1`,
    [examId],
  );
  return rows[0] as { total_bookings: number; active: number };
}

/** Logs in through the API and returns a client that sends the token as a Bearer header. */
export async function loginClient(baseUrl: string, contact: TestContact, headers: Record<string, string> = {}) {
  const anonymous = createClient({ url: `${baseUrl}/api/trpc`, headers });
  const session = await anonymous.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
  return createClient({ url: `${baseUrl}/api/trpc`, getToken: () => session.token, headers });
}

export const newIdempotencyKey = () => `key-${randomUUID()}`;

/** The per-type details bookings.create needs for a session of this type (docs/DOMAIN.md "Booking details"). */
export function detailsFor(mockType: string): { dominantHand?: 'Left' | 'Right'; attendingLocation?: string } {
  if (mockType === 'Clinical Skills') return { dominantHand: 'Right' };
  if (mockType === 'Situational Judgment' || mockType === 'Mini-mock') return { attendingLocation: 'Mississauga' };
  return {};
}
