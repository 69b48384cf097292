import { listTraineeBookings, traineeBookingSummary } from '../../../db/queries/adminBookings';
import { findTrainee, searchTrainees } from '../../../db/queries/adminTrainees';
import type { AdminTraineeGetInput, AdminTraineeSearchInput } from '../../contracts/adminTrainees';
import { errors } from '../../errors';
import type { AdminContext } from '../context';

/** How many of a trainee's bookings one answer carries (a student has tens, not thousands). */
const HISTORY_LIMIT = 500;

/** admin.trainees.search: by student ID, email or name, each a case-insensitive prefix. */
export async function searchTraineesFor(ctx: AdminContext, input: AdminTraineeSearchInput) {
  return { items: await searchTrainees(ctx.db, input) };
}

/** admin.trainees.get: the trainee, their five balances, and their booking history with its summary. */
export async function getTrainee(ctx: AdminContext, input: AdminTraineeGetInput) {
  const trainee = await findTrainee(ctx.db, input.contactId);
  if (!trainee) throw errors.contactNotFound();
  const [bookings, summary] = await Promise.all([
    listTraineeBookings(ctx.db, { ...input, limit: HISTORY_LIMIT }),
    traineeBookingSummary(ctx.db, input.contactId),
  ]);
  return { trainee, bookings, summary };
}
