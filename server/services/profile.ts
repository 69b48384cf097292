import { findNdeccExamDate, updateNdeccExamDate } from '../../db/queries/contacts';
import type { StudentContext } from '../context';
import type { SetNdeccExamDateInput } from '../contracts/profile';
import { errors } from '../errors';
import { schoolClock } from '../lib/schoolTime';
import { recordChange } from '../sync/outbox';

/**
 * auth.me: who the token says the student is, and their NDECC exam date from their row. A token whose
 * row is not (yet) in this database still answers, with no date: auth.me is how a frontend checks a
 * token, on any instance that shares the secret.
 */
export async function me(ctx: StudentContext) {
  const row = await findNdeccExamDate(ctx.db, ctx.user.contactId);
  return { ...ctx.user, ndeccExamDate: row?.ndeccExamDate ?? null };
}

/**
 * profile.setNdeccExamDate: a date not in the past, judged on the school's calendar (America/Toronto),
 * so "today" is still accepted in the evening there when UTC has moved on to tomorrow.
 */
export async function setNdeccExamDate(ctx: StudentContext, input: SetNdeccExamDateInput) {
  const today = schoolClock(ctx.now()).date;
  if (input.ndeccExamDate < today)
    throw errors.invalidField('ndeccExamDate', `The NDECC exam date cannot be in the past (today is ${today}).`);
  // The change and its note for HubSpot commit together (the transactional outbox, docs/SYNC.md).
  const row = await ctx.db.transaction(async (tx) => {
    const updated = await updateNdeccExamDate(tx, { contactId: ctx.user.contactId, date: input.ndeccExamDate });
    if (updated) await recordChange(tx, { object: 'contact', id: ctx.user.contactId, change: 'profile' });
    return updated;
  });
  if (!row) throw errors.studentGone();
  return { ndeccExamDate: row.ndeccExamDate };
}
