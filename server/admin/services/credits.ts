import { addToBalance } from '../../../db/queries/adminTrainees';
import { lockBalances } from '../../../db/queries/contacts';
import type { CreditColumn } from '../../../db/schema';
import type { AdminCreditsAdjustInput, AdminCreditType } from '../../contracts/adminTrainees';
import { errors } from '../../errors';
import { recordChanges } from '../../sync/outbox';
import type { AdminContext } from '../context';
import { audit } from './audit';

const COLUMN_OF: Record<AdminCreditType, CreditColumn> = {
  sj: 'sjCredits',
  cs: 'csCredits',
  sjmini: 'sjminiCredits',
  mockDiscussion: 'mockDiscussionToken',
  shared: 'sharedMockCredits',
};

/**
 * admin.credits.adjust: adds a signed delta to one balance, under the student's row lock (the one
 * every booking, cancellation and refund of theirs takes), so a debit racing the adjustment is never
 * lost and the balance is judged as it really is. The delta, not the result, goes to HubSpot through
 * the outbox, so a purchase made there meanwhile is not overwritten.
 */
export async function adjustCredits(ctx: AdminContext, input: AdminCreditsAdjustInput) {
  const column = COLUMN_OF[input.creditType];
  return ctx.db.transaction(async (tx) => {
    const current = await lockBalances(tx, input.contactId);
    if (!current) throw errors.contactNotFound();
    const before = current[column];
    if (before + input.delta < 0) throw errors.creditsWouldGoNegative(before);
    const trainee = await addToBalance(tx, { contactId: input.contactId, column, delta: input.delta });
    if (!trainee) throw errors.contactNotFound();
    const after = trainee[column];
    await audit(tx, ctx, {
      action: 'credits.adjust',
      targetType: 'contact',
      targetIds: [input.contactId],
      before: { [input.creditType]: before },
      after: { [input.creditType]: after, delta: input.delta },
      reason: input.reason,
    });
    await recordChanges(tx, [
      { object: 'contact', id: input.contactId, change: 'credits', column, delta: input.delta },
    ]);
    return { contactId: input.contactId, creditType: input.creditType, before, after, trainee };
  });
}
