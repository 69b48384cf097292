/**
 * The four tables the toolkit copies, in the order it copies them (students and sessions before the
 * bookings that point at them), and what differs between the live Supabase table and ours.
 */
export const TABLE_NAMES = [
  'hubspot_contact_credits',
  'hubspot_mock_exams',
  'hubspot_bookings',
  'sync_metadata',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface TableMapping {
  table: TableName;
  /** The column that identifies a row in both databases: the upsert's conflict target and verify's join key. */
  key: string;
  /** Source column → target column, where the live table named it differently. */
  renames: Readonly<Record<string, string>>;
  /** Target column → the value a source NULL stands for, where that meaning is unambiguous. */
  nullMeans: Readonly<Record<string, string>>;
}

export const TABLE_MAPPINGS: Readonly<Record<TableName, TableMapping>> = {
  hubspot_contact_credits: { table: 'hubspot_contact_credits', key: 'hubspot_id', renames: {}, nullMeans: {} },
  hubspot_mock_exams: { table: 'hubspot_mock_exams', key: 'hubspot_id', renames: {}, nullMeans: {} },
  hubspot_bookings: {
    table: 'hubspot_bookings',
    key: 'id',
    renames: {},
    // The live column is text 'true' / 'false' / NULL, and NULL was written for "never refunded".
    nullMeans: { token_refunded: 'false' },
  },
  sync_metadata: {
    table: 'sync_metadata',
    key: 'sync_type',
    // Epoch milliseconds (bigint) there; last_modified_time and records_synced do not exist there.
    renames: { last_sync_timestamp: 'last_sync_time' },
    nullMeans: {},
  },
};

export const isTableName = (name: string): name is TableName => (TABLE_NAMES as readonly string[]).includes(name);
