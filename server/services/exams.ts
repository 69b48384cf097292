import { findExam, listBookableExams } from '../../db/queries/exams';
import type { InnerContext } from '../context';
import { AVAILABLE_PAGE_DEFAULT, type AvailableExamsInput } from '../contracts/exams';
import { errors } from '../errors';
import { readSeatCounts, type SeatCount, writeSeatCounts } from '../redis/seatCounters';
import { requirementsFor } from './bookingDetails';
import { decodeExamCursor, encodeExamCursor } from './examCursor';

/** "limited" when this many seats or fewer remain. */
const LIMITED_THRESHOLD = 3;

type SeatStatus = 'available' | 'limited' | 'full';

function seatStatus(availableSlots: number): SeatStatus {
  if (availableSlots <= 0) return 'full';
  return availableSlots <= LIMITED_THRESHOLD ? 'limited' : 'available';
}

interface CountedExam {
  examId: string;
  capacity: number;
  totalBookings: number;
}

/**
 * Seat figures for display, from the rows just read: Postgres holds the capacity and rewrites
 * total_bookings in every booking's and cancellation's transaction, so the row is never older than
 * the Redis mirror, and a capacity raised by an admin or by SQL shows at once (the mirror used to win
 * here for up to SEAT_COUNTER_TTL_MS). The mirror is refreshed where it disagrees with the rows.
 */
async function withSeats<T extends CountedExam>(ctx: Pick<InnerContext, 'kv' | 'logger' | 'config'>, rows: T[]) {
  const cached = await readSeatCounts(
    ctx.kv,
    rows.map((r) => r.examId),
    ctx.logger,
  );
  const stale: SeatCount[] = rows
    .filter((r) => {
      const mirrored = cached.get(r.examId);
      return !mirrored || mirrored.capacity !== r.capacity || mirrored.totalBookings !== r.totalBookings;
    })
    .map(({ examId, totalBookings, capacity }) => ({ examId, totalBookings, capacity }));
  if (stale.length > 0) await writeSeatCounts(ctx.kv, stale, ctx.config.booking.seatCounterTtlMs, ctx.logger);
  return rows.map((row) => {
    const availableSlots = Math.max(0, row.capacity - row.totalBookings);
    return { ...row, availableSlots, status: seatStatus(availableSlots) };
  });
}

/**
 * Bookable sessions in start order, one page at a time (AVAILABLE_PAGE_DEFAULT unless `limit`). Each
 * carries the `cursor` that asks for the sessions after it: a page as long as its limit may have more.
 * The answer stays a plain list, so callers that never page are unchanged.
 */
export async function listAvailableExams(ctx: InnerContext, input: AvailableExamsInput) {
  const { cursor, limit = AVAILABLE_PAGE_DEFAULT, ...filter } = input;
  const after = cursor ? decodeExamCursor(cursor) : undefined;
  const rows = await listBookableExams(ctx.db, {
    ...filter,
    after,
    limit,
    now: ctx.now(),
    cutoffMs: ctx.config.booking.bookingCutoffMs,
  });
  const listed = await withSeats(ctx, rows);
  return listed.map((row) => ({ ...row, cursor: encodeExamCursor(row) }));
}

/** One session, bookable or not, with whether it can be booked right now. */
export async function getExam(ctx: InnerContext, examId: string) {
  const row = await findExam(ctx.db, examId);
  if (!row) throw errors.examNotFound();
  const { isActive, scheduledActivationDatetime, prerequisiteExamIds, ...listing } = row;
  const [view] = await withSeats(ctx, [listing]);
  const { bookingCutoffMs, attendingLocations } = ctx.config.booking;
  return {
    ...view!,
    prerequisiteExamIds: prerequisiteExamIds ?? [],
    bookable: bookability(row, ctx.now(), bookingCutoffMs) === 'open',
    /** The fields bookings.create and waitlist.join take for this session, and the values allowed. */
    bookingFields: requirementsFor(row.mockType, attendingLocations),
  };
}

/** Why a session can or cannot be booked at `now`, BOOKING_CUTOFF_HOURS counted (docs/DOMAIN.md, "Bookable"). */
export function bookability(
  exam: { isActive: string; scheduledActivationDatetime: Date | null; startTime: Date | null },
  now: Date,
  cutoffMs: number,
): 'open' | 'inactive' | 'not-yet-open' | 'started' | 'cutoff' {
  if (exam.isActive === 'scheduled') {
    if (!exam.scheduledActivationDatetime || exam.scheduledActivationDatetime > now) return 'not-yet-open';
  } else if (exam.isActive !== 'true') return 'inactive';
  if (!exam.startTime || exam.startTime <= now) return 'started';
  if (exam.startTime.getTime() - cutoffMs <= now.getTime()) return 'cutoff';
  return 'open';
}
