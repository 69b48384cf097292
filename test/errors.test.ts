import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { appCodeOf, errors, toTRPCError } from '../server/errors';

// The one mapper every procedure's errors go through: what the client is told for each kind.
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
const wrapped = (cause: unknown) =>
  new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: (cause as Error).message, cause });

describe('toTRPCError', () => {
  it('keeps a domain error as its code and message', () => {
    const mapped = toTRPCError(wrapped(errors.examFull({ examId: 'exam-1', capacity: 8, totalBookings: 8 })));
    expect([mapped.code, mapped.message, appCodeOf(mapped)]).toEqual([
      'CONFLICT',
      'This session is full.',
      'EXAM_FULL',
    ]);
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' })],
    ['a rotated password (28P01)', pgError('28P01', 'password authentication failed for user "mocks_app"')],
    [
      'no pg_hba entry (28000)',
      pgError('28000', 'no pg_hba.conf entry for host "10.0.0.9", user "mocks_app", no encryption'),
    ],
    [
      'an untrusted certificate',
      Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
    ],
    [
      'a host name mismatch',
      Object.assign(new Error("Hostname/IP does not match certificate's altnames"), {
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      }),
    ],
    ['too many connections (53300)', pgError('53300', 'sorry, too many clients already')],
    ['an admin shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
  ])('answers %s as SERVICE_UNAVAILABLE (503) without the driver message', (_label, cause) => {
    const mapped = toTRPCError(wrapped(new Error('Failed query: select 1', { cause })));
    expect([mapped.code, appCodeOf(mapped)]).toEqual(['SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);
    expect(mapped.message).not.toContain(cause.message);
  });

  it.each([
    ['a statement timeout (57014)', pgError('57014', 'canceling statement due to statement timeout')],
    ['a lock timeout (55P03)', pgError('55P03', 'could not obtain lock on row')],
    ['a deadlock Postgres broke (40P01)', pgError('40P01', 'deadlock detected')],
  ])('answers %s as BUSY', (_label, cause) => {
    expect(appCodeOf(toTRPCError(wrapped(cause)))).toBe('BUSY');
  });

  it('answers a bug with a generic message and keeps the real error as the cause for the log', () => {
    const bug = pgError('42703', 'column "secret_column" does not exist');
    const mapped = toTRPCError(wrapped(bug));
    expect([mapped.code, mapped.message, appCodeOf(mapped)]).toEqual([
      'INTERNAL_SERVER_ERROR',
      'Internal server error',
      'INTERNAL_ERROR',
    ]);
    expect(mapped.cause).toBe(bug);
  });
});
