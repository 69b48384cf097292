import { sql } from 'drizzle-orm';
import type { PgInsertValue } from 'drizzle-orm/pg-core';
import type { Executor } from './client';
import { contactCredits, type MockType, mockExams } from './schema';

/** The demo student a newcomer logs in with (student ID + email, as in production). */
export const DEMO_STUDENT = {
  hubspotId: 'demo-contact-1',
  studentId: 'DEMO123',
  email: 'demo.student@example.com',
  firstname: 'Demo',
  lastname: 'Student',
} as const;

interface DemoSession {
  hubspotId: string;
  mockType: MockType;
  mockSet: string;
  daysFromToday: number;
  start: string; // wall-clock time in the school's zone
  end: string;
  location: string;
  capacity: number;
}

const DEMO_SESSIONS: DemoSession[] = [
  {
    hubspotId: 'demo-exam-sj-1',
    mockType: 'Situational Judgment',
    mockSet: 'A',
    daysFromToday: 7,
    start: '09:00',
    end: '12:00',
    location: 'Mississauga',
    capacity: 8,
  },
  {
    hubspotId: 'demo-exam-cs-1',
    mockType: 'Clinical Skills',
    mockSet: 'B',
    daysFromToday: 8,
    start: '13:00',
    end: '17:00',
    location: 'Vancouver',
    capacity: 8,
  },
  {
    hubspotId: 'demo-exam-mini-1',
    mockType: 'Mini-mock',
    mockSet: 'C',
    daysFromToday: 9,
    start: '10:00',
    end: '11:30',
    location: 'Online',
    capacity: 12,
  },
  {
    hubspotId: 'demo-exam-md-1',
    mockType: 'Mock Discussion',
    mockSet: 'A',
    daysFromToday: 10,
    start: '18:00',
    end: '19:30',
    location: 'Online',
    capacity: 20,
  },
  {
    hubspotId: 'demo-exam-cs-2',
    mockType: 'Clinical Skills',
    mockSet: 'A',
    daysFromToday: 14,
    start: '09:00',
    end: '13:00',
    location: 'Calgary',
    capacity: 3,
  },
];

/** The instant a Toronto wall-clock time on a date is, computed by Postgres (which knows the DST rules). */
const torontoInstant = (date: string, time: string) =>
  sql<Date>`((${date}::date + ${time}::time) at time zone 'America/Toronto')`;

function isoDate(from: Date, days: number): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Inserts the demo student and demo sessions; re-running it changes nothing. */
export async function seedDemoData(db: Executor, now = new Date()): Promise<{ exams: number; contacts: number }> {
  const contacts = await db
    .insert(contactCredits)
    .values({
      ...DEMO_STUDENT,
      studentName: `${DEMO_STUDENT.firstname} ${DEMO_STUDENT.lastname}`,
      sjCredits: 2,
      csCredits: 2,
      sjminiCredits: 2,
      mockDiscussionToken: 1,
      sharedMockCredits: 1,
    })
    .onConflictDoNothing({ target: contactCredits.hubspotId })
    .returning({ id: contactCredits.id });

  const rows: PgInsertValue<typeof mockExams>[] = DEMO_SESSIONS.map((s) => {
    const examDate = isoDate(now, s.daysFromToday);
    return {
      hubspotId: s.hubspotId,
      mockType: s.mockType,
      mockSet: s.mockSet,
      examDate,
      startTime: torontoInstant(examDate, s.start),
      endTime: torontoInstant(examDate, s.end),
      location: s.location,
      capacity: s.capacity,
      isActive: 'true',
    };
  });
  const exams = await db
    .insert(mockExams)
    .values(rows)
    .onConflictDoNothing({ target: mockExams.hubspotId })
    .returning({ id: mockExams.id });
  return { exams: exams.length, contacts: contacts.length };
}

/** True when the database holds no sessions at all: the embedded mode's "first start". */
export async function isEmpty(db: Executor): Promise<boolean> {
  const rows = await db.select({ id: mockExams.id }).from(mockExams).limit(1);
  return rows.length === 0;
}
