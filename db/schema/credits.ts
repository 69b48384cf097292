import { contactCredits } from './contacts';

/**
 * A student's five credit balances (columns of hubspot_contact_credits), as the data defines them:
 * queries read and adjust them, the booking rules decide which one a session spends.
 */
export const CREDIT_COLUMNS = [
  'sjCredits',
  'csCredits',
  'sjminiCredits',
  'mockDiscussionToken',
  'sharedMockCredits',
] as const;
export type CreditColumn = (typeof CREDIT_COLUMNS)[number];
export type CreditBalances = Record<CreditColumn, number>;

/** The column's name as stored (and as the old API called it), e.g. `cs_credits`. */
export const creditFieldName = (column: CreditColumn): string => contactCredits[column].name;
