-- A student's booking in one statement, one round trip (issue 13): the rules of
-- server/services/bookInTransaction.ts in the same order, under the same row locks (session row, then
-- student row), so the same refusal wins. The caller (server/services/bookInOneStatement.ts) passes
-- what only the app knows: the clock and cutoff, the booking details it validated for each session
-- type, and the credit rule of each type. A refusal returns its outcome and the figures the app needs
-- to build the same error; a booking returns the row, the balances and the seat count to mirror.
-- Constraint violations (a racing idempotency key or seat) raise as they did, and roll back everything.
CREATE FUNCTION "book_seat"(
  p_exam_id text,
  p_contact_id text,
  p_idempotency_key text,
  p_now timestamptz,
  p_cutoff_ms double precision,
  -- { "<mock type>": { "dominantHand": ..., "attendingLocation": ... } } for each type the input suits
  p_details jsonb,
  -- { "<mock type>": { "specific": "cs_credits", "specificKey": "csCredits", "token": "...",
  --   "shared": null | { "column": "shared_mock_credits", "key": "sharedMockCredits", "token": "Shared Token" } } }
  p_rules jsonb,
  -- the session token's studentId, email and name: stand-ins where the contact row is empty
  p_session jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  e record;
  s record;
  found_booking record;
  v_exam jsonb;
  v_rule jsonb;
  v_details jsonb;
  v_taken int;
  v_missing text[];
  v_specific int;
  v_column text;
  v_key text;
  v_token text;
  v_student_id text;
  v_name text;
  v_booking record;
  v_balances jsonb;
BEGIN
  SELECT hubspot_id, mock_type, mock_set, exam_date, start_time, end_time, capacity, is_active,
         scheduled_activation_datetime, prerequisite_exam_ids
    INTO e FROM hubspot_mock_exams WHERE hubspot_id = p_exam_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('outcome', 'exam_not_found');
  END IF;
  v_exam := jsonb_build_object('examId', e.hubspot_id, 'mockType', e.mock_type, 'examDate', e.exam_date,
    'startTime', e.start_time, 'endTime', e.end_time, 'capacity', e.capacity, 'isActive', e.is_active,
    'scheduledActivationDatetime', e.scheduled_activation_datetime);

  -- A repeat of a request already served answers as it did: the app reads that answer.
  IF p_idempotency_key IS NOT NULL
     AND EXISTS (SELECT 1 FROM hubspot_bookings WHERE idempotency_key = p_idempotency_key) THEN
    RETURN jsonb_build_object('outcome', 'replay', 'exam', v_exam);
  END IF;

  -- Bookable (services/exams.ts bookability) and of a type with a credit rule.
  v_rule := p_rules -> e.mock_type;
  IF v_rule IS NULL OR NOT coalesce(
       (e.is_active = 'true' OR (e.is_active = 'scheduled' AND e.scheduled_activation_datetime <= p_now))
       AND e.start_time > p_now
       AND e.start_time - p_cutoff_ms * interval '1 millisecond' > p_now,
       false) THEN
    RETURN jsonb_build_object('outcome', 'not_bookable', 'exam', v_exam);
  END IF;

  v_details := p_details -> e.mock_type;
  IF v_details IS NULL THEN
    RETURN jsonb_build_object('outcome', 'details_invalid', 'exam', v_exam);
  END IF;

  -- A line to settle first (someone waiting, or a hold run out: waitlistPromotion.ts settleWaitlist)
  -- is the transaction path's work: the app books this one with bookInTransaction instead.
  IF EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.associated_mock_exam = p_exam_id
              AND (w.status = 'waiting' OR (w.status = 'offered' AND w.offer_expires_at <= p_now))) THEN
    RETURN jsonb_build_object('outcome', 'settle_waitlist', 'exam', v_exam);
  END IF;

  -- Capacity, counted from the rows themselves (never from the stored counter): non-cancelled bookings
  -- plus the seats held for waitlisted students (db/queries/exams.ts countSeatsTaken).
  SELECT (count(*) + (SELECT count(*) FROM waitlist_entries w
                       WHERE w.associated_mock_exam = p_exam_id AND w.status = 'offered'))::int
    INTO v_taken FROM hubspot_bookings
   WHERE associated_mock_exam = p_exam_id AND is_active <> 'Cancelled';
  IF v_taken >= e.capacity THEN
    RETURN jsonb_build_object('outcome', 'full', 'exam', v_exam, 'taken', v_taken);
  END IF;

  -- The student's row lock serialises the duplicate, overlap and credit checks with their other bookings.
  SELECT student_id, email, student_name, firstname, lastname,
         sj_credits, cs_credits, sjmini_credits, mock_discussion_token, shared_mock_credits
    INTO s FROM hubspot_contact_credits WHERE hubspot_id = p_contact_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('outcome', 'student_gone', 'exam', v_exam);
  END IF;

  -- One non-cancelled booking per student, exam date and type, by the sessions' own type and date.
  SELECT b.id AS "bookingId", b.associated_mock_exam AS "examId" INTO found_booking
    FROM hubspot_bookings b JOIN hubspot_mock_exams x ON x.hubspot_id = b.associated_mock_exam
   WHERE b.associated_contact_id = p_contact_id AND x.exam_date = e.exam_date AND x.mock_type = e.mock_type
     AND b.is_active <> 'Cancelled'
   LIMIT 1;
  IF FOUND THEN
    RETURN jsonb_build_object('outcome', 'duplicate', 'exam', v_exam, 'other', to_jsonb(found_booking));
  END IF;

  -- No overlap in time with another non-cancelled booking's session (touching ends do not overlap).
  IF e.start_time IS NOT NULL AND e.end_time IS NOT NULL THEN
    SELECT b.id AS "bookingId", b.associated_mock_exam AS "examId" INTO found_booking
      FROM hubspot_bookings b JOIN hubspot_mock_exams x ON x.hubspot_id = b.associated_mock_exam
     WHERE b.associated_contact_id = p_contact_id AND b.is_active <> 'Cancelled'
       AND x.hubspot_id <> p_exam_id AND x.start_time < e.end_time AND x.end_time > e.start_time
     ORDER BY x.start_time
     LIMIT 1;
    IF FOUND THEN
      RETURN jsonb_build_object('outcome', 'time_conflict', 'exam', v_exam, 'other', to_jsonb(found_booking));
    END IF;
  END IF;

  -- A Mock Discussion needs an Active or Completed booking on each session it lists.
  IF coalesce(cardinality(e.prerequisite_exam_ids), 0) > 0 THEN
    SELECT array_agg(p.id ORDER BY p.n) INTO v_missing
      FROM unnest(e.prerequisite_exam_ids) WITH ORDINALITY AS p(id, n)
     WHERE NOT EXISTS (SELECT 1 FROM hubspot_bookings b
                        WHERE b.associated_contact_id = p_contact_id AND b.associated_mock_exam = p.id
                          AND b.is_active IN ('Active', 'Completed'));
    IF v_missing IS NOT NULL THEN
      RETURN jsonb_build_object('outcome', 'prerequisites', 'exam', v_exam, 'missing', to_jsonb(v_missing));
    END IF;
  END IF;

  -- The credit: the type's own balance first, then the shared one where the rule allows.
  v_balances := jsonb_build_object('sjCredits', s.sj_credits, 'csCredits', s.cs_credits,
    'sjminiCredits', s.sjmini_credits, 'mockDiscussionToken', s.mock_discussion_token,
    'sharedMockCredits', s.shared_mock_credits);
  v_specific := (v_balances ->> (v_rule ->> 'specificKey'))::int;
  IF v_specific > 0 THEN
    v_column := v_rule ->> 'specific';
    v_key := v_rule ->> 'specificKey';
    v_token := v_rule ->> 'token';
  ELSIF jsonb_typeof(v_rule -> 'shared') = 'object' AND s.shared_mock_credits > 0 THEN
    v_column := v_rule #>> '{shared,column}';
    v_key := v_rule #>> '{shared,key}';
    v_token := v_rule #>> '{shared,token}';
  ELSE
    RETURN jsonb_build_object('outcome', 'no_credit', 'exam', v_exam, 'balances', v_balances);
  END IF;

  UPDATE hubspot_contact_credits SET
      sj_credits = sj_credits - (v_column = 'sj_credits')::int,
      cs_credits = cs_credits - (v_column = 'cs_credits')::int,
      sjmini_credits = sjmini_credits - (v_column = 'sjmini_credits')::int,
      mock_discussion_token = mock_discussion_token - (v_column = 'mock_discussion_token')::int,
      shared_mock_credits = shared_mock_credits - (v_column = 'shared_mock_credits')::int,
      updated_at = now()
    WHERE hubspot_id = p_contact_id
    RETURNING jsonb_build_object('sjCredits', sj_credits, 'csCredits', cs_credits, 'sjminiCredits', sjmini_credits,
      'mockDiscussionToken', mock_discussion_token, 'sharedMockCredits', shared_mock_credits) INTO v_balances;

  -- Recorded as the contact row says now (services/studentIdentity.ts); the token's copies stand in.
  v_student_id := coalesce(s.student_id, p_session ->> 'studentId');
  v_name := coalesce(
    nullif(btrim(s.student_name, E' \t\n\r\f\v'), ''),
    nullif(concat_ws(' ', nullif(s.firstname, ''), nullif(s.lastname, '')), ''),
    p_session ->> 'name');
  INSERT INTO hubspot_bookings (booking_id, idempotency_key, associated_contact_id, associated_mock_exam,
      student_id, name, student_email, is_active, exam_date, start_time, end_time, mock_type, mock_set,
      token_used, attending_location, dominant_hand)
    VALUES (
      -- services/bookingCode.ts: "Clinical Skills-1599999-March 1, 2026"
      e.mock_type || '-' || coalesce(v_student_id, 'null') || '-' || to_char(e.exam_date, 'FMMonth FMDD, YYYY'),
      p_idempotency_key, p_contact_id, p_exam_id, v_student_id, v_name,
      coalesce(s.email, p_session ->> 'email'), 'Active', e.exam_date, e.start_time, e.end_time, e.mock_type,
      e.mock_set, v_token, v_details ->> 'attendingLocation', v_details ->> 'dominantHand')
    RETURNING id, booking_id, associated_mock_exam, exam_date, mock_type, start_time, end_time, token_used
    INTO v_booking;

  -- HubSpot learns of all three in this same transaction (docs/SYNC.md), in the app's order.
  INSERT INTO sync_outbox (object_type, object_id, change, payload) VALUES
    ('booking', v_booking.id::text, 'created', NULL),
    ('contact', p_contact_id, 'credits', jsonb_build_object('column', v_key, 'delta', -1)),
    ('exam', p_exam_id, 'total_bookings', NULL);

  UPDATE hubspot_mock_exams SET total_bookings = v_taken + 1, updated_at = now() WHERE hubspot_id = p_exam_id;

  RETURN jsonb_build_object(
    'outcome', 'booked',
    'booking', jsonb_build_object('bookingId', v_booking.id, 'bookingCode', v_booking.booking_id,
      'examId', v_booking.associated_mock_exam, 'examDate', v_booking.exam_date, 'mockType', v_booking.mock_type,
      'startTime', v_booking.start_time, 'endTime', v_booking.end_time, 'tokenUsed', v_booking.token_used),
    'balances', v_balances,
    'seats', jsonb_build_object('examId', p_exam_id, 'capacity', e.capacity, 'totalBookings', v_taken + 1));
END
$$;
