import type pg from 'pg';
import { qualified } from './sqlText';
import { TARGET_SCHEMA } from './upsertBatch';

/**
 * After the bookings are written: every session's total_bookings rewritten from the bookings that
 * hold a seat in the target (is_active <> 'Cancelled', as the service counts). Returns how many
 * sessions changed. The source side of verify recounts the same way (sourceFills.ts), so a clean
 * import still verifies clean.
 */
export async function recountTotalBookings(target: pg.ClientBase): Promise<number> {
  const exams = qualified(TARGET_SCHEMA, 'hubspot_mock_exams');
  const bookings = qualified(TARGET_SCHEMA, 'hubspot_bookings');
  const result = await target.query(
    `update ${exams} as e set total_bookings = c.n
       from (select x.hubspot_id, count(b.id)::int as n from ${exams} as x
               left join ${bookings} as b on b.associated_mock_exam = x.hubspot_id and b.is_active <> 'Cancelled'
              group by x.hubspot_id) as c
      where c.hubspot_id = e.hubspot_id and e.total_bookings is distinct from c.n`,
  );
  return result.rowCount ?? 0;
}
