import type { SeatCreditRule } from '../../db/queries/bookSeat';
import { type CreditBalances, type CreditColumn, creditFieldName } from '../../db/schema/credits';
import type { MockType, TokenType } from '../../db/schema/statuses';
import type { CreditAvailability } from '../errors';

export interface CreditRule {
  specific: CreditColumn;
  token: TokenType;
  /** SJ and CS fall back to the shared balance when their own is 0; the others have no fallback. */
  sharedFallback: boolean;
}

/** docs/DOMAIN.md "Credits": which credit a session type spends. */
const RULE_OF_TYPE: Record<MockType, CreditRule> = {
  'Situational Judgment': { specific: 'sjCredits', token: 'Situational Judgment Token', sharedFallback: true },
  'Clinical Skills': { specific: 'csCredits', token: 'Clinical Skills Token', sharedFallback: true },
  'Mini-mock': { specific: 'sjminiCredits', token: 'Mini-mock Token', sharedFallback: false },
  'Mock Discussion': { specific: 'mockDiscussionToken', token: 'Mock Discussion Token', sharedFallback: false },
};

const SHARED: { column: CreditColumn; token: TokenType } = { column: 'sharedMockCredits', token: 'Shared Token' };

/** A Map, not the object: a stored mock_type is any text, and 'constructor' must find no rule. */
const RULES = new Map<string, CreditRule>(Object.entries(RULE_OF_TYPE));

/** The rule of a session type, or undefined for a type that cannot be booked online. */
export const ruleFor = (mockType: string): CreditRule | undefined => RULES.get(mockType);

/** The credit a booking of this type would spend now: specific first, then shared where allowed. */
export function chooseCredit(
  rule: CreditRule,
  balances: CreditBalances,
): { column: CreditColumn; token: TokenType } | undefined {
  if (balances[rule.specific] > 0) return { column: rule.specific, token: rule.token };
  if (rule.sharedFallback && balances.sharedMockCredits > 0) return SHARED;
  return undefined;
}

/** What a student can spend on this type: the figure shown as "credits remaining". */
export function availableFor(rule: CreditRule, balances: CreditBalances): CreditAvailability {
  const specific = balances[rule.specific];
  const shared = rule.sharedFallback ? balances.sharedMockCredits : 0;
  return { specific, shared, available: specific + shared, creditField: creditFieldName(rule.specific) };
}

/** The balance a cancellation gives back: exactly the one spent; Admin Override spent none. */
export function refundColumnFor(tokenUsed: string | null): CreditColumn | undefined {
  if (tokenUsed === SHARED.token) return SHARED.column;
  return [...RULES.values()].find((rule) => rule.token === tokenUsed)?.specific;
}

/**
 * Every type's rule with the stored column names, as book_seat takes them: the rules stay defined
 * here only, and the one-statement booking applies exactly these.
 */
export const SEAT_CREDIT_RULES: Record<string, SeatCreditRule> = Object.fromEntries(
  [...RULES].map(([type, rule]) => [
    type,
    {
      specific: creditFieldName(rule.specific),
      specificKey: rule.specific,
      token: rule.token,
      shared: rule.sharedFallback
        ? { column: creditFieldName(SHARED.column), key: SHARED.column, token: SHARED.token }
        : null,
    },
  ]),
);
