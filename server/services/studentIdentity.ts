import type { ContactIdentity } from '../../db/queries/contacts';
import type { StudentSession } from '../auth/session';

/** The name a student is shown and booked under: HubSpot's student_name, else first + last name. */
export const displayName = (c: Pick<ContactIdentity, 'studentName' | 'firstname' | 'lastname'>) =>
  c.studentName?.trim() || [c.firstname, c.lastname].filter(Boolean).join(' ');

/**
 * The student's ID, email and name as a booking records them: from the contact row read under the
 * lock, so a change in HubSpot since login (a corrected email, a new student ID) is what gets written.
 * The token's copies stand in only for what the row leaves empty (rows imported without them).
 */
export function currentDetails(
  identity: ContactIdentity,
  session: Pick<StudentSession, 'studentId' | 'email' | 'name'>,
) {
  return {
    studentId: identity.studentId ?? session.studentId,
    email: identity.email ?? session.email,
    name: displayName(identity) || session.name,
  };
}
