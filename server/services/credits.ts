import { findBalances } from '../../db/queries/contacts';
import type { CreditBalances } from '../../db/schema/credits';
import type { StudentSession } from '../auth/session';
import type { InnerContext } from '../context';
import { DomainError } from '../errors';
import { availableFor, ruleFor } from './creditRules';

type StudentContext = InnerContext & { user: StudentSession };

/** A valid token whose student row has since gone (merged or deleted in HubSpot). */
export const studentGone = () =>
  new DomainError('UNAUTHENTICATED', 'Your student record is no longer available; please log in again.');

export async function myBalances(ctx: StudentContext): Promise<CreditBalances> {
  const balances = await findBalances(ctx.db, ctx.user.contactId);
  if (!balances) throw studentGone();
  return balances;
}

export async function checkCredits(ctx: StudentContext, mockType: string) {
  const rule = ruleFor(mockType);
  if (!rule) throw new DomainError('VALIDATION_FAILED', `Unknown mock type: ${mockType}`);
  const credit = availableFor(rule, await myBalances(ctx));
  return { eligible: credit.available > 0, ...credit };
}
