import type { Database } from '../../db/client';
import type { Config } from '../config';
import { withTimeout } from '../lib/time';
import type { Logger } from '../logger';
import type { KeyValueStore } from '../redis';
import { redisKeys } from '../redis/keys';
import { fetchStudentByLogin } from './pull/contactLookup';
import { syncContext } from './syncContext';
import { sharedHubspotToken } from './token';

/** A login never waits on HubSpot longer than this: past it, the student is "not found" this time. */
const LOOKUP_TIMEOUT_MS = 3_000;

/**
 * A student who exists in HubSpot but not yet here (bought credits a minute ago, before the contacts
 * pull): asked of HubSpot once and stored, so this login and every later one find them here. A miss
 * is remembered (HUBSPOT_LOGIN_MISS_TTL_SECONDS) so typos do not spend HubSpot's search budget. Any
 * failure (sync off, HubSpot down or slow) reads as "not found": login never fails because of HubSpot.
 */
export async function fetchUnknownStudent(
  deps: { config: Config; db: Database; kv: KeyValueStore; logger: Logger },
  login: { studentId: string; email: string },
): Promise<boolean> {
  const { config, kv, logger } = deps;
  if (!config.hubspot.enabled) return false;
  const missKey = redisKeys.hubspotLoginMiss(login.studentId, login.email);
  const [missed] = await kv.getNumbers([missKey]).catch(() => [null]);
  if (missed) return false;
  try {
    const token = await sharedHubspotToken(config)();
    const found = await withTimeout(fetchStudentByLogin(syncContext({ ...deps, token }), login), LOOKUP_TIMEOUT_MS);
    if (!found) await kv.setNumbers([[missKey, 1]], config.hubspot.loginMissTtlSeconds * 1000).catch(() => undefined);
    logger.info({ studentId: login.studentId, found }, 'hubspot login lookup');
    return found;
  } catch (err) {
    logger.warn({ err, studentId: login.studentId }, 'hubspot login lookup failed: the student reads as not found');
    return false;
  }
}
