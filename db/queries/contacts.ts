import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { type CreditBalances, type CreditColumn, contactCredits } from '../schema';

export const balanceColumns = {
  sjCredits: contactCredits.sjCredits,
  csCredits: contactCredits.csCredits,
  sjminiCredits: contactCredits.sjminiCredits,
  mockDiscussionToken: contactCredits.mockDiscussionToken,
  sharedMockCredits: contactCredits.sharedMockCredits,
};

/**
 * Login: student ID exactly, email case-insensitively (served by idx_contacts_email_lower). Nothing
 * here makes (student ID, email) unique (a HubSpot merge can leave two rows), so the oldest record
 * answers, the same one every time.
 */
export async function findContactForLogin(db: Executor, { studentId, email }: { studentId: string; email: string }) {
  const [row] = await db
    .select({
      contactId: contactCredits.hubspotId,
      studentId: contactCredits.studentId,
      email: contactCredits.email,
      firstname: contactCredits.firstname,
      lastname: contactCredits.lastname,
      studentName: contactCredits.studentName,
    })
    .from(contactCredits)
    .where(and(eq(contactCredits.studentId, studentId), sql`lower(${contactCredits.email}) = lower(${email})`))
    .orderBy(asc(contactCredits.createdAt), asc(contactCredits.hubspotId))
    .limit(1);
  return row;
}

export async function findBalances(db: Executor, contactId: string): Promise<CreditBalances | undefined> {
  const [row] = await db.select(balanceColumns).from(contactCredits).where(eq(contactCredits.hubspotId, contactId));
  return row;
}

/** Who the student is now: the row, not the copies a session token carries from login. */
export const identityColumns = {
  studentId: contactCredits.studentId,
  email: contactCredits.email,
  studentName: contactCredits.studentName,
  firstname: contactCredits.firstname,
  lastname: contactCredits.lastname,
};
export type ContactIdentity = { [K in keyof typeof identityColumns]: string | null };

/**
 * Locks the student's row for the rest of the transaction (one spend or refund at a time per student)
 * and returns its balances and its current identity; undefined when the row is gone.
 */
export async function lockBalances(
  tx: Executor,
  contactId: string,
): Promise<(CreditBalances & { identity: ContactIdentity }) | undefined> {
  const [row] = await tx
    .select({ ...balanceColumns, identity: identityColumns })
    .from(contactCredits)
    .where(eq(contactCredits.hubspotId, contactId))
    .for('update');
  return row;
}

/** Adds `delta` to one balance; the table's CHECK refuses to let it go below zero. */
export async function adjustBalance(
  tx: Executor,
  { contactId, column, delta }: { contactId: string; column: CreditColumn; delta: 1 | -1 },
): Promise<CreditBalances> {
  const target = balanceColumns[column];
  const [row] = await tx
    .update(contactCredits)
    .set({ [column]: sql`${target} + ${delta}` })
    .where(eq(contactCredits.hubspotId, contactId))
    .returning(balanceColumns);
  if (!row) throw new Error(`contact ${contactId} vanished inside its own locked transaction`);
  return row;
}

/** The student's NDECC exam date as stored (free text in rows imported from the old system). */
export async function findNdeccExamDate(db: Executor, contactId: string) {
  const [row] = await db
    .select({ ndeccExamDate: contactCredits.ndeccExamDate })
    .from(contactCredits)
    .where(eq(contactCredits.hubspotId, contactId));
  return row;
}

/** Sets the student's NDECC exam date; undefined when the student's row is gone. */
export async function updateNdeccExamDate(db: Executor, { contactId, date }: { contactId: string; date: string }) {
  const [row] = await db
    .update(contactCredits)
    .set({ ndeccExamDate: date })
    .where(eq(contactCredits.hubspotId, contactId))
    .returning({ ndeccExamDate: contactCredits.ndeccExamDate });
  return row;
}
