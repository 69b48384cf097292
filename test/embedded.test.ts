import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../client/src';
import { DEMO_STUDENT } from '../db/seed';
import { startChildServer, waitFor } from './helpers/childServer';

const dataDir = mkdtempSync(join(tmpdir(), 'mb-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const healthOf = async (url: string) => {
  const res = await fetch(`${url}/api/health`);
  return { status: res.status, body: await res.json() };
};

describe('embedded single-instance mode (nothing configured)', () => {
  it('starts on PGlite, says so first, seeds demo data, serves it over tRPC, and exits 0 on SIGTERM', {
    timeout: 90_000,
  }, async () => {
    const server = await startChildServer({ PGLITE_DATA_DIR: dataDir, SHUTDOWN_DRAIN_DELAY_MS: '0' }, 60_000);

    expect(server.logs[0]!.msg).toMatch(/^EMBEDDED SINGLE-INSTANCE MODE/);
    expect(server.logs[0]!.msg).toContain('DATABASE_URL');
    expect(server.logs[0]!.msg).toContain('REDIS_URL');
    // Sync with HubSpot is off without a token, and says so among the first lines (docs/SYNC.md).
    expect(server.logs[1]!.msg).toMatch(/^HubSpot sync is OFF/);

    await waitFor(async () => (await healthOf(server.url)).status === 200, 'health 200', 60_000);
    expect((await healthOf(server.url)).body).toMatchObject({
      status: 'healthy',
      database: { status: 'up', mode: 'pglite' },
      redis: { status: 'up', mode: 'memory' },
    });

    const sessions = await createClient({ url: `${server.url}/api/trpc` }).exams.available.query();
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(sessions.map((s) => s.mockType))).toEqual(
      new Set(['Situational Judgment', 'Clinical Skills', 'Mini-mock', 'Mock Discussion']),
    );
    expect(server.logs.some((l) => String(l.msg).includes('seeded the demo student'))).toBe(true);

    // The demo student can log in, book and cancel: PGlite plus the in-process lock and counters.
    const url = `${server.url}/api/trpc`;
    const { token } = await createClient({ url }).auth.login.mutate({
      studentId: DEMO_STUDENT.studentId,
      email: DEMO_STUDENT.email.toUpperCase(),
    });
    const student = createClient({ url, getToken: () => token });
    const clinical = sessions.find((s) => s.mockType === 'Clinical Skills')!;
    const booking = await student.bookings.create.mutate({ dominantHand: 'Right', examId: clinical.examId });
    expect(booking).toMatchObject({ examId: clinical.examId, tokenUsed: 'Clinical Skills Token', creditsRemaining: 2 });
    expect((await student.exams.byId.query({ examId: clinical.examId })).totalBookings).toBe(1);
    await expect(student.bookings.cancel.mutate({ bookingId: booking.bookingId })).resolves.toMatchObject({
      status: 'Cancelled',
    });
    expect(await student.credits.mine.query()).toMatchObject({ csCredits: 2, sharedMockCredits: 1 });

    // The background jobs run in this process on PGlite too, and shutdown drains them.
    expect(server.logs.some((l) => l.msg === 'jobs: workers started' && l.database === 'pglite')).toBe(true);
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.logs.some((l) => l.msg === 'jobs: workers stopped')).toBe(true);
  });

  it('keeps its data across restarts and does not seed twice', { timeout: 90_000 }, async () => {
    const server = await startChildServer({ PGLITE_DATA_DIR: dataDir, SHUTDOWN_DRAIN_DELAY_MS: '0' }, 60_000);
    await waitFor(async () => (await healthOf(server.url)).status === 200, 'health 200', 60_000);
    const sessions = await createClient({ url: `${server.url}/api/trpc` }).exams.available.query();
    expect(sessions.filter((s) => s.examId.startsWith('demo-exam-'))).toHaveLength(sessions.length);
    expect(server.logs.some((l) => String(l.msg).includes('seeded the demo student'))).toBe(false);
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(DEMO_STUDENT.studentId).toBe('DEMO123');
  });
});
