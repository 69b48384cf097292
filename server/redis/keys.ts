/** Every Redis key the service uses, in one place (REDIS_KEY_PREFIX is added by the client). */
export const redisKeys = {
  /** Active bookings of a session, mirrored from Postgres after every mutation. */
  examBookings: (examId: string) => `exam:${examId}:bookings`,
  /** The session's capacity, cached beside the counter so "full" needs no Postgres round trip. */
  examCapacity: (examId: string) => `exam:${examId}:capacity`,
  /** The per-session booking lock. */
  examLock: (examId: string) => `lock:${examId}`,
  loginAttemptsByIp: (ip: string) => `ratelimit:login:ip:${ip}`,
  loginAttemptsByStudent: (studentId: string) => `ratelimit:login:student:${studentId.toLowerCase()}`,
};
