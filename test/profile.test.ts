import { describe, expect, it } from 'vitest';
import { schoolClock } from '../server/lib/schoolTime';
import { insertContact, loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { useTestService } from './helpers/service';

// The NDECC exam date (issue 12): auth.me shows it, profile.setNdeccExamDate sets it, over HTTP.
const s = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

const storedDate = async (contactId: string) =>
  (await db.query('select ndecc_exam_date from hubspot_contact_credits where hubspot_id = $1', [contactId])).rows[0]
    ?.ndecc_exam_date as string | null;

/** YYYY-MM-DD `days` from today on the school's calendar. */
const schoolDay = (days: number) => schoolClock(new Date(Date.now() + days * 86_400_000)).date;

describe('NDECC exam date', () => {
  it('auth.me shows none at first, then the date profile.setNdeccExamDate set', async () => {
    const contact = await insertContact(db);
    const api = await loginClient(s.url, contact);
    expect(await api.auth.me.query()).toMatchObject({ contactId: contact.contactId, ndeccExamDate: null });

    expect(await api.profile.setNdeccExamDate.mutate({ ndeccExamDate: '2031-05-10' })).toEqual({
      ndeccExamDate: '2031-05-10',
    });
    expect(await api.auth.me.query()).toMatchObject({ ndeccExamDate: '2031-05-10' });
    expect(await storedDate(contact.contactId)).toBe('2031-05-10');
  });

  it("shows what the row holds, as imported (the old system's free text)", async () => {
    const contact = await insertContact(db);
    await db.query('update hubspot_contact_credits set ndecc_exam_date = $2 where hubspot_id = $1', [
      contact.contactId,
      '2027-02-01',
    ]);
    expect(await (await loginClient(s.url, contact)).auth.me.query()).toMatchObject({ ndeccExamDate: '2027-02-01' });
  });

  it("accepts today on the school's calendar and refuses yesterday as a field error, leaving the date as it was", async () => {
    const contact = await insertContact(db);
    const api = await loginClient(s.url, contact);
    await api.profile.setNdeccExamDate.mutate({ ndeccExamDate: schoolDay(0) });
    expect(await storedDate(contact.contactId)).toBe(schoolDay(0));

    expect(await failure(api.profile.setNdeccExamDate.mutate({ ndeccExamDate: schoolDay(-1) }))).toMatchObject({
      appCode: 'VALIDATION_FAILED',
      httpStatus: 400,
      details: { field: 'ndeccExamDate' },
    });
    expect(await storedDate(contact.contactId)).toBe(schoolDay(0));
  });

  it('refuses what is not a calendar date, and anyone not logged in', async () => {
    const api = await loginClient(s.url, await insertContact(db));
    for (const ndeccExamDate of ['2031-02-30', '10/05/2031', '', '2031-05-10T00:00:00Z']) {
      expect(await failure(api.profile.setNdeccExamDate.mutate({ ndeccExamDate }))).toMatchObject({
        appCode: 'VALIDATION_FAILED',
      });
    }
    expect(await failure(s.client.profile.setNdeccExamDate.mutate({ ndeccExamDate: '2031-05-10' }))).toMatchObject({
      appCode: 'UNAUTHENTICATED',
    });
  });
});
