import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Account, useLoggedIn } from './Account';
import { messageFor } from './errors';
import { MyBookings } from './MyBookings';
import { sessionTimes } from './schoolTime';
import { useTRPC } from './trpc';

function Sessions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.exams.available.queryOptions({ includeFull: true }));
  const [outcome, setOutcome] = useState<{ examId: string; text: string; ok: boolean }>();
  // Clinical Skills sessions need the student's dominant hand (exams.byId lists each type's fields).
  const [hand, setHand] = useState<'Left' | 'Right'>('Right');
  const book = useMutation(
    trpc.bookings.create.mutationOptions({
      onSuccess: (booking) => setOutcome({ examId: booking.examId, ok: true, text: `Booked: ${booking.bookingCode}` }),
      onError: (error, input) => setOutcome({ examId: input.examId, ok: false, text: messageFor(error) }),
      // Seats and the student's credits both changed (or may have): refetch what is on screen.
      onSettled: () => queryClient.invalidateQueries(),
    }),
  );

  if (sessions.isPending) return <p>Loading sessions…</p>;
  if (sessions.error) return <p role="alert">{messageFor(sessions.error)}</p>;
  return (
    <>
      <label>
        Dominant hand (Clinical Skills){' '}
        <select value={hand} onChange={(e) => setHand(e.target.value as 'Left' | 'Right')}>
          <option>Right</option>
          <option>Left</option>
        </select>
      </label>
      <ul aria-label="Sessions">
        {sessions.data.map((session) => (
          <li key={session.examId} data-exam-id={session.examId}>
            <strong>{session.mockType}</strong> —{' '}
            <span data-testid="when">{sessionTimes(session.startTime, session.endTime, session.examDate)}</span> at{' '}
            {session.location ?? 'TBA'} —{' '}
            <span data-testid="seats">
              {session.availableSlots} of {session.capacity} seats ({session.status})
            </span>{' '}
            <button
              type="button"
              onClick={() =>
                book.mutate({
                  examId: session.examId,
                  ...(session.mockType === 'Clinical Skills' ? { dominantHand: hand } : {}),
                })
              }
              disabled={book.isPending}
            >
              Book
            </button>
            {outcome?.examId === session.examId && <p role={outcome.ok ? 'status' : 'alert'}>{outcome.text}</p>}
          </li>
        ))}
      </ul>
    </>
  );
}

export function App() {
  const loggedIn = useLoggedIn();
  return (
    <main>
      <h1>Mock exam sessions</h1>
      <Account />
      {loggedIn && <MyBookings />}
      <h2>Sessions</h2>
      <Sessions />
    </main>
  );
}
