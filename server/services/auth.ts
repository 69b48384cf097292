import { findContactForLogin } from '../../db/queries/contacts';
import { issueSessionToken, type StudentSession } from '../auth/session';
import type { InnerContext } from '../context';
import type { LoginInput } from '../contracts/auth';
import { errors } from '../errors';
import { redisKeys } from '../redis/keys';
import { countFailures, enforceRateLimits, failuresOverLimit, readFailureCounts } from '../redis/rateLimit';
import { fetchUnknownStudent } from '../sync/loginLookup';
import { displayName } from './studentIdentity';

/**
 * Who may try to log in as whom. Counting every attempt per student ID let anyone lock a student out
 * (ten wrong emails a minute, renewed forever). Instead:
 * - a source (client IP) gets LOGIN_RATE_LIMIT_PER_IP attempts a minute, whoever they are for;
 * - failures are counted per student ID *and* source: a source that failed
 *   LOGIN_RATE_LIMIT_PER_STUDENT times on a student ID is refused for it, others are not;
 * - the global cap: once a student ID has LOGIN_RATE_LIMIT_PER_STUDENT_ALL_SOURCES failures from all
 *   sources together (guessing spread over many IPs), every source that failed on it is refused for
 *   the rest of the minute; a source with no failure on it (the student, typing it right) still gets in.
 */
async function refuseAbusiveSource(ctx: InnerContext, studentId: string, clientIp: string) {
  const { perIpPerMinute, perStudentPerMinute, perStudentAllSourcesPerMinute } = ctx.config.loginRateLimit;
  await enforceRateLimits(
    ctx.kv,
    [{ key: redisKeys.loginAttemptsByIp(clientIp), perMinute: perIpPerMinute }],
    ctx.logger,
  );
  const counters = [redisKeys.loginFailuresBySource(studentId, clientIp), redisKeys.loginFailuresByStudent(studentId)];
  const [fromSource = 0, fromAllSources = 0] = await readFailureCounts(ctx.kv, counters, ctx.logger);
  if (fromSource >= perStudentPerMinute || (fromSource > 0 && fromAllSources >= perStudentAllSourcesPerMinute))
    throw failuresOverLimit();
  return counters;
}

export async function login(ctx: InnerContext, input: LoginInput, clientIp: string) {
  const counters = await refuseAbusiveSource(ctx, input.studentId, clientIp);
  const who = { studentId: input.studentId, email: input.email };
  let contact = await findContactForLogin(ctx.db, who);
  // Known to HubSpot but not yet here (the contacts pull has not run since they signed up): fetch once.
  if (!contact && (await fetchUnknownStudent(ctx, who))) contact = await findContactForLogin(ctx.db, who);
  if (!contact) {
    await countFailures(ctx.kv, counters, ctx.logger);
    throw errors.noMatchingStudent();
  }

  const session: StudentSession = {
    contactId: contact.contactId,
    studentId: contact.studentId ?? input.studentId,
    email: contact.email ?? input.email,
    name: displayName(contact) || input.studentId,
  };
  const { token, expiresAt } = await issueSessionToken(session, ctx.config.session, ctx.now());
  return { token, expiresAt, contact: session };
}
