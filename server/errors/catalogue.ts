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

export type NotBookableReason = 'inactive' | 'not-yet-open' | 'started' | 'cutoff' | 'unknown-type';

/** What a student can spend on a session type (`credits.check` shows the same). */
export interface CreditAvailability {
  specific: number;
  shared: number;
  available: number;
  creditField: string;
}

export const APP_ERRORS = {
  UNAUTHENTICATED: code('UNAUTHORIZED'),
  /** An admin signed in whose role lacks the procedure's permission (named in details). */
  FORBIDDEN: code<{ permission: string } | undefined>('FORBIDDEN'),
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
  /** The URL names no procedure. */
  PROCEDURE_NOT_FOUND: code('NOT_FOUND'),
  /** A query sent as POST or a mutation as GET. */
  METHOD_NOT_SUPPORTED: code('METHOD_NOT_SUPPORTED'),
  /** A POST that is not application/json (forms and raw bytes are never accepted). */
  UNSUPPORTED_MEDIA_TYPE: code('UNSUPPORTED_MEDIA_TYPE'),
  /** A body over TRPC_MAX_BODY_BYTES or a batch over TRPC_MAX_BATCH_SIZE: `details` says which limit. */
  PAYLOAD_TOO_LARGE: code<{ limit: number; unit: 'bytes' | 'calls' } | undefined>('PAYLOAD_TOO_LARGE'),
  /** A mutation carrying the session cookie from a page that is not one of FRONTEND_URL's origins. */
  CROSS_SITE_REQUEST: code('FORBIDDEN'),
  /** Cancelling this booking would leave an active Mock Discussion booking without its prerequisite. */
  PREREQUISITE_IN_USE: code<{ dependentBookingIds: string[] }>('CONFLICT'),
  /** Admin: a session still holding Active or Completed bookings cannot be deleted. */
  EXAM_HAS_BOOKINGS: code<{ bookings: number }>('CONFLICT'),
  /** Admin: a capacity below the seats already taken. */
  CAPACITY_BELOW_BOOKINGS: code<{ totalBookings: number }>('CONFLICT'),
  /** Admin: no student with that contact id. */
  CONTACT_NOT_FOUND: code('NOT_FOUND'),
  /** Admin: attendance on a cancelled booking, or a booking of another session. */
  BOOKING_NOT_MARKABLE: code<{ status: BookingStatus } | undefined>('PRECONDITION_FAILED'),
  /** Admin: rebooking a booking that is not Active (cancelled or already completed). */
  BOOKING_NOT_REBOOKABLE: code<{ status: BookingStatus }>('PRECONDITION_FAILED'),
  /** Admin: a credit adjustment that would leave the balance below zero. */
  CREDITS_WOULD_GO_NEGATIVE: code<{ balance: number }>('CONFLICT'),
  /** The student holds another non-cancelled booking whose session overlaps this one in time. */
  TIME_CONFLICT: code<{ bookingId: string; examId: string }>('CONFLICT'),
  /** waitlist.join on a session that has a seat: book it instead. */
  WAITLIST_NOT_NEEDED: code<{ availableSlots: number }>('CONFLICT'),
  /** waitlist.join by a student already in that session's line. */
  WAITLIST_ALREADY_JOINED: code<{ entryId: string; position: number }>('CONFLICT'),
  /** waitlist.leave or waitlist.claim for a session whose line the student is not in. */
  WAITLIST_ENTRY_NOT_FOUND: code('NOT_FOUND'),
  /** waitlist.claim while still waiting: no seat is held for the student yet. */
  WAITLIST_NO_OFFER: code<{ position: number }>('PRECONDITION_FAILED'),
  /** waitlist.claim after the hold's WAITLIST_HOLD_MINUTES ran out: the seat has passed on. */
  WAITLIST_HOLD_EXPIRED: code<{ expiredAt: string | null }>('PRECONDITION_FAILED'),
} as const;

export type AppErrorCode = keyof typeof APP_ERRORS;
/** `error.data.details` for each code; the client narrows it with `isAppError(err, code)`. */
export type AppErrorDetails = { [C in AppErrorCode]: (typeof APP_ERRORS)[C]['details'] };

/**
 * Runs `make` with V8's stack capture off. Refusals (EXAM_FULL, DUPLICATE_BOOKING, a field error) are
 * answers, not faults: nobody reads where one was raised, yet capturing V8's (async) stack for each,
 * and formatting it when tRPC wraps the error, was ~10 % of a refused booking's CPU in issue 13's
 * profile, paid 1,600 times in a release stampede. A refusal that wraps a real failure (BUSY,
 * SERVICE_UNAVAILABLE) keeps that failure, with its stack, as its cause.
 */
export function withoutStackTrace<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** A refusal with its app code: raised without a stack trace (withoutStackTrace says why). */
export class DomainError<C extends AppErrorCode = AppErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details: AppErrorDetails[C],
    options?: { cause?: unknown },
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options);
    Error.stackTraceLimit = limit;
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
  cutoff: 'can no longer be booked: booking closes before it starts',
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

  /** Raw HTTP callers must wrap input the way the client does (README "Raw HTTP"). */
  notAnEnvelope: (problem: string) =>
    new DomainError(
      'VALIDATION_FAILED',
      `${problem}: wrap the input in superjson's envelope, {"json": <input>} (e.g. ?input={"json":{"location":"Toronto"}} on a query, or the body {"json":{"examId":"…"}} of a mutation).`,
      undefined,
    ),
  /** Postgres refused a value from the request (class 22: a data exception), not a bug of ours. */
  invalidValue: (cause: unknown) =>
    new DomainError('VALIDATION_FAILED', 'A value in the request is not valid.', undefined, { cause }),

  /** tRPC's own answers about the request itself (no such procedure, wrong method), in its words. */
  procedureNotFound: (message: string) => new DomainError('PROCEDURE_NOT_FOUND', message, undefined),
  methodNotSupported: (message: string) => new DomainError('METHOD_NOT_SUPPORTED', message, undefined),
  bodyTooLargeUnstated: () => new DomainError('PAYLOAD_TOO_LARGE', 'The request body is too large.', undefined),
  unsupportedMediaType: (got: string | undefined) =>
    new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Send calls as Content-Type: application/json${got ? ` (got "${got}")` : ''}.`,
      undefined,
    ),
  bodyTooLarge: (limit: number) =>
    new DomainError('PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${limit} bytes.`, {
      limit,
      unit: 'bytes',
    }),
  batchTooLarge: (limit: number) =>
    new DomainError('PAYLOAD_TOO_LARGE', `Too many calls in one batch: at most ${limit} calls per batch.`, {
      limit,
      unit: 'calls',
    }),
  crossSiteRequest: () =>
    new DomainError(
      'CROSS_SITE_REQUEST',
      'This request came from a page that may not act for you (its Origin is not an allowed frontend).',
      undefined,
    ),
  prerequisiteInUse: (dependentBookingIds: string[]) =>
    new DomainError(
      'PREREQUISITE_IN_USE',
      'This booking is a prerequisite of your Mock Discussion booking: cancel the discussion first.',
      { dependentBookingIds },
    ),

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

  adminNotSignedIn: () => new DomainError('UNAUTHENTICATED', "Sign in with the school's identity provider.", undefined),
  adminForbidden: (permission: string) =>
    new DomainError('FORBIDDEN', `Your role does not allow this (needs ${permission}).`, { permission }),
  adminSignInUnavailable: (cause: unknown) =>
    new DomainError(
      'SERVICE_UNAVAILABLE',
      "The school's identity provider cannot be reached; please try again shortly.",
      undefined,
      { cause },
    ),
  examHasBookings: (bookings: number) =>
    new DomainError('EXAM_HAS_BOOKINGS', 'This session has active or completed bookings and cannot be deleted.', {
      bookings,
    }),
  capacityBelowBookings: (totalBookings: number) =>
    new DomainError('CAPACITY_BELOW_BOOKINGS', `Capacity cannot go below the ${totalBookings} seats taken.`, {
      totalBookings,
    }),
  contactNotFound: () => new DomainError('CONTACT_NOT_FOUND', 'No such student.', undefined),
  bookingNotMarkable: (status?: BookingStatus) =>
    status
      ? new DomainError('BOOKING_NOT_MARKABLE', `Attendance cannot be marked on a ${status.toLowerCase()} booking.`, {
          status,
        })
      : new DomainError('BOOKING_NOT_MARKABLE', 'That booking is not on this session.', undefined),
  bookingNotRebookable: (status: BookingStatus) =>
    new DomainError('BOOKING_NOT_REBOOKABLE', `A ${status.toLowerCase()} booking cannot be moved.`, { status }),
  creditsWouldGoNegative: (balance: number) =>
    new DomainError('CREDITS_WOULD_GO_NEGATIVE', `The balance is ${balance}; it cannot go below zero.`, { balance }),
  timeConflict: (other: { bookingId: string; examId: string }) =>
    new DomainError('TIME_CONFLICT', 'You already have a booking at an overlapping time.', other),

  waitlistNotNeeded: (availableSlots: number) =>
    new DomainError('WAITLIST_NOT_NEEDED', 'This session has a free seat: book it instead of joining the waitlist.', {
      availableSlots,
    }),
  waitlistAlreadyJoined: (entry: { entryId: string; position: number }) =>
    new DomainError('WAITLIST_ALREADY_JOINED', "You are already on this session's waitlist.", entry),
  waitlistEntryNotFound: () =>
    new DomainError('WAITLIST_ENTRY_NOT_FOUND', "You are not on this session's waitlist.", undefined),
  waitlistNoOffer: (position: number) =>
    new DomainError('WAITLIST_NO_OFFER', 'No seat is held for you yet: you are still in line.', { position }),
  waitlistHoldExpired: (expiredAt: string | null) =>
    new DomainError('WAITLIST_HOLD_EXPIRED', 'The seat held for you has expired and passed to the next in line.', {
      expiredAt,
    }),
};
