import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { messageFor } from './errors';
import { sessionTimes } from './schoolTime';
import { useTRPC } from './trpc';

/** The student's upcoming bookings, each with a Cancel button (the credit goes back). */
export function MyBookings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mine = useQuery({ ...trpc.bookings.mine.queryOptions({ filter: 'upcoming' }), retry: false });
  const [outcome, setOutcome] = useState<{ text: string; ok: boolean }>();
  const cancel = useMutation(
    trpc.bookings.cancel.mutationOptions({
      onSuccess: () => setOutcome({ ok: true, text: 'Booking cancelled; the credit is back.' }),
      onError: (error) => setOutcome({ ok: false, text: messageFor(error) }),
      // The list, the seats and the credits all changed.
      onSettled: () => queryClient.invalidateQueries(),
    }),
  );

  if (mine.isPending) return <p>Loading your bookings…</p>;
  if (mine.error) return <p role="alert">{messageFor(mine.error)}</p>;
  return (
    <section aria-label="My bookings">
      <h2>My bookings</h2>
      {outcome && <p role={outcome.ok ? 'status' : 'alert'}>{outcome.text}</p>}
      {mine.data.items.length === 0 ? (
        <p>No upcoming bookings.</p>
      ) : (
        <ul>
          {mine.data.items.map((booking) => (
            <li key={booking.bookingId} data-booking-id={booking.bookingId}>
              <strong>{booking.mockType}</strong> —{' '}
              <span data-testid="when">{sessionTimes(booking.startTime, booking.endTime, booking.examDate ?? '')}</span>{' '}
              — {booking.bookingCode}{' '}
              <button
                type="button"
                onClick={() => cancel.mutate({ bookingId: booking.bookingId })}
                disabled={cancel.isPending}
              >
                Cancel
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
