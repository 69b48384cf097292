import type { Config } from '../config';
import type { PullType } from '../sync/pull/run';
import { type PullJobData, runPullJob } from '../sync/pullJob';
import { type PushJobData, runPush } from '../sync/pushJob';
import { runReconcile } from '../sync/reconcile';
import { hubspotTokenSource } from '../sync/token';
import type { JobHandler } from './engine';
import { QUEUES, type QueueName } from './queues';
import { activateSessions, completeBookings } from './scheduled';
import { sweepWaitlists } from './waitlistSweep';

/** The handler of each queue this configuration runs; HubSpot's only when a token is configured. */
export function jobHandlers(config: Config): Partial<Record<QueueName, JobHandler>> {
  const handlers: Partial<Record<QueueName, JobHandler>> = {
    [QUEUES.activateSessions]: async ({ database, logger }) => {
      await activateSessions(database.db, logger);
    },
    [QUEUES.completeBookings]: async ({ database, logger }) => {
      await completeBookings(database.db, logger);
    },
    [QUEUES.waitlistSweep]: async ({ database, logger }) => {
      await sweepWaitlists(database, config, logger);
    },
  };
  if (config.hubspot.enabled) {
    const token = hubspotTokenSource(config);
    handlers[QUEUES.hubspotPush] = async ({ database, logger, boss, kv }, job) => {
      await runPush(
        { db: database.db, config, logger, boss, token: await token(), kv },
        job.data as PushJobData,
        QUEUES.hubspotPush,
      );
    };
    const pulls: Array<[QueueName, PullType]> = [
      [QUEUES.pullSessions, 'sessions'],
      [QUEUES.pullContacts, 'contacts'],
      [QUEUES.pullBookings, 'bookings'],
    ];
    handlers[QUEUES.reconcile] = async ({ database, logger, kv }) => {
      await runReconcile({ db: database.db, config, logger, token: await token(), kv });
    };
    for (const [queue, type] of pulls) {
      handlers[queue] = async ({ database, logger, kv }, job) => {
        await runPullJob({ db: database.db, config, logger, token: await token(), kv }, type, job.data as PullJobData);
      };
    }
  }
  return handlers;
}
