/** Every Redis key the service uses, in one place (REDIS_KEY_PREFIX is added by the client). */
export const redisKeys = {
  /** Active bookings of a session, mirrored from Postgres after every mutation. */
  examBookings: (examId: string) => `exam:${examId}:bookings`,
  /** The session's capacity, cached beside the counter so "full" needs no Postgres round trip. */
  examCapacity: (examId: string) => `exam:${examId}:capacity`,
  /** The per-session booking lock. */
  examLock: (examId: string) => `lock:${examId}`,
  loginAttemptsByIp: (ip: string) => `ratelimit:login:ip:${ip}`,
  /** Failed logins for one student ID from one source (student IDs have no ':'). */
  loginFailuresBySource: (studentId: string, ip: string) => `ratelimit:login:fail:${studentId.toLowerCase()}:${ip}`,
  /** Failed logins for one student ID from every source together. */
  loginFailuresByStudent: (studentId: string) => `ratelimit:login:fail:${studentId.toLowerCase()}`,
  bookingAttemptsByStudent: (contactId: string) => `ratelimit:booking:${contactId}`,
  /** A logged-out session token (its `jti`), kept for the token's remaining lifetime. */
  revokedSession: (tokenId: string) => `session:revoked:${tokenId}`,
  /** Every session token of the student issued at or before this second (JWT `iat`) is revoked. */
  sessionsRevokedBefore: (contactId: string) => `session:revoked-before:${contactId}`,
  /** A login HubSpot was asked about and did not know: not asked again until this expires. */
  hubspotLoginMiss: (studentId: string, email: string) =>
    `hubspot:login-miss:${studentId.toLowerCase()}:${email.toLowerCase()}`,
  /** The shared HubSpot call budget: one fixed window per limit (server/sync/rateLimiter.ts). */
  hubspotCalls: (limit: string, window: number) => `hubspot:calls:${limit}:${window}`,
};
