import { findBalances } from '../../db/queries/contacts';
import type { CreditBalances } from '../../db/schema/credits';
import type { StudentContext } from '../context';
import { errors } from '../errors';
import { availableFor, ruleFor } from './creditRules';

export async function myBalances(ctx: StudentContext): Promise<CreditBalances> {
  const balances = await findBalances(ctx.db, ctx.user.contactId);
  if (!balances) throw errors.studentGone();
  return balances;
}

export async function checkCredits(ctx: StudentContext, mockType: string) {
  const rule = ruleFor(mockType);
  if (!rule) throw errors.invalidField('mockType', `Unknown mock type: ${mockType}`);
  const credit = availableFor(rule, await myBalances(ctx));
  return { eligible: credit.available > 0, ...credit };
}
