import { Counter } from 'prom-client';
import { metricsRegistry, PREFIX, summedGauge } from './registry';

export const bookingOutcomes = new Counter({
  name: `${PREFIX}booking_outcomes_total`,
  help: 'Booking and cancellation answers: outcome "ok" or the app code of the refusal (EXAM_FULL, BUSY, …)',
  labelNames: ['operation', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const lockWaits = new Counter({
  name: `${PREFIX}lock_waits_total`,
  help: 'Booking/cancellation calls that had to wait for a session lock (behind a local caller or for the shared lock)',
  registers: [metricsRegistry],
});

export const lockWaitSeconds = new Counter({
  name: `${PREFIX}lock_wait_seconds_total`,
  help: 'Time spent waiting for session locks, summed (divide by lock_waits_total for the mean)',
  registers: [metricsRegistry],
});

export const busyAnswers = new Counter({
  name: `${PREFIX}busy_total`,
  help: 'BUSY answers: a session lock was not obtained within BOOKING_LOCK_WAIT_MS',
  registers: [metricsRegistry],
});

/** Reports the in-process lock queue's length at scrape time. */
export const watchLocalQueue = summedGauge(
  `${PREFIX}local_queue_length`,
  'Booking/cancellation calls on this instance queued (or running) behind a session lock in the in-process FIFO',
);

/**
 * Counts the outcome of one booking operation by what the caller gets: "ok", or the app code of
 * the error (`appCodeOf` comes from the caller, so this module needs nothing of the error catalogue).
 */
export async function countBookingOutcome<T>(
  operation: 'create' | 'cancel',
  appCodeOf: (err: unknown) => string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const result = await work();
    bookingOutcomes.inc({ operation, outcome: 'ok' });
    return result;
  } catch (err) {
    bookingOutcomes.inc({ operation, outcome: appCodeOf(err) });
    throw err;
  }
}
