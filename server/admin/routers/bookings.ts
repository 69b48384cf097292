import {
  adminCancelBookingsInput,
  adminCreateBookingInput,
  adminMarkAttendanceInput,
  adminRebookInput,
  adminRosterInput,
} from '../../contracts/adminBookings';
import { router } from '../../trpc';
import { adminProcedure } from '../procedure';
import { cancelBookings, createBooking, markAttendance, roster } from '../services/bookings';
import { rebookBooking } from '../services/rebook';

export const adminBookingsRouter = router({
  roster: adminProcedure('bookings.view')
    .input(adminRosterInput)
    .query(({ ctx, input }) => roster(ctx, input)),
  markAttendance: adminProcedure('bookings.attendance')
    .input(adminMarkAttendanceInput)
    .mutation(({ ctx, input }) => markAttendance(ctx, input)),
  cancel: adminProcedure('bookings.cancel')
    .input(adminCancelBookingsInput)
    .mutation(({ ctx, input }) => cancelBookings(ctx, input)),
  create: adminProcedure('bookings.create')
    .input(adminCreateBookingInput)
    .mutation(({ ctx, input }) => createBooking(ctx, input)),
  // Moving a student's seat is booking them in elsewhere: the same permission as booking them in.
  rebook: adminProcedure('bookings.create')
    .input(adminRebookInput)
    .mutation(({ ctx, input }) => rebookBooking(ctx, input)),
});
