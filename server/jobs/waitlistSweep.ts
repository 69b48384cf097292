import type { DatabaseHandle } from '../../db/client';
import { lockExam } from '../../db/queries/exams';
import { examsNeedingSettlement } from '../../db/queries/waitlist';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { promoteWaitlist, waitlistSettings } from '../services/waitlistPromotion';

const BATCH = 200;

/**
 * Passes on seats whose holds ran out (and gives free seats to students waiting for them) when no
 * booking or cancellation of the session came by to do it: each session in its own booking
 * transaction under its row lock, the one every booking takes (docs/DOMAIN.md "Waitlist"). The Redis
 * seat mirror is left to heal on the next read: it is only a hint.
 */
export async function sweepWaitlists(
  database: Pick<DatabaseHandle, 'db' | 'bookingTransaction'>,
  config: Config,
  logger: Logger,
  now = new Date(),
): Promise<number> {
  const settings = waitlistSettings({ config, now: () => now });
  let promoted = 0;
  for (const examId of await examsNeedingSettlement(database.db, { now, limit: BATCH })) {
    const done = await database.bookingTransaction(async (tx) => {
      const exam = await lockExam(tx, examId);
      return exam ? promoteWaitlist(tx, exam, settings) : undefined;
    });
    if (done && (done.promoted.length > 0 || done.expired > 0)) {
      promoted += done.promoted.length;
      logger.info(
        { job: 'waitlist-sweep', examId, promoted: done.promoted.length, expired: done.expired },
        'waitlist settled',
      );
    }
  }
  return promoted;
}
