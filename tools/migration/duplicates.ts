import type pg from 'pg';
import type { FilledTable } from './sourceFills';

/**
 * Bookings that break the one-booking rule (docs/DOMAIN.md: one non-cancelled booking per student per
 * exam date per mock type, by the SESSION's date and type), found in the source after the fills and
 * before anything is written. In each group the booking created first keeps the seat (earliest
 * created_at, filled; then the audit log's INSERT time; then the lower numeric HubSpot id, HubSpot
 * numbering objects as it creates them; the row id only as a last resort, named as such); the others
 * are imported as Cancelled (sourceFills.ts) and listed. Their credit is not refunded: that is for
 * the school to decide per student, from this list.
 */
export interface DuplicateSeat {
  bookingId: string;
  hubspotId: string | null;
  createdAt: string | null;
  keeps: boolean;
  /** Why the keeper won over this row (only on the rows that lose). */
  decidedBy?: 'created_at' | 'audit insert time' | 'hubspot_id' | 'row id (tie)';
}

export interface DuplicateGroup {
  contactId: string;
  examDate: string | null;
  mockType: string | null;
  /** Set when the session row is missing: the group is then one session, not one date and type. */
  examId: string | null;
  seats: DuplicateSeat[];
}

export async function findDuplicateSeats(client: pg.ClientBase, bookings: FilledTable): Promise<DuplicateGroup[]> {
  // Sessions the bookings point at but that are missing: group by the session id alone.
  const sameRule = `coalesce(t.__rule_date || '|' || t.__rule_type, 'session:' || t.associated_mock_exam::text)`;
  const group = `t.associated_contact_id::text, ${sameRule}`;
  const hubspotNumber = `case when t.hubspot_id::text ~ '^[0-9]{1,18}$' then t.hubspot_id::text::bigint end`;
  const { rows } = await client.query<{
    contact: string;
    exam_date: string | null;
    mock_type: string | null;
    exam: string;
    id: string;
    hubspot_id: string | null;
    created_at: string | null;
    audit_at: string | null;
    hubspot_number: string | null;
    position: number;
  }>(
    `select * from (
       select t.associated_contact_id::text as contact, t.__rule_date as exam_date, t.__rule_type as mock_type,
              t.associated_mock_exam::text as exam, t.id::text as id, t.hubspot_id::text as hubspot_id,
              t.created_at::text as created_at, t.__audit_inserted_at::text as audit_at, (${hubspotNumber})::text as hubspot_number,
              ${sameRule} as g, row_number() over w::int as position, count(*) over (partition by ${group})::int as seats
         from ${bookings.relation} as t
        where t.is_active::text <> 'Cancelled' and t.associated_contact_id is not null
       window w as (partition by ${group}
                    order by t.created_at nulls last, t.__audit_inserted_at nulls last, ${hubspotNumber} nulls last, t.id)
     ) as d where d.seats > 1 order by d.contact, d.g, d.position`,
  );
  const groups: DuplicateGroup[] = [];
  let current: DuplicateGroup | undefined;
  let keeper: (typeof rows)[number] | undefined;
  for (const row of rows) {
    if (row.position === 1) {
      keeper = row;
      current = {
        contactId: row.contact,
        examDate: row.exam_date,
        mockType: row.mock_type,
        examId: row.exam_date && row.mock_type ? null : row.exam,
        seats: [],
      };
      groups.push(current);
    }
    const decidedBy =
      row.position === 1 || !keeper
        ? undefined
        : keeper.created_at !== row.created_at
          ? 'created_at'
          : keeper.audit_at !== row.audit_at
            ? 'audit insert time'
            : keeper.hubspot_number !== row.hubspot_number
              ? 'hubspot_id'
              : 'row id (tie)';
    current?.seats.push({
      bookingId: row.id,
      hubspotId: row.hubspot_id,
      createdAt: row.created_at,
      keeps: row.position === 1,
      ...(decidedBy ? { decidedBy } : {}),
    });
  }
  return groups;
}

export const losersOf = (groups: readonly DuplicateGroup[]) =>
  groups.flatMap((g) => g.seats.filter((s) => !s.keeps).map((s) => s.bookingId));

export function describeDuplicates(groups: readonly DuplicateGroup[], limit: number): string[] {
  if (groups.length === 0) return ['  none'];
  const lines = [
    `  ${groups.length} group(s) break the one-booking rule; the earliest created keeps the seat, ` +
      `${losersOf(groups).length} booking(s) import as Cancelled (credit NOT refunded: decide per student):`,
  ];
  for (const g of groups.slice(0, limit)) {
    const what = g.examId ? `session ${g.examId}` : `${g.mockType} on ${g.examDate}`;
    lines.push(`    student ${g.contactId}, ${what}:`);
    for (const s of g.seats)
      lines.push(
        `      ${s.keeps ? 'keeps    ' : 'cancelled'} ${s.bookingId} (HubSpot ${s.hubspotId ?? 'none'}, created ${s.createdAt ?? 'unknown'})` +
          (s.decidedBy ? ` by ${s.decidedBy}` : ''),
      );
  }
  if (groups.length > limit) lines.push(`    … ${groups.length - limit} more in the report`);
  return lines;
}
