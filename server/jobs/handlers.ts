import type { Config } from '../config';
import type { JobHandler } from './engine';
import { QUEUES, type QueueName } from './queues';
import { activateSessions, completeBookings } from './scheduled';

/** The handler of each queue this configuration runs. */
export function jobHandlers(_config: Config): Partial<Record<QueueName, JobHandler>> {
  return {
    [QUEUES.activateSessions]: async ({ database, logger }) => {
      await activateSessions(database.db, logger);
    },
    [QUEUES.completeBookings]: async ({ database, logger }) => {
      await completeBookings(database.db, logger);
    },
  };
}
