import { asc, eq, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { type CreditColumn, contactCredits } from '../schema';
import { balanceColumns, identityColumns } from './contacts';

/** A trainee as the admin side shows one: who they are (the student's own columns) and every balance. */
const traineeColumns = {
  contactId: contactCredits.hubspotId,
  ...identityColumns,
  ndeccExamDate: contactCredits.ndeccExamDate,
  ...balanceColumns,
};

export async function findTrainee(db: Executor, contactId: string) {
  const [row] = await db.select(traineeColumns).from(contactCredits).where(eq(contactCredits.hubspotId, contactId));
  return row;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Student ID, email or name, by prefix and case-insensitively. */
export function searchTrainees(db: Executor, p: { query: string; limit: number }) {
  const prefix = `${escapeLike(p.query.toLowerCase())}%`;
  return db
    .select(traineeColumns)
    .from(contactCredits)
    .where(
      or(
        sql`lower(${contactCredits.studentId}) like ${prefix}`,
        sql`lower(${contactCredits.email}) like ${prefix}`,
        sql`lower(${contactCredits.firstname}) like ${prefix}`,
        sql`lower(${contactCredits.lastname}) like ${prefix}`,
        sql`lower(${contactCredits.studentName}) like ${prefix}`,
        sql`lower(coalesce(${contactCredits.firstname}, '') || ' ' || coalesce(${contactCredits.lastname}, '')) like ${prefix}`,
      ),
    )
    .orderBy(asc(contactCredits.lastname), asc(contactCredits.firstname), asc(contactCredits.hubspotId))
    .limit(p.limit);
}

/**
 * Adds a signed `delta` to one balance in the statement itself (`col + delta`), so a debit committed
 * meanwhile is never overwritten; call it under the student's row lock. The table's CHECK still
 * refuses a negative balance. Returns the trainee as it is after the change.
 */
export async function addToBalance(tx: Executor, p: { contactId: string; column: CreditColumn; delta: number }) {
  const [row] = await tx
    .update(contactCredits)
    .set({ [p.column]: sql`${contactCredits[p.column]} + ${p.delta}` })
    .where(eq(contactCredits.hubspotId, p.contactId))
    .returning(traineeColumns);
  return row;
}
