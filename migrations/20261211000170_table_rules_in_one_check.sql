-- The rules of `cases`, `messages` and `responders` are each one CHECK that
-- calls one function, instead of 18, 8 and 6 CHECKs. The rules themselves
-- are unchanged, and a row that breaks one is refused as before: SQLSTATE
-- 23514 (check_violation), naming the rule by its old constraint name.
--
-- Why: PostgreSQL prepares a table's CHECK constraints afresh for every
-- statement that writes the table: it reads each stored expression back
-- from its text and plans it before testing the first row. For the 18 rules
-- of `cases` that took 41 µs a statement on the development machine (an
-- insert alone took 11 µs); filing a case writes `cases`, `messages` and
-- (through the open-cases trigger) `responders`, and sending its answer
-- updates `messages` twice more. A PL/pgSQL function's expressions are
-- planned once per session and cost 12 µs a statement for all 18. Measured
-- with `batline-bench mixed` (docs/src/benchmarks.md, 2026-12-05): about
-- 0.1 ms of PostgreSQL's CPU a contact.
--
-- To add a rule: add its test to the table's function (CREATE OR REPLACE,
-- same arguments) and, if it reads a column the function does not take yet,
-- drop the table's CHECK, replace the function with one that takes it and
-- add the CHECK again. A rule is tested only when it holds no NULL answer:
-- `IF NOT (rule)` is false for NULL, as a CHECK passes on NULL.

-- Refuses the row being written for breaking `rule` of `tbl`, as a failed
-- CHECK constraint of that name would. Volatile, so the planner never
-- evaluates a call ahead of time.
CREATE FUNCTION rule_broken(tbl text, rule text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'new row for relation "%" violates check constraint "%"', tbl, rule
        USING ERRCODE = 'check_violation', TABLE = tbl, CONSTRAINT = rule;
END
$$;

CREATE FUNCTION cases_rules_hold(
    id uuid, tracking_code text, channel text, language text, status text,
    resolved_at timestamptz, resolution_summary text, priority text,
    satisfaction_score integer, satisfaction_at timestamptz, reopened_count integer,
    location_label text, location_lon double precision, location_lat double precision,
    location_by text, merged_into uuid
) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF NOT (tracking_code ~ '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$') THEN
        PERFORM rule_broken('cases', 'cases_tracking_code_check');
    END IF;
    IF NOT (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311', 'email')) THEN
        PERFORM rule_broken('cases', 'cases_channel_check');
    END IF;
    IF NOT (language IN ('fi', 'sv', 'en')) THEN
        PERFORM rule_broken('cases', 'cases_language_check');
    END IF;
    IF NOT (status IN ('open', 'resolved')) THEN
        PERFORM rule_broken('cases', 'cases_status_check');
    END IF;
    IF NOT ((status = 'resolved') = (resolved_at IS NOT NULL)) THEN
        PERFORM rule_broken('cases', 'cases_check');
    END IF;
    IF NOT (status <> 'resolved' OR resolution_summary IS NOT NULL) THEN
        PERFORM rule_broken('cases', 'cases_check1');
    END IF;
    IF NOT ((satisfaction_score IS NULL) = (satisfaction_at IS NULL)) THEN
        PERFORM rule_broken('cases', 'cases_check2');
    END IF;
    IF NOT (satisfaction_score >= 1 AND satisfaction_score <= 5) THEN
        PERFORM rule_broken('cases', 'cases_satisfaction_score_check');
    END IF;
    IF NOT (priority IN ('low', 'normal', 'high', 'urgent')) THEN
        PERFORM rule_broken('cases', 'cases_priority_check');
    END IF;
    IF NOT (reopened_count >= 0) THEN
        PERFORM rule_broken('cases', 'cases_reopened_count_check');
    END IF;
    IF NOT (location_by IN ('shared', 'walk_in_point', 'open311', 'text', 'responder')) THEN
        PERFORM rule_broken('cases', 'cases_location_by');
    END IF;
    IF NOT (char_length(location_label) >= 1 AND char_length(location_label) <= 200) THEN
        PERFORM rule_broken('cases', 'cases_location_label_length');
    END IF;
    IF NOT (location_lon >= -180 AND location_lon <= 180 AND location_lat >= -90 AND location_lat <= 90) THEN
        PERFORM rule_broken('cases', 'cases_location_on_earth');
    END IF;
    IF NOT (location_lon IS NULL OR location_label IS NOT NULL) THEN
        PERFORM rule_broken('cases', 'cases_location_point_needs_label');
    END IF;
    IF NOT ((location_lon IS NULL) = (location_lat IS NULL)) THEN
        PERFORM rule_broken('cases', 'cases_location_point_whole');
    END IF;
    IF NOT ((location_label IS NULL) = (location_by IS NULL)) THEN
        PERFORM rule_broken('cases', 'cases_location_whole');
    END IF;
    IF NOT (merged_into IS NULL OR status = 'resolved') THEN
        PERFORM rule_broken('cases', 'cases_merged_is_closed');
    END IF;
    IF NOT (merged_into IS DISTINCT FROM id) THEN
        PERFORM rule_broken('cases', 'cases_not_merged_into_itself');
    END IF;
    RETURN true;
END
$$;

CREATE FUNCTION messages_rules_hold(
    direction text, channel text, kind text, delivery_status text,
    recording_seconds integer, read_at timestamptz, to_address text
) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF NOT (direction IN ('inbound', 'outbound')) THEN
        PERFORM rule_broken('messages', 'messages_direction_check');
    END IF;
    IF NOT (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311', 'email')) THEN
        PERFORM rule_broken('messages', 'messages_channel_check');
    END IF;
    IF NOT (kind IN ('resident', 'reply', 'auto_reply', 'notice')) THEN
        PERFORM rule_broken('messages', 'messages_kind_check');
    END IF;
    IF NOT (delivery_status IN ('pending', 'sending', 'sent', 'delivered', 'undelivered', 'failed')) THEN
        PERFORM rule_broken('messages', 'messages_delivery_status_check');
    END IF;
    IF NOT ((direction = 'outbound') = (delivery_status IS NOT NULL)) THEN
        PERFORM rule_broken('messages', 'messages_check');
    END IF;
    IF NOT (read_at IS NULL OR direction = 'inbound') THEN
        PERFORM rule_broken('messages', 'messages_check1');
    END IF;
    IF NOT (to_address IS NULL
            OR (direction = 'outbound' AND char_length(to_address) >= 3 AND char_length(to_address) <= 254)) THEN
        PERFORM rule_broken('messages', 'messages_check2');
    END IF;
    IF NOT (recording_seconds >= 0) THEN
        PERFORM rule_broken('messages', 'messages_recording_seconds_check');
    END IF;
    RETURN true;
END
$$;

CREATE FUNCTION responders_rules_hold(
    username text, display_name text, duty_status text, capacity integer, open_cases integer, role text
) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF NOT (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$') THEN
        PERFORM rule_broken('responders', 'responders_username_safe');
    END IF;
    IF NOT (display_name !~ '[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]') THEN
        PERFORM rule_broken('responders', 'responders_display_name_visible');
    END IF;
    IF NOT (duty_status IN ('on_duty', 'away', 'off')) THEN
        PERFORM rule_broken('responders', 'responders_duty_status_check');
    END IF;
    IF NOT (role IN ('responder', 'desk', 'lead', 'mayor', 'admin')) THEN
        PERFORM rule_broken('responders', 'responders_role_check');
    END IF;
    IF NOT (capacity >= 0) THEN
        PERFORM rule_broken('responders', 'responders_capacity_check');
    END IF;
    IF NOT (open_cases >= 0) THEN
        PERFORM rule_broken('responders', 'responders_open_cases_check');
    END IF;
    RETURN true;
END
$$;

ALTER TABLE cases
    DROP CONSTRAINT cases_tracking_code_check,
    DROP CONSTRAINT cases_channel_check,
    DROP CONSTRAINT cases_language_check,
    DROP CONSTRAINT cases_status_check,
    DROP CONSTRAINT cases_check,
    DROP CONSTRAINT cases_check1,
    DROP CONSTRAINT cases_check2,
    DROP CONSTRAINT cases_satisfaction_score_check,
    DROP CONSTRAINT cases_priority_check,
    DROP CONSTRAINT cases_reopened_count_check,
    DROP CONSTRAINT cases_location_by,
    DROP CONSTRAINT cases_location_label_length,
    DROP CONSTRAINT cases_location_on_earth,
    DROP CONSTRAINT cases_location_point_needs_label,
    DROP CONSTRAINT cases_location_point_whole,
    DROP CONSTRAINT cases_location_whole,
    DROP CONSTRAINT cases_merged_is_closed,
    DROP CONSTRAINT cases_not_merged_into_itself,
    ADD CONSTRAINT cases_rules CHECK (cases_rules_hold(
        id, tracking_code, channel, language, status, resolved_at, resolution_summary, priority,
        satisfaction_score, satisfaction_at, reopened_count,
        location_label, location_lon, location_lat, location_by, merged_into));

ALTER TABLE messages
    DROP CONSTRAINT messages_direction_check,
    DROP CONSTRAINT messages_channel_check,
    DROP CONSTRAINT messages_kind_check,
    DROP CONSTRAINT messages_delivery_status_check,
    DROP CONSTRAINT messages_check,
    DROP CONSTRAINT messages_check1,
    DROP CONSTRAINT messages_check2,
    DROP CONSTRAINT messages_recording_seconds_check,
    ADD CONSTRAINT messages_rules CHECK (messages_rules_hold(
        direction, channel, kind, delivery_status, recording_seconds, read_at, to_address));

ALTER TABLE responders
    DROP CONSTRAINT responders_username_safe,
    DROP CONSTRAINT responders_display_name_visible,
    DROP CONSTRAINT responders_duty_status_check,
    DROP CONSTRAINT responders_role_check,
    DROP CONSTRAINT responders_capacity_check,
    DROP CONSTRAINT responders_open_cases_check,
    ADD CONSTRAINT responders_rules CHECK (responders_rules_hold(
        username, display_name, duty_status, capacity, open_cases, role));
