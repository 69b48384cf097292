import { listBookableExams } from '../../db/queries/exams';
import type { InnerContext } from '../context';
import type { AvailableExamsInput } from '../routers/exams.schema';

/** "limited" when this many seats or fewer remain. */
export const LIMITED_THRESHOLD = 3;

export type SeatStatus = 'available' | 'limited' | 'full';

export function seatStatus(availableSlots: number): SeatStatus {
  if (availableSlots <= 0) return 'full';
  return availableSlots <= LIMITED_THRESHOLD ? 'limited' : 'available';
}

export async function listAvailableExams(ctx: Pick<InnerContext, 'db' | 'now'>, input: AvailableExamsInput) {
  const rows = await listBookableExams(ctx.db, { ...input, now: ctx.now() });
  return rows.map((row) => {
    const availableSlots = Math.max(0, row.capacity - row.totalBookings);
    return { ...row, availableSlots, status: seatStatus(availableSlots) };
  });
}
