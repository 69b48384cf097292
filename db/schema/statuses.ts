/**
 * Allowed values of the text status columns. They are enforced by CHECK constraints (not pg enums,
 * whose changes break migrations) and reused by the TypeScript layer so the two cannot drift.
 */
export const EXAM_STATUSES = ['true', 'false', 'scheduled'] as const;
export type ExamStatus = (typeof EXAM_STATUSES)[number];

export const BOOKING_STATUSES = ['Active', 'Cancelled', 'Completed'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const ATTENDANCE_VALUES = ['Yes', 'No', ''] as const;
export type Attendance = (typeof ATTENDANCE_VALUES)[number];

/**
 * The session types the school runs. mock_type has no CHECK constraint (sessions are authored in
 * HubSpot, and legacy rows are imported as they are), so the column is typed with these but code that
 * branches on a stored value still treats an unknown one as possible (see creditRules.ruleFor).
 */
export const MOCK_TYPES = ['Situational Judgment', 'Clinical Skills', 'Mini-mock', 'Mock Discussion'] as const;
export type MockType = (typeof MOCK_TYPES)[number];

export const TOKEN_TYPES = [
  'Situational Judgment Token',
  'Clinical Skills Token',
  'Mini-mock Token',
  'Mock Discussion Token',
  'Shared Token',
  'Admin Override',
] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/**
 * A waitlist entry's life (docs/DOMAIN.md "Waitlist"): `waiting` in line, `offered` a seat held for it
 * until `offer_expires_at`, then `booked` (promoted or claimed), `left`, or `expired` (the hold passed on).
 * Only `waiting` and `offered` are in the queue; an `offered` entry holds one of the session's seats.
 */
export const WAITLIST_STATUSES = ['waiting', 'offered', 'booked', 'left', 'expired'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];
