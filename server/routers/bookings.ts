import { bookingIdInput, cancelBookingInput, createBookingInput, listBookingsInput } from '../contracts/bookings';
import { cancelBooking, createBooking } from '../services/bookings';
import { getMyBooking, listMyBookings } from '../services/myBookings';
import { router, studentProcedure } from '../trpc';

export const bookingsRouter = router({
  create: studentProcedure.input(createBookingInput).mutation(({ ctx, input }) => createBooking(ctx, input)),
  mine: studentProcedure.input(listBookingsInput).query(({ ctx, input }) => listMyBookings(ctx, input)),
  byId: studentProcedure.input(bookingIdInput).query(({ ctx, input }) => getMyBooking(ctx, input.bookingId)),
  cancel: studentProcedure.input(cancelBookingInput).mutation(({ ctx, input }) => cancelBooking(ctx, input)),
});
