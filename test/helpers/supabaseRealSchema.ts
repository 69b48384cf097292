/**
 * The live Supabase database as issue 17 found it, rebuilt from those facts (not from the PRD): three
 * tables in hubspot_sync and sync_metadata in public; hubspot_last_sync_at on bookings, sessions and
 * contacts; bookings' and sessions' created_at / updated_at `timestamp` WITHOUT defaults; nullable
 * associated_* and mock_type / times; token_refunded text; sync_metadata.last_sync_timestamp bigint NOT
 * NULL seeded 0; row-level security enabled on every table, with policies that deny every role but the
 * owner; an audit_log filled by row triggers; and the two booking RPCs, which write bookings the way
 * the old app did (no type, date, times or created_at; a cancellation restores the credit but leaves
 * token_refunded NULL). The drifted types not listed there follow the older fixture
 * (supabaseSourceSchema.ts): times as text, booking exam_date as timestamp, mock_set an enum.
 */
export function realSourceDdl(): string {
  return `
    create schema hubspot_sync;
    create type hubspot_sync.mock_set as enum ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H');
    create table hubspot_sync.hubspot_contact_credits (
      id uuid primary key default gen_random_uuid(),
      hubspot_id text unique not null,
      student_id text, email text, firstname text, lastname text,
      sj_credits integer default 0, cs_credits integer default 0, sjmini_credits integer default 0,
      mock_discussion_token integer default 0, shared_mock_credits integer default 0,
      ndecc_exam_date text,
      created_at timestamp default now(), updated_at timestamp default now(), synced_at timestamp,
      hubspot_last_sync_at timestamptz
    );
    create table hubspot_sync.hubspot_mock_exams (
      id uuid primary key default gen_random_uuid(),
      hubspot_id text unique not null,
      mock_exam_name text, mock_type text not null, mock_set hubspot_sync.mock_set,
      exam_date date not null, start_time text, end_time text, location text,
      capacity integer, total_bookings integer, is_active text,
      scheduled_activation_datetime timestamp, prerequisite_exam_ids text[],
      created_at timestamp, updated_at timestamp, synced_at timestamp, hubspot_last_sync_at timestamptz
    );
    create table hubspot_sync.hubspot_bookings (
      id uuid primary key default gen_random_uuid(),
      hubspot_id text unique, booking_id text, idempotency_key text unique,
      associated_contact_id text, associated_mock_exam text,
      student_id text, name text, student_email text,
      is_active text, exam_date timestamp, start_time text, end_time text,
      mock_type text, mock_set hubspot_sync.mock_set, token_used text, dominant_hand text, attending_location text,
      attendance text, token_refunded text, token_refunded_at timestamp, token_refund_admin text,
      booking_status text, ndecc_exam_date text,
      created_at timestamp, updated_at timestamp, synced_at timestamp, hubspot_last_sync_at timestamptz
    );
    create index on hubspot_sync.hubspot_bookings (associated_mock_exam);
    create table hubspot_sync.audit_log (
      id bigserial primary key,
      table_name text not null, operation text not null, record_id text,
      performed_by text default current_user,
      old_values jsonb, new_values jsonb, changed_fields text[],
      created_at timestamptz not null default now()
    );
    create table public.sync_metadata (
      id uuid primary key default gen_random_uuid(),
      sync_type text unique not null,
      last_sync_timestamp bigint not null default 0,
      updated_at timestamptz default now()
    );

    create function hubspot_sync.audit_row() returns trigger language plpgsql as $$
    declare
      old_j jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
      new_j jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
    begin
      insert into hubspot_sync.audit_log (table_name, operation, record_id, old_values, new_values, changed_fields)
      values (tg_table_name, tg_op, coalesce(new_j, old_j)->>'id', old_j, new_j,
              case when tg_op = 'UPDATE' then
                array(select n.key from jsonb_each(new_j) n where n.value is distinct from old_j->n.key) end);
      return coalesce(new, old);
    end $$;
    create trigger audit after insert or update or delete on hubspot_sync.hubspot_contact_credits
      for each row execute function hubspot_sync.audit_row();
    create trigger audit after insert or update or delete on hubspot_sync.hubspot_mock_exams
      for each row execute function hubspot_sync.audit_row();
    create trigger audit after insert or update or delete on hubspot_sync.hubspot_bookings
      for each row execute function hubspot_sync.audit_row();

    -- The old app's booking RPC: inserts the booking without the session's type, date or times (and
    -- without created_at), and SETs the credit to the value the app computed.
    create function hubspot_sync.create_booking_atomic(
      p_booking_id text, p_mock_exam_id text, p_contact_id text, p_student_id text, p_student_name text,
      p_student_email text, p_attending_location text, p_dominant_hand text, p_token_used text,
      p_credit_field text, p_new_credit_value integer, p_mock_set text) returns uuid language plpgsql as $$
    declare
      new_id uuid;
    begin
      insert into hubspot_sync.hubspot_bookings (booking_id, associated_mock_exam, associated_contact_id, student_id, name,
          student_email, attending_location, dominant_hand, token_used, mock_set, is_active)
      values (p_booking_id, p_mock_exam_id, p_contact_id, p_student_id, p_student_name, p_student_email,
          p_attending_location, p_dominant_hand, p_token_used, p_mock_set::hubspot_sync.mock_set, 'Active')
      returning id into new_id;
      execute format('update hubspot_sync.hubspot_contact_credits set %I = $1 where hubspot_id = $2', p_credit_field)
        using p_new_credit_value, p_contact_id;
      return new_id;
    end $$;
    -- Its cancellation: restores the credit (SET), leaves token_refunded NULL.
    create function hubspot_sync.cancel_booking_atomic(p_booking_id uuid, p_credit_field text, p_restored_credit_value integer)
      returns void language plpgsql as $$
    declare
      contact text;
    begin
      update hubspot_sync.hubspot_bookings set is_active = 'Cancelled' where id = p_booking_id
        returning associated_contact_id into contact;
      execute format('update hubspot_sync.hubspot_contact_credits set %I = $1 where hubspot_id = $2', p_credit_field)
        using p_restored_credit_value, contact;
    end $$;

    -- Row-level security on every table; only the owner (who bypasses it) reads anything.
    alter table hubspot_sync.hubspot_contact_credits enable row level security;
    alter table hubspot_sync.hubspot_mock_exams enable row level security;
    alter table hubspot_sync.hubspot_bookings enable row level security;
    alter table hubspot_sync.audit_log enable row level security;
    alter table public.sync_metadata enable row level security;
    create policy deny_others on hubspot_sync.hubspot_contact_credits for all to public using (false);
    create policy deny_others on hubspot_sync.hubspot_mock_exams for all to public using (false);
    create policy deny_others on hubspot_sync.hubspot_bookings for all to public using (false);
    create policy deny_others on hubspot_sync.audit_log for all to public using (false);
    create policy deny_others on public.sync_metadata for all to public using (false);`;
}

/** A role that can read every source table but that row-level security filters: sees no rows, no error. */
export function readOnlyRoleSql(role: string): string {
  return `
    create role "${role}" login;
    grant usage on schema hubspot_sync, public to "${role}";
    grant select on all tables in schema hubspot_sync to "${role}";
    grant select on public.sync_metadata to "${role}";`;
}
