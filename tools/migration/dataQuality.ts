import type pg from 'pg';
import type { Side } from './normalizeSql';
import type { SourceLayout } from './sourceLayout';
import { qualified } from './sqlText';
import type { TableName } from './tableMappings';
import { TARGET_SCHEMA } from './upsertBatch';

/**
 * Findings about the data itself, not about the copy: the copy carries them over faithfully, and
 * someone should look at them. They never make verify fail.
 */
export interface Finding {
  side: Side;
  check: string;
  description: string;
  /** Rows affected; null when the check could not run on this side (see error). */
  count: number | null;
  examples: Array<Record<string, unknown>>;
  error?: string;
}

interface Check {
  check: string;
  description: string;
  needs: TableName[];
  sql: (t: (table: TableName) => string) => string;
}

const CHECKS: Check[] = [
  {
    check: 'total_bookings_drift',
    description:
      "sessions whose total_bookings differs from their bookings that hold a seat (is_active <> 'Cancelled'); the service rewrites it at the next booking or cancellation",
    needs: ['hubspot_mock_exams', 'hubspot_bookings'],
    sql: (t) => `select e.hubspot_id::text as exam, e.total_bookings as stored, coalesce(b.n, 0)::int as counted
      from ${t('hubspot_mock_exams')} as e
      left join (select associated_mock_exam::text as exam, count(*) as n from ${t('hubspot_bookings')}
                  where is_active::text <> 'Cancelled' group by 1) as b on b.exam = e.hubspot_id::text
     where e.total_bookings is distinct from coalesce(b.n, 0)`,
  },
  {
    check: 'bookings_with_unknown_exam',
    description: 'bookings whose associated_mock_exam matches no session hubspot_id',
    needs: ['hubspot_mock_exams', 'hubspot_bookings'],
    sql: (t) => `select b.id::text as booking, b.associated_mock_exam::text as exam from ${t('hubspot_bookings')} as b
     where not exists (select 1 from ${t('hubspot_mock_exams')} as e where e.hubspot_id::text = b.associated_mock_exam::text)`,
  },
  {
    check: 'bookings_with_unknown_contact',
    description: 'bookings whose associated_contact_id matches no contact hubspot_id',
    needs: ['hubspot_contact_credits', 'hubspot_bookings'],
    sql: (
      t,
    ) => `select b.id::text as booking, b.associated_contact_id::text as contact from ${t('hubspot_bookings')} as b
     where not exists (select 1 from ${t('hubspot_contact_credits')} as c where c.hubspot_id::text = b.associated_contact_id::text)`,
  },
  {
    check: 'negative_or_null_credits',
    description: 'contacts with a credit balance below zero or NULL (the target refuses both)',
    needs: ['hubspot_contact_credits'],
    sql: (
      t,
    ) => `select hubspot_id::text as contact, sj_credits, cs_credits, sjmini_credits, mock_discussion_token, shared_mock_credits
      from ${t('hubspot_contact_credits')}
     where not (coalesce(sj_credits >= 0, false) and coalesce(cs_credits >= 0, false) and coalesce(sjmini_credits >= 0, false)
                and coalesce(mock_discussion_token >= 0, false) and coalesce(shared_mock_credits >= 0, false))`,
  },
];

export async function dataQualityFindings(
  client: pg.ClientBase,
  side: Side,
  layout: SourceLayout,
  tables: readonly TableName[],
  examples: number,
): Promise<Finding[]> {
  const t = (table: TableName) =>
    qualified(side === 'source' ? (layout.schemaOf.get(table) ?? TARGET_SCHEMA) : TARGET_SCHEMA, table);
  const findings: Finding[] = [];
  for (const check of CHECKS.filter((c) => c.needs.every((n) => tables.includes(n)))) {
    const base = { side, check: check.check, description: check.description };
    await client.query('savepoint finding');
    try {
      const { rows } = await client.query<Record<string, unknown> & { __total: number }>(
        `select *, count(*) over ()::int as __total from (${check.sql(t)}) as f order by 1 limit ${examples}`,
      );
      await client.query('release savepoint finding');
      findings.push({ ...base, count: rows[0]?.__total ?? 0, examples: rows.map(({ __total: _n, ...row }) => row) });
    } catch (err) {
      // A source drifted further than these checks expect (e.g. credits stored as text): say so, go on.
      await client.query('rollback to savepoint finding');
      findings.push({ ...base, count: null, examples: [], error: (err as Error).message });
    }
  }
  return findings;
}
