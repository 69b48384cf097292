import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { errors, toTRPCError } from '../server/errors';

/** Refusals are answers: no stack trace is captured for them (issue 13; catalogue.ts says why). */
const FRAME = /\n\s+at /;

describe('stack traces', () => {
  it('a refusal and the TRPCError that carries it capture no frames, and the limit is restored', () => {
    const limit = Error.stackTraceLimit;
    const refusal = errors.examFull({ examId: 'e1', capacity: 8, totalBookings: 8 });
    expect(refusal.stack ?? '').not.toMatch(FRAME);
    const wrapped = toTRPCError(refusal);
    expect(wrapped.cause).toBe(refusal);
    expect(wrapped.stack ?? '').not.toMatch(FRAME);
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it('a real failure keeps its stack: as the cause of BUSY, and as the cause of an internal error', () => {
    const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    expect(timeout.stack).toMatch(FRAME);
    const busy = toTRPCError(timeout);
    expect(busy.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect((busy.cause as Error).cause).toBe(timeout);

    const bug = toTRPCError(new TypeError('x is undefined'));
    expect(bug).toBeInstanceOf(TRPCError);
    expect(bug.code).toBe('INTERNAL_SERVER_ERROR');
    expect((bug.cause as Error).stack).toMatch(FRAME);
  });
});
