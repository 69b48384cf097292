import type PgBoss from 'pg-boss';

/** Every queue the service runs (docs/SYNC.md "Jobs"). */
export const QUEUES = {
  /** Where a job goes once its retries are spent: `npm run sync:retry-dead` requeues it. */
  deadLetters: 'dead-letters',
  /** Delivers the outbox to HubSpot: one at a time across instances, each run schedules the next. */
  hubspotPush: 'hubspot-push',
  /** Flips scheduled sessions whose activation time has come. */
  activateSessions: 'sessions-activate',
  /** Persists Active bookings of past sessions as Completed. */
  completeBookings: 'bookings-complete',
  /** Incremental pulls from HubSpot by modification time, each with its cursor in sync_metadata. */
  pullSessions: 'hubspot-pull-sessions',
  pullContacts: 'hubspot-pull-contacts',
  pullBookings: 'hubspot-pull-bookings',
  /** Compares counts and credits with HubSpot, repairs what this service owns, reports drift. */
  reconcile: 'hubspot-reconcile',
  /** Passes on waitlist holds whose time ran out (server/jobs/waitlistSweep.ts). */
  waitlistSweep: 'waitlist-sweep',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface QueueSpec {
  name: QueueName;
  /**
   * 'stately': at most one waiting and one running job across all instances (a chain, or a cron
   * whose run must not overlap the next); 'standard' otherwise.
   */
  policy: PgBoss.QueuePolicy;
  /** A cron (pg-boss schedules fire once per slot across all instances), in the school's zone. */
  cron?: string;
  /** Each run schedules the next: started when an engine starts, the cron only re-arms it. */
  chain?: boolean;
}

export const SCHOOL_TIME_ZONE = 'America/Toronto';

export const QUEUE_SPECS: QueueSpec[] = [
  // Every minute as well, to restart the chain should it ever break (a dead-lettered run, a fresh database).
  { name: QUEUES.hubspotPush, policy: 'stately', cron: '* * * * *', chain: true },
  { name: QUEUES.activateSessions, policy: 'stately', cron: '* * * * *' },
  { name: QUEUES.completeBookings, policy: 'stately', cron: '30 3 * * *' },
  // Every few minutes, staggered; stately: a pull still running when the next is due is not doubled.
  { name: QUEUES.pullSessions, policy: 'stately', cron: '*/3 * * * *' },
  { name: QUEUES.pullContacts, policy: 'stately', cron: '1-59/3 * * * *' },
  { name: QUEUES.pullBookings, policy: 'stately', cron: '2-59/3 * * * *' },
  { name: QUEUES.reconcile, policy: 'stately', cron: '40 * * * *' },
  { name: QUEUES.waitlistSweep, policy: 'stately', cron: '* * * * *' },
];
