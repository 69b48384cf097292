import { bookingIdInput, cancelBookingInput, createBookingInput, listBookingsInput } from '../contracts/bookings';
import { appCodeOf, toTRPCError } from '../errors';
import { countBookingOutcome } from '../metrics/bookings';
import { bookingCalendar } from '../services/bookingCalendar';
import { cancelBooking, createBooking } from '../services/bookings';
import { getMyBooking, listMyBookings } from '../services/myBookings';
import { router, studentProcedure } from '../trpc';

/** The app code the client will read for a failed call: the booking-outcome metric's label. */
const answeredCode = (err: unknown) => appCodeOf(toTRPCError(err));

export const bookingsRouter = router({
  create: studentProcedure
    .input(createBookingInput)
    .mutation(({ ctx, input }) => countBookingOutcome('create', answeredCode, () => createBooking(ctx, input))),
  mine: studentProcedure.input(listBookingsInput).query(({ ctx, input }) => listMyBookings(ctx, input)),
  byId: studentProcedure.input(bookingIdInput).query(({ ctx, input }) => getMyBooking(ctx, input.bookingId)),
  /** The booking as an iCalendar file (also a plain GET: /api/bookings/:bookingId.ics). */
  calendar: studentProcedure.input(bookingIdInput).query(({ ctx, input }) => bookingCalendar(ctx, input.bookingId)),
  cancel: studentProcedure
    .input(cancelBookingInput)
    .mutation(({ ctx, input }) => countBookingOutcome('cancel', answeredCode, () => cancelBooking(ctx, input))),
});
