import { findExam, listBookableExams } from '../../db/queries/exams';
import type { InnerContext } from '../context';
import type { AvailableExamsInput } from '../contracts/exams';
import { errors } from '../errors';
import { readSeatCounts, type SeatCount, writeSeatCounts } from '../redis/seatCounters';

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
 * Seat figures for display: the Redis counters where present (they move with every booking on any
 * instance), the row's own count otherwise, which is then mirrored into Redis for the next reader.
 */
async function withSeats<T extends CountedExam>(ctx: Pick<InnerContext, 'kv' | 'logger' | 'config'>, rows: T[]) {
  const cached = await readSeatCounts(
    ctx.kv,
    rows.map((r) => r.examId),
    ctx.logger,
  );
  const missing: SeatCount[] = rows
    .filter((r) => !cached.has(r.examId))
    .map(({ examId, totalBookings, capacity }) => ({ examId, totalBookings, capacity }));
  if (missing.length > 0) await writeSeatCounts(ctx.kv, missing, ctx.config.booking.seatCounterTtlMs, ctx.logger);
  return rows.map((row) => {
    const counted = cached.get(row.examId);
    const totalBookings = counted?.totalBookings ?? row.totalBookings;
    const capacity = counted?.capacity ?? row.capacity;
    const availableSlots = Math.max(0, capacity - totalBookings);
    return { ...row, capacity, totalBookings, availableSlots, status: seatStatus(availableSlots) };
  });
}

export async function listAvailableExams(ctx: InnerContext, input: AvailableExamsInput) {
  const rows = await listBookableExams(ctx.db, { ...input, now: ctx.now() });
  const listed = await withSeats(ctx, rows);
  return input.includeFull ? listed : listed.filter((row) => row.availableSlots > 0);
}

/** One session, bookable or not, with whether it can be booked right now. */
export async function getExam(ctx: InnerContext, examId: string) {
  const row = await findExam(ctx.db, examId);
  if (!row) throw errors.examNotFound();
  const { isActive, scheduledActivationDatetime, prerequisiteExamIds, ...listing } = row;
  const [view] = await withSeats(ctx, [listing]);
  return { ...view!, prerequisiteExamIds: prerequisiteExamIds ?? [], bookable: bookability(row, ctx.now()) === 'open' };
}

/** Why a session can or cannot be booked at `now` (docs/DOMAIN.md, "Bookable"). */
export function bookability(
  exam: { isActive: string; scheduledActivationDatetime: Date | null; startTime: Date | null },
  now: Date,
): 'open' | 'inactive' | 'not-yet-open' | 'started' {
  if (exam.isActive === 'scheduled') {
    if (!exam.scheduledActivationDatetime || exam.scheduledActivationDatetime > now) return 'not-yet-open';
  } else if (exam.isActive !== 'true') return 'inactive';
  if (!exam.startTime || exam.startTime <= now) return 'started';
  return 'open';
}
