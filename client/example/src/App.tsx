import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { messageFor } from './errors';
import { useTRPC } from './trpc';

function LoginForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [studentId, setStudentId] = useState('');
  const [email, setEmail] = useState('');
  // The server sets an httpOnly cookie; the page never handles the token itself.
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ studentId, email });
  };
  return (
    <form onSubmit={onSubmit} aria-label="Log in">
      <input id="studentId" placeholder="Student ID" value={studentId} onChange={(e) => setStudentId(e.target.value)} />
      <input id="email" type="email" placeholder="Email" value={email} onChange={(e) => setEmail(e.target.value)} />
      <button type="submit" disabled={login.isPending}>
        Log in
      </button>
      {login.error && <p role="alert">{messageFor(login.error)}</p>}
    </form>
  );
}

function WhoAmI() {
  const trpc = useTRPC();
  const me = useQuery({ ...trpc.auth.me.queryOptions(), retry: false });
  const credits = useQuery({ ...trpc.credits.mine.queryOptions(), retry: false, enabled: me.isSuccess });
  if (!me.data) return <LoginForm />;
  return (
    <p data-testid="whoami">
      Logged in as {me.data.name}
      {credits.data &&
        ` — Clinical Skills credits: ${credits.data.csCredits}, shared: ${credits.data.sharedMockCredits}`}
    </p>
  );
}

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
            <strong>{session.mockType}</strong> — {session.examDate} at {session.location ?? 'TBA'} —{' '}
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
  return (
    <main>
      <h1>Mock exam sessions</h1>
      <WhoAmI />
      <Sessions />
    </main>
  );
}
