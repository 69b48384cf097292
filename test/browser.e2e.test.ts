import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type pg from 'pg';
import { type Browser, chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionTimes } from '../client/example/src/schoolTime';
import { insertBookingRow, insertContact, insertExam } from './helpers/factories';
import { startTestService, type TestService } from './helpers/service';

// The React example (client/example) built with Vite, served from its own origin, driven in headless
// Chromium against a running server: real CORS, the real httpOnly session cookie, a real booking.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// CI sets this: there the browser test must run, never skip.
if (!haveChromium && process.env.REQUIRE_BROWSER_TEST)
  throw new Error(`REQUIRE_BROWSER_TEST is set but there is no Chromium at ${CHROMIUM}`);
if (!haveChromium)
  console.warn(`[browser test] skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

function serveStatic(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!haveChromium)('the React example in headless Chromium', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'mb-example-'));
  let page: Server;
  let pageOrigin: string;
  let api: TestService;
  let db: pg.Client;
  let browser: Browser;

  beforeAll(async () => {
    await build({
      configFile: new URL('../client/example/vite.config.ts', import.meta.url).pathname,
      build: { outDir },
      logLevel: 'error',
    });
    page = await serveStatic(outDir);
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    api = await startTestService({ FRONTEND_URL: pageOrigin });
    db = await api.database.connect();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await api?.stop();
    await new Promise((resolve) => page?.close(resolve));
    rmSync(outDir, { recursive: true, force: true });
  });

  it('lists sessions, logs in with the cookie, shows the error for a full session, and books a seat', async () => {
    const student = await insertContact(
      db,
      { cs_credits: 1 },
      { firstname: 'Ada', studentId: 'E2E1001', email: 'ada.e2e@example.com' },
    );
    const other = await insertContact(db, { cs_credits: 1 });
    const open = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-10-01', location: 'Ottawa' });
    const full = await insertExam(db, {
      mockType: 'Clinical Skills',
      examDate: '2031-10-02',
      capacity: 1,
      location: 'Calgary',
    });
    await insertBookingRow(db, other.contactId, full);
    await db.query('update hubspot_mock_exams set total_bookings = 1 where hubspot_id = $1', [full]);

    const tab = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    tab.on('pageerror', (err) => problems.push(err.message));
    await tab.goto(`${pageOrigin}/?api=${encodeURIComponent(api.url)}`);

    const openRow = tab.locator(`li[data-exam-id="${open}"]`);
    const fullRow = tab.locator(`li[data-exam-id="${full}"]`);
    await expect.poll(() => openRow.locator('[data-testid=seats]').textContent()).toBe('8 of 8 seats (available)');
    expect(await fullRow.locator('[data-testid=seats]').textContent()).toBe('0 of 1 seats (full)');

    // A failed login shows what the server said, not a generic line.
    await tab.fill('#studentId', student.studentId);
    await tab.fill('#email', 'someone.else@example.com');
    await tab.click('button[type=submit]');
    await expect
      .poll(() => tab.getByRole('form', { name: 'Log in' }).getByRole('alert').textContent())
      .toBe('No student matches that student ID and email.');

    await tab.fill('#email', student.email.toUpperCase());
    await tab.click('button[type=submit]');
    await expect.poll(() => tab.locator('[data-testid=whoami]').textContent()).toContain('Logged in as Ada Tester');
    const cookies = await tab.context().cookies(api.url);
    expect(cookies.find((c) => c.name === 'mb_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await fullRow.getByRole('button', { name: 'Book' }).click();
    await expect.poll(() => fullRow.getByRole('alert').textContent()).toBe('This session is full.');

    await openRow.getByRole('button', { name: 'Book' }).click();
    await expect
      .poll(() => openRow.getByRole('status').textContent())
      .toBe(`Booked: Clinical Skills-${student.studentId}-October 1, 2031`);
    await expect.poll(() => openRow.locator('[data-testid=seats]').textContent()).toBe('7 of 8 seats (available)');
    await expect.poll(() => tab.locator('[data-testid=whoami]').textContent()).toContain('Clinical Skills credits: 0');
    await tab.screenshot({ path: join(tmpdir(), 'mocks-booking-example.png'), fullPage: true });

    const bookingRow = async () =>
      (
        await db.query(
          'select id, is_active, token_used from hubspot_bookings where associated_contact_id = $1 and associated_mock_exam = $2',
          [student.contactId, open],
        )
      ).rows as Array<{ id: string; is_active: string; token_used: string }>;
    const [booked] = await bookingRow();
    expect(booked).toMatchObject({ is_active: 'Active', token_used: 'Clinical Skills Token' });

    // Session times in the school's time zone, named, in the sessions list and in "My bookings".
    const { rows: times } = await db.query(
      'select start_time, end_time, exam_date::text from hubspot_mock_exams where hubspot_id = $1',
      [open],
    );
    const when = sessionTimes(times[0].start_time, times[0].end_time, times[0].exam_date);
    expect(when).toMatch(/\d{1,2}:\d{2} [AP]M – \d{1,2}:\d{2} [AP]M E[DS]T \(Toronto time\)$/);
    expect(await openRow.locator('[data-testid=when]').textContent()).toBe(when);
    const mine = tab.getByRole('region', { name: 'My bookings' });
    const myRow = mine.locator(`li[data-booking-id="${booked!.id}"]`);
    await expect.poll(() => myRow.locator('[data-testid=when]').textContent()).toBe(when);
    expect(await myRow.textContent()).toContain(`Clinical Skills-${student.studentId}-October 1, 2031`);

    // Cancel: the booking leaves the list, the seat and the credit come back.
    await myRow.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => mine.getByRole('status').textContent()).toBe('Booking cancelled; the credit is back.');
    await expect.poll(() => mine.textContent()).toContain('No upcoming bookings.');
    await expect.poll(() => openRow.locator('[data-testid=seats]').textContent()).toBe('8 of 8 seats (available)');
    await expect.poll(() => tab.locator('[data-testid=whoami]').textContent()).toContain('Clinical Skills credits: 1');
    expect((await bookingRow())[0]).toMatchObject({ is_active: 'Cancelled' });

    // Log out: the login form is back, the cookie is gone, and a reload does not log the student in again.
    await tab.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => tab.getByRole('form', { name: 'Log in' }).count()).toBe(1);
    expect((await tab.context().cookies(api.url)).find((c) => c.name === 'mb_session')).toBeUndefined();
    await tab.reload();
    await expect.poll(() => openRow.locator('[data-testid=seats]').textContent()).toBe('8 of 8 seats (available)');
    expect(await tab.getByRole('form', { name: 'Log in' }).count()).toBe(1);
    expect(await tab.getByRole('region', { name: 'My bookings' }).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('npm run example works opened at 127.0.0.1 and at localhost: /api goes through its proxy, the cookie is first-party', async () => {
    const student = await insertContact(db, { cs_credits: 1 }, { firstname: 'Grace' });
    // `vite preview` with the example's own config (the same proxy as `vite` in npm run example).
    process.env.EXAMPLE_API_URL = api.url;
    const example = await preview({
      configFile: new URL('../client/example/vite.config.ts', import.meta.url).pathname,
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0 },
      logLevel: 'error',
    });
    try {
      const port = (example.httpServer.address() as AddressInfo).port;
      for (const host of ['127.0.0.1', 'localhost']) {
        const context = await browser.newContext();
        const tab = await context.newPage();
        await tab.goto(`http://${host}:${port}/`);
        await tab.fill('#studentId', student.studentId);
        await tab.fill('#email', student.email);
        await tab.click('button[type=submit]');
        await expect
          .poll(() => tab.locator('[data-testid=whoami]').textContent(), { timeout: 15_000 })
          .toContain('Logged in as Grace');
        await expect
          .poll(() => tab.getByRole('region', { name: 'My bookings' }).textContent())
          .toContain('No upcoming bookings.');
        expect((await context.cookies(`http://${host}:${port}`)).map((c) => c.name)).toContain('mb_session');
        await context.close();
      }
    } finally {
      await example.close();
      delete process.env.EXAMPLE_API_URL;
    }
  });
});
