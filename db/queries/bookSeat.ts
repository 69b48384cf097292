import { sql } from 'drizzle-orm';
import type { Executor } from '../client';
import type { CreditBalances } from '../schema/credits';
import type { ExamStatus, MockType, TokenType } from '../schema/statuses';

/** One type's booking details as the app validated them (the columns they land in). */
export interface SeatDetails {
  dominantHand: string | null;
  attendingLocation: string | null;
}

/** One type's credit rule with the stored column names (book_seat debits by name). */
export interface SeatCreditRule {
  specific: string;
  specificKey: string;
  token: string;
  shared: { column: string; key: string; token: string } | null;
}

export interface BookSeatParams {
  examId: string;
  contactId: string;
  idempotencyKey: string | null;
  now: Date;
  cutoffMs: number;
  detailsByType: Record<string, SeatDetails>;
  rulesByType: Record<string, SeatCreditRule>;
  session: { studentId: string; email: string; name: string };
}

export interface SeatExam {
  examId: string;
  mockType: MockType;
  examDate: string;
  startTime: string | null;
  endTime: string | null;
  capacity: number;
  isActive: ExamStatus;
  scheduledActivationDatetime: string | null;
}

/** What book_seat answered (db/migrations/0011_book_seat_function.sql). */
export type BookSeatOutcome =
  | { outcome: 'exam_not_found' }
  | { outcome: 'replay' | 'not_bookable' | 'details_invalid' | 'settle_waitlist' | 'student_gone'; exam: SeatExam }
  | { outcome: 'full'; exam: SeatExam; taken: number }
  | { outcome: 'duplicate' | 'time_conflict'; exam: SeatExam; other: { bookingId: string; examId: string } }
  | { outcome: 'prerequisites'; exam: SeatExam; missing: string[] }
  | { outcome: 'no_credit'; exam: SeatExam; balances: CreditBalances }
  | {
      outcome: 'booked';
      booking: {
        bookingId: string;
        bookingCode: string | null;
        examId: string;
        examDate: string;
        mockType: MockType | null;
        startTime: string | null;
        endTime: string | null;
        tokenUsed: TokenType | null;
      };
      balances: CreditBalances;
      seats: { examId: string; capacity: number; totalBookings: number };
    };

/** A student's booking as one statement: every check, lock and write in Postgres, one round trip. */
export async function bookSeat(db: Executor, p: BookSeatParams): Promise<BookSeatOutcome> {
  // node-postgres and PGlite both answer with `rows`; drizzle types the two drivers' results apart.
  const result = (await db.execute(
    sql`select book_seat(${p.examId}, ${p.contactId}, ${p.idempotencyKey}, ${p.now.toISOString()}::timestamptz,
      ${p.cutoffMs}::double precision, ${JSON.stringify(p.detailsByType)}::jsonb,
      ${JSON.stringify(p.rulesByType)}::jsonb, ${JSON.stringify(p.session)}::jsonb) as outcome`,
  )) as unknown as { rows: Array<{ outcome: BookSeatOutcome }> };
  const row = result.rows[0];
  if (!row) throw new Error('book_seat returned no row');
  return row.outcome;
}
