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

/** Who is logged in, their credits and a log-out button; the login form when nobody is. */
export function Account() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery({ ...trpc.auth.me.queryOptions(), retry: false });
  const credits = useQuery({ ...trpc.credits.mine.queryOptions(), retry: false, enabled: me.isSuccess });
  // The server revokes the token and clears the cookie; everything cached for this student goes too.
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSettled: () => queryClient.resetQueries() }));
  if (!me.data) return <LoginForm />;
  return (
    <p>
      <span data-testid="whoami">
        Logged in as {me.data.name}
        {credits.data &&
          ` — Clinical Skills credits: ${credits.data.csCredits}, shared: ${credits.data.sharedMockCredits}`}
      </span>{' '}
      <button type="button" onClick={() => logout.mutate()} disabled={logout.isPending}>
        Log out
      </button>
    </p>
  );
}

/** Whether a student is logged in, from the same cached `auth.me` the account line uses. */
export function useLoggedIn(): boolean {
  const trpc = useTRPC();
  return useQuery({ ...trpc.auth.me.queryOptions(), retry: false }).isSuccess;
}
