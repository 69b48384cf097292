import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { BookingStatus } from '../../db/schema/statuses';

/**
 * The one catalogue of what the API answers when a call fails: every stable code the frontend
 * branches on (`error.data.appCode`), its HTTP status (as a tRPC code), the shape of its
 * `error.data.details`, and below, the factory that builds it. Services throw only what these
 * factories make; `toTRPCError` is the single place that turns anything thrown into a tRPC error.
 */

/** A code's HTTP mapping; `D` is the type of its details (a type only: nothing is stored). */
const code = <D = undefined>(http: TRPC_ERROR_CODE_KEY) => ({ http, details: undefined as D });

export type NotBookableReason = 'inactive' | 'not-yet-open' | 'started' | 'unknown-type';

/** What a student can spend on a session type (`credits.check` shows the same). */
export interface CreditAvailability {
  specific: number;
  shared: number;
  available: number;
  creditField: string;
}

export const APP_ERRORS = {
  UNAUTHENTICATED: code('UNAUTHORIZED'),
  /** Reserved for the admin procedures. */
  FORBIDDEN: code('FORBIDDEN'),
  RATE_LIMITED: code<{ retryAfterSeconds: number }>('TOO_MANY_REQUESTS'),
  /** Schema failures carry `data.fieldErrors`; a field the service rejects itself is named in details too. */
  VALIDATION_FAILED: code<{ field: string } | undefined>('BAD_REQUEST'),
  EXAM_NOT_FOUND: code('NOT_FOUND'),
  EXAM_NOT_BOOKABLE: code<{ reason: NotBookableReason }>('PRECONDITION_FAILED'),
  EXAM_FULL: code<{ capacity: number }>('CONFLICT'),
  /** The existing booking, when the rule (not a lost race against the unique index) found it. */
  DUPLICATE_BOOKING: code<{ bookingId: string } | undefined>('CONFLICT'),
  INSUFFICIENT_CREDITS: code<CreditAvailability>('PAYMENT_REQUIRED'),
  PREREQUISITES_NOT_MET: code<{ missingExamIds: string[] }>('PRECONDITION_FAILED'),
  IDEMPOTENCY_KEY_REUSED: code('UNPROCESSABLE_CONTENT'),
  BOOKING_NOT_FOUND: code('NOT_FOUND'),
  BOOKING_NOT_CANCELLABLE: code<{ status: BookingStatus } | { cutoffHours: number } | undefined>('PRECONDITION_FAILED'),
  BUSY: code('TOO_MANY_REQUESTS'),
  SERVICE_UNAVAILABLE: code('SERVICE_UNAVAILABLE'),
  /** A bug: never thrown on purpose, only what the mapper makes of an unknown error. */
  INTERNAL_ERROR: code('INTERNAL_SERVER_ERROR'),
} as const;

export type AppErrorCode = keyof typeof APP_ERRORS;
/** `error.data.details` for each code; the client narrows it with `isAppError(err, code)`. */
export type AppErrorDetails = { [C in AppErrorCode]: (typeof APP_ERRORS)[C]['details'] };

export class DomainError<C extends AppErrorCode = AppErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details: AppErrorDetails[C],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}

/** The seats a session had when it was found full: the count the Redis mirror is healed with. */
interface SeatsAtRefusal {
  examId: string;
  capacity: number;
  totalBookings: number;
}

/** EXAM_FULL, carrying the count that proved it. */
export class ExamFullError extends DomainError<'EXAM_FULL'> {
  constructor(readonly seats: SeatsAtRefusal) {
    super('EXAM_FULL', 'This session is full.', { capacity: seats.capacity });
  }
}

const NOT_BOOKABLE_BECAUSE: Record<Exclude<NotBookableReason, 'unknown-type'>, string> = {
  inactive: 'is not open for booking',
  'not-yet-open': 'has not opened for booking yet',
  started: 'has already started',
};

/** The only way the service builds an error answer: one factory per situation, each message once. */
export const errors = {
  notLoggedIn: () => new DomainError('UNAUTHENTICATED', 'Please log in with your student ID and email.', undefined),
  /** One message for "no such ID" and "wrong email": the answer must not confirm which IDs exist. */
  noMatchingStudent: () =>
    new DomainError('UNAUTHENTICATED', 'No student matches that student ID and email.', undefined),
  /** A valid token whose student row has since gone (merged or deleted in HubSpot). */
  studentGone: () =>
    new DomainError('UNAUTHENTICATED', 'Your student record is no longer available; please log in again.', undefined),

  rateLimited: (details: { retryAfterSeconds: number }) =>
    new DomainError('RATE_LIMITED', 'Too many attempts; please wait a minute and try again.', details),

  /** A field the schema let through but the service cannot use (reported like a schema failure). */
  invalidField: (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { field }),

  examNotFound: () => new DomainError('EXAM_NOT_FOUND', 'That session does not exist.', undefined),
  examNotBookable: (reason: Exclude<NotBookableReason, 'unknown-type'>) =>
    new DomainError('EXAM_NOT_BOOKABLE', `This session ${NOT_BOOKABLE_BECAUSE[reason]}.`, { reason }),
  examTypeNotBookable: (mockType: string) =>
    new DomainError('EXAM_NOT_BOOKABLE', `Sessions of type "${mockType}" cannot be booked online.`, {
      reason: 'unknown-type',
    }),
  examFull: (seats: SeatsAtRefusal) => new ExamFullError(seats),

  duplicateBooking: (existing: { mockType: string; examDate: string; bookingId: string }) =>
    new DomainError('DUPLICATE_BOOKING', `You already have a ${existing.mockType} booking on ${existing.examDate}.`, {
      bookingId: existing.bookingId,
    }),
  /** The unique index caught a concurrent duplicate the rule could not yet see. */
  duplicateBookingRace: () =>
    new DomainError('DUPLICATE_BOOKING', 'You already have a booking of this type on that date.', undefined),
  insufficientCredits: (mockType: string, availability: CreditAvailability) =>
    new DomainError('INSUFFICIENT_CREDITS', `You have no credits left for ${mockType} sessions.`, availability),
  prerequisitesNotMet: (missingExamIds: string[]) =>
    new DomainError('PREREQUISITES_NOT_MET', 'This discussion needs a booking on the sessions it reviews first.', {
      missingExamIds,
    }),
  idempotencyKeyReused: () =>
    new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was already used for a different booking request.',
      undefined,
    ),

  bookingNotFound: () => new DomainError('BOOKING_NOT_FOUND', 'No such booking.', undefined),
  bookingClosed: (status: BookingStatus) =>
    new DomainError('BOOKING_NOT_CANCELLABLE', `This booking is already ${status.toLowerCase()}.`, { status }),
  pastCancellationCutoff: (cutoffHours: number) =>
    new DomainError('BOOKING_NOT_CANCELLABLE', 'This session has started or is past its cancellation cutoff.', {
      cutoffHours,
    }),
  /** A second cancellation that got past the checks; the status guard in the UPDATE stopped it. */
  alreadyCancelled: () => new DomainError('BOOKING_NOT_CANCELLABLE', 'This booking was already cancelled.', undefined),

  /** The session's lock could not be had within the wait budget. */
  sessionBusy: () =>
    new DomainError('BUSY', 'Too many people are booking this session right now; please try again.', undefined),
  /** Postgres gave up on a statement or a row lock in time: try again. */
  databaseBusy: (cause: unknown) =>
    new DomainError('BUSY', 'The service is busy; please try again.', undefined, { cause }),
  serviceUnavailable: (cause: unknown) =>
    new DomainError(
      'SERVICE_UNAVAILABLE',
      'The service is temporarily unavailable; please try again shortly.',
      undefined,
      { cause },
    ),
};
