import { findContactForLogin } from '../../db/queries/contacts';
import { issueSessionToken, type StudentSession } from '../auth/session';
import type { InnerContext } from '../context';
import type { LoginInput } from '../contracts/auth';
import { errors } from '../errors';
import { redisKeys } from '../redis/keys';
import { enforceRateLimits } from '../redis/rateLimit';

export async function login(ctx: InnerContext, input: LoginInput, clientIp: string) {
  const { perIpPerMinute, perStudentPerMinute } = ctx.config.loginRateLimit;
  await enforceRateLimits(
    ctx.kv,
    [
      { key: redisKeys.loginAttemptsByIp(clientIp), perMinute: perIpPerMinute },
      { key: redisKeys.loginAttemptsByStudent(input.studentId), perMinute: perStudentPerMinute },
    ],
    ctx.logger,
  );
  const contact = await findContactForLogin(ctx.db, { studentId: input.studentId, email: input.email });
  if (!contact) throw errors.noMatchingStudent();

  const session: StudentSession = {
    contactId: contact.contactId,
    studentId: contact.studentId ?? input.studentId,
    email: contact.email ?? input.email,
    name:
      contact.studentName?.trim() || [contact.firstname, contact.lastname].filter(Boolean).join(' ') || input.studentId,
  };
  const { token, expiresAt } = await issueSessionToken(session, ctx.config.session, ctx.now());
  return { token, expiresAt, contact: session };
}
