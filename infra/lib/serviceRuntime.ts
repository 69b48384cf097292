/**
 * How the service runs on an instance: ports, paths and the shutdown/health timings that the
 * target group, the systemd unit and the service's environment must agree on. One place, so the
 * deregistration delay, the drain delay and `TimeoutStopSec` cannot drift apart.
 */

export const APP_PORT = 3000;
/** Prometheus `/metrics`: never behind the ALB; reachable in the VPC only from a scraper group given by context. */
export const METRICS_PORT = 9464;
export const HEALTH_PATH = '/api/health';

export const SERVICE_NAME = 'mocks-booking';
export const SERVICE_USER = 'mocks-booking';

export const PATHS = {
  installDir: '/opt/mocks-booking',
  releasesDir: '/opt/mocks-booking/releases',
  /** Symlink to the release being run; the unit's working directory. */
  currentRelease: '/opt/mocks-booking/current',
  caBundle: '/opt/mocks-booking/certs/global-bundle.pem',
  envFile: '/etc/mocks-booking/env',
  unitFile: '/etc/systemd/system/mocks-booking.service',
  logDir: '/var/log/mocks-booking',
  logFile: '/var/log/mocks-booking/service.log',
  node: '/usr/local/bin/node',
  npm: '/usr/local/bin/npm',
  cloudwatchAgentConfig: '/opt/aws/amazon-cloudwatch-agent/etc/mocks-booking.json',
} as const;

/** The production command: node on the compiled build, no npm or tsx in between (npm does not forward SIGTERM). */
export const ENTRY_POINT = 'dist/server/main.js';

/**
 * V8 heap settings of the production command (docs/OPERATIONS.md §3, "Memory per process"). Neither
 * caps the heap, so neither can end the process with an out-of-memory crash: V8 just collects sooner.
 * - `--max-semi-space-size=8`: the young generation stops at 2 × 8 MB instead of 2 × 16 MB.
 * - `--heap-growing-percent=25`: after a full collection the old generation may grow to 1.25 × what
 *   survived, where V8 otherwise lets it grow up to 4 × when the allocation rate is high, as in a
 *   release: the heap grew to ~165 MB around a live set of ~55 MB.
 * Command-line flags, not NODE_OPTIONS: Node refuses the second one there.
 */
export const NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=25'] as const;

/** node's arguments in production: the V8 flags, then the entry point. */
export const PRODUCTION_NODE_ARGS = [...NODE_FLAGS, ENTRY_POINT] as const;

/** Values from docs/OPERATIONS.md §4 ("ALB: health checks, draining, keep-alive"). */
export const HEALTH_CHECK = {
  intervalSeconds: 10,
  /** Above HEALTH_TIMEOUT_MS, so the ALB always receives the service's answer. */
  timeoutSeconds: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
} as const;

export const TIMINGS = {
  healthTimeoutMs: 2_000,
  /**
   * The service keeps serving (health 503 `draining`) this long after SIGTERM. The runbook's ALB
   * value, not the README's 5 s default: at least interval × unhealthy threshold (10 s × 2), so the
   * ALB has seen `draining` before the listener closes.
   */
  drainDelayMs: 20_000,
  /** Longest wait for in-flight requests and for closing Postgres/Redis after the drain. */
  shutdownTimeoutMs: 30_000,
  /** Above the ALB idle timeout, so the ALB (not the service) closes idle connections. */
  keepAliveTimeoutMs: 65_000,
  albIdleTimeoutSeconds: 60,
  /** ≥ drain + shutdown: the ALB never cuts a request the service is still finishing. */
  deregistrationDelaySeconds: 60,
  /**
   * A new instance gets a linearly growing share of requests over this long (ALB slow start) instead of
   * its full share at once. A fresh process answers its first thousands of bookings at ~1.5-2 × the
   * CPU of a warm one (V8 still compiling the hot path, each new Postgres backend planning book_seat:
   * `npm run bench` prints that cold pass as "A cold"), so an instance that joins during a release
   * would be its slowest member. Slow start needs round-robin routing, the target group's default.
   */
  slowStartSeconds: 60,
  /** systemd's SIGKILL deadline: drain + shutdown (50 s) plus margin. */
  stopTimeoutSeconds: 60,
} as const;
