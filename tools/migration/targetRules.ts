import { ATTENDANCE_VALUES, BOOKING_STATUSES, EXAM_STATUSES, TOKEN_TYPES } from '../../db/schema/statuses';
import type { TargetValue } from './convertValue';
import type { TableName } from './tableMappings';

/**
 * The target's CHECK constraints, checked before writing so a refused row is reported with the column
 * and the rule it breaks. Postgres stays the judge: whatever slips past these (a unique index above
 * all) is caught when the row is written and reported the same way.
 */
export type TargetRow = Record<string, TargetValue | null>;
export interface RuleViolation {
  column: string;
  reason: string;
}

const CREDIT_COLUMNS = ['sj_credits', 'cs_credits', 'sjmini_credits', 'mock_discussion_token', 'shared_mock_credits'];

const oneOf = (allowed: readonly string[]) => `not one of ${allowed.map((v) => `'${v}'`).join(', ')}`;

function outside(row: TargetRow, column: string, allowed: readonly string[], nullable: boolean): RuleViolation[] {
  if (!(column in row)) return [];
  const value = row[column];
  if (value === null) return nullable ? [] : [{ column, reason: 'NULL, but the target requires a value' }];
  return allowed.includes(value as string) ? [] : [{ column, reason: oneOf(allowed) }];
}

function negative(row: TargetRow, columns: readonly string[]): RuleViolation[] {
  const found: RuleViolation[] = [];
  for (const column of columns)
    if (typeof row[column] === 'string' && Number(row[column]) < 0) found.push({ column, reason: 'negative' });
  return found;
}

const rules: Record<TableName, (row: TargetRow) => RuleViolation[]> = {
  hubspot_bookings: (row) => [
    ...outside(row, 'is_active', BOOKING_STATUSES, false),
    ...outside(row, 'attendance', ATTENDANCE_VALUES, true),
    ...outside(row, 'token_used', TOKEN_TYPES, true),
    ...(row.token_refunded === 'true' && 'is_active' in row && row.is_active !== 'Cancelled'
      ? [
          {
            column: 'token_refunded',
            reason: `refunded, but the booking is '${String(row.is_active)}', not 'Cancelled'`,
          },
        ]
      : []),
  ],
  hubspot_mock_exams: (row) => [
    ...outside(row, 'is_active', EXAM_STATUSES, false),
    ...negative(row, ['capacity', 'total_bookings']),
    ...(row.is_active === 'scheduled' && (row.scheduled_activation_datetime ?? null) === null
      ? [
          {
            column: 'scheduled_activation_datetime',
            reason: "is_active is 'scheduled' but there is no activation time",
          },
        ]
      : []),
  ],
  hubspot_contact_credits: (row) => negative(row, CREDIT_COLUMNS),
  sync_metadata: () => [],
};

export const targetRuleViolations = (table: TableName, row: TargetRow) => rules[table](row);

/** Plain words for the target constraints Postgres may name when it refuses a row. */
export const CONSTRAINT_MEANINGS: Readonly<Record<string, string>> = {
  hubspot_bookings_one_active_per_contact_exam: 'the student already has a non-cancelled booking of this session',
  hubspot_bookings_hubspot_id_unique: 'another booking already has this hubspot_id',
  hubspot_bookings_idempotency_key_unique: 'another booking already has this idempotency_key',
  hubspot_bookings_pkey: 'a booking with this id already exists under another key',
  hubspot_mock_exams_pkey: 'a session with this id already exists under another hubspot_id',
  hubspot_contact_credits_pkey: 'a contact with this id already exists under another hubspot_id',
  sync_metadata_pkey: 'a sync_metadata row with this id already exists under another sync_type',
};
