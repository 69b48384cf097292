/**
 * The live Supabase tables as they really are (not as the PRD's DDL says): the drifted types and the
 * extra columns the migration toolkit must carry over. Used by the toolkit's tests and its benchmark.
 */
export function liveSourceDdl(schema: string): string {
  const s = `"${schema}"`;
  return `
    create schema if not exists ${s};
    create type ${s}.mock_set as enum ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H');
    create table ${s}.hubspot_contact_credits (
      id uuid primary key default gen_random_uuid(),
      hubspot_id text not null,
      student_id text, email text, firstname text, lastname text, student_name text,
      sj_credits integer default 0, cs_credits integer default 0, sjmini_credits integer default 0,
      mock_discussion_token integer default 0, shared_mock_credits integer default 0,
      ndecc_exam_date text,
      created_at timestamp default now(), updated_at timestamp default now(), synced_at timestamp,
      unique (student_id, email)
    );
    create table ${s}.hubspot_mock_exams (
      id uuid primary key default gen_random_uuid(),
      hubspot_id text unique not null,
      mock_type text not null,
      mock_set ${s}.mock_set,
      exam_date date not null,
      start_time text, end_time text,
      location text,
      capacity integer default 8, total_bookings integer default 0,
      is_active text default 'true',
      scheduled_activation_datetime timestamp,
      prerequisite_exam_ids text[],
      mock_exam_name text,
      created_at timestamp default now(), updated_at timestamp default now(), synced_at timestamp
    );
    create table ${s}.hubspot_bookings (
      id uuid primary key default gen_random_uuid(),
      hubspot_id text unique, booking_id text, idempotency_key text unique,
      associated_contact_id text not null, associated_mock_exam text not null,
      student_id text, name text, student_email text,
      is_active text default 'Active',
      exam_date timestamp,
      start_time text, end_time text,
      mock_type text, mock_set ${s}.mock_set, token_used text, dominant_hand text, attending_location text, attendance text,
      token_refunded text, token_refunded_at timestamp, token_refund_admin text, booking_status text, ndecc_exam_date text,
      created_at timestamp default now(), updated_at timestamp default now(), synced_at timestamp
    );
    create index on ${s}.hubspot_bookings (associated_mock_exam);
    create index on ${s}.hubspot_bookings (associated_contact_id);
    create table ${s}.sync_metadata (
      id uuid primary key default gen_random_uuid(),
      sync_type text unique not null,
      last_sync_timestamp bigint,
      created_at timestamp default now(), updated_at timestamp default now()
    );`;
}

/** Sizes of a generated source: ten bookings per student, eight per session. */
export function generatedSizes(bookings: number) {
  // Students are a multiple of 8 so a student's ten bookings land on ten different dates (see below).
  const contacts = Math.max(8, Math.floor(bookings / 80) * 8);
  return { bookings, contacts, exams: Math.ceil(bookings / 8) };
}

/**
 * Fills a live-shaped source with generate_series: start/end times alternate between epoch
 * milliseconds and ISO text, every tenth booking is cancelled and refunded, token_refunded is
 * 'false' or NULL otherwise; every tenth session's total_bookings is one too high. Booking i belongs to student i mod C and session i div 8; sessions'
 * dates step through 499 days, so one student never holds two seats of a type on one date.
 */
export function generatedSourceSql(schema: string, bookings: number): string {
  const s = `"${schema}"`;
  const { contacts, exams } = generatedSizes(bookings);
  const types = `array['Situational Judgment', 'Clinical Skills', 'Mini-mock', 'Mock Discussion']`;
  const tokens = `array['Situational Judgment Token', 'Clinical Skills Token', 'Mini-mock Token', 'Mock Discussion Token']`;
  const startText = (ts: string, n: string) =>
    `case when ${n} % 2 = 0 then (extract(epoch from ${ts}) * 1000)::bigint::text else to_char(${ts}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end`;
  return `
    insert into ${s}.hubspot_contact_credits (hubspot_id, student_id, email, firstname, lastname, student_name,
        sj_credits, cs_credits, sjmini_credits, mock_discussion_token, shared_mock_credits, ndecc_exam_date, created_at, updated_at, synced_at)
      select 'c-' || g, 'S' || lpad(g::text, 7, '0'), 'student' || g || '@example.com', 'First' || g, 'Last' || g, 'First' || g || ' Last' || g,
             g % 3, g % 2, 1, 0, g % 4, case when g % 5 = 0 then '2026-05-0' || (g % 9 + 1) end,
             timestamp '2025-01-01' + g * interval '1 minute', timestamp '2025-06-01 00:00:00.123456' + g * interval '1 second', timestamp '2025-07-01'
        from generate_series(0, ${contacts - 1}) as g;
    insert into ${s}.hubspot_mock_exams (hubspot_id, mock_type, mock_set, exam_date, start_time, end_time, location, capacity,
        total_bookings, is_active, prerequisite_exam_ids, mock_exam_name, created_at, updated_at, synced_at)
      select 'ex-' || e, (${types})[(e / 500) % 4 + 1], (array['A', 'B', 'C', 'D'])[e % 4 + 1]::${s}.mock_set, d,
             ${startText(`(d + time '14:00')`, 'e')}, ${startText(`(d + time '17:00')`, 'e')}, 'Toronto', 8,
             (select count(*)::int from generate_series(8 * e, least(8 * e + 7, ${bookings - 1})) as j where j % 10 <> 9) + (e % 10 = 0)::int, 'true', case when (e / 500) % 4 = 3 then array['ex-' || (e - 1)] end, 'Mock ' || e,
             timestamp '2025-01-01' + e * interval '1 minute', timestamp '2025-06-01' + e * interval '1 second', timestamp '2025-07-01'
        from generate_series(0, ${exams - 1}) as e, lateral (select date '2026-01-01' + (e % 499) as d) as x;
    insert into ${s}.hubspot_bookings (hubspot_id, booking_id, associated_contact_id, associated_mock_exam, student_id, name, student_email,
        is_active, exam_date, start_time, end_time, mock_type, mock_set, token_used, dominant_hand, attending_location, attendance,
        token_refunded, token_refunded_at, token_refund_admin, booking_status, ndecc_exam_date, created_at, updated_at, synced_at)
      select 'hb-' || i, 'BK-' || i, 'c-' || c, 'ex-' || e, 'S' || lpad(c::text, 7, '0'), 'First' || c || ' Last' || c, 'student' || c || '@example.com',
             case when i % 10 = 9 then 'Cancelled' else 'Active' end, d::timestamp,
             ${startText(`(d + time '14:00')`, 'i')}, ${startText(`(d + time '17:00')`, 'i')},
             (${types})[(e / 500) % 4 + 1], (array['A', 'B', 'C', 'D'])[e % 4 + 1]::${s}.mock_set, (${tokens})[(e / 500) % 4 + 1],
             'Right', 'Toronto', case when i % 3 = 0 then 'Yes' when i % 3 = 1 then '' end,
             case when i % 10 = 9 then 'true' when i % 2 = 0 then 'false' end,
             case when i % 10 = 9 then timestamp '2025-12-01' + i * interval '1 second' end,
             case when i % 10 = 9 then 'admin@example.com' end, case when i % 10 = 9 then 'cancelled' else 'confirmed' end,
             case when i % 7 = 0 then '2026-05' end,
             timestamp '2025-09-01' + i * interval '1 second', timestamp '2025-10-01 00:00:00.5' + i * interval '1 second', timestamp '2025-10-02'
        from generate_series(0, ${bookings - 1}) as i,
             lateral (select i % ${contacts} as c, i / 8 as e) as k,
             lateral (select date '2026-01-01' + (k.e % 499) as d) as x;
    insert into ${s}.sync_metadata (sync_type, last_sync_timestamp) values
      ('contacts', 1767225600000), ('mock_exams', 1767225600123), ('bookings', 1767225601000);
    analyze;`;
}
