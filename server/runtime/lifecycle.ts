/** Process-wide state the health check reports and shutdown flips. */
export interface Lifecycle {
  /** Set at the first SIGTERM/SIGINT: health answers 503 so the load balancer stops routing here. */
  draining: boolean;
  /** Set once migrations (and the embedded first-start seed) have been applied. */
  databaseReady: boolean;
  /** Why the database is not ready yet, for the health report. */
  databaseStartError?: string | undefined;
}

export const createLifecycle = (): Lifecycle => ({ draining: false, databaseReady: false });
