//! Bulk loading of a synthetic year for `batline-bench dashboard`: many
//! cases with their intake, SLA clocks, timeline events and hand-offs, made
//! by `INSERT … SELECT` over `generate_series` (a million rows a statement,
//! not a million statements). Only ever run against a scratch database the
//! benchmark creates and drops; no service calls it.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use batline_core::Result;

/// Districts the synthetic cases fall in.
const AREAS: [&str; 10] = [
    "Kallio",
    "Vuosaari",
    "Kamppi",
    "Pasila",
    "Malmi",
    "Herttoniemi",
    "Kannelmäki",
    "Lauttasaari",
    "Itäkeskus",
    "Oulunkylä",
];
/// Their topics.
const TOPICS: [&str; 8] = ["streets", "parks", "waste", "stops", "noise", "housing", "schools", "health"];

/// Loads `responders` on-duty responders (and a backstop) and `cases` cases
/// opened over the year before `now`, each with one to two intake rows, both
/// SLA clocks (some breached), the usual timeline events (some missed
/// acknowledgements, reopenings, breaches) and, for one in twenty, an
/// accepted hand-off; then `VACUUM ANALYZE`. Each step is one statement.
#[tracing::instrument(skip(pool))]
pub async fn load(pool: &PgPool, responders: i64, cases: i64, now: DateTime<Utc>) -> Result<()> {
    let steps: [&str; 18] = [
        // The open-case counter trigger would update a responder row per
        // open case, and the report triggers (migration 19) a case row per
        // missed acknowledgement and hand-off; the counts and
        // deadlines are written with the cases instead.
        "ALTER TABLE cases DISABLE TRIGGER cases_open_cases",
        "ALTER TABLE case_events DISABLE TRIGGER case_events_count_ack_missed",
        "ALTER TABLE handoffs DISABLE TRIGGER handoffs_count_accepted_insert",
        "INSERT INTO responders (id, username, display_name, password_hash, areas, duty_status, capacity)
         SELECT md5('responder' || i)::uuid, 'r' || i, 'Responder ' || i, 'x',
                ARRAY[($3::text[])[1 + i % 10]], 'on_duty', 1000
         FROM generate_series(1, $1) i",
        "INSERT INTO responders (id, username, display_name, password_hash, is_backstop, role)
         VALUES (md5('backstop')::uuid, 'backstop', 'Backstop', 'x', true, 'mayor')",
        "INSERT INTO residents (id, phone)
         SELECT md5('resident' || i)::uuid, '+3585' || lpad(i::text, 9, '0') FROM generate_series(1, $2) i",
        // Per case: when it opened (uniform over the year, more by day than
        // by night), how long to a named owner (mostly a second or two), to a
        // first response (exponential, mean 10 min) and to resolution (mean
        // two days); the latest days still partly open.
        "INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, status, opened_at,
                            owned_at, owner_assigned_at, acknowledged_at, first_response_at, resolved_at, resolution_summary,
                            area, topic, priority, reopened_count, satisfaction_score, satisfaction_at,
                            first_response_due_at, resolution_due_at)
         SELECT md5('case' || i)::uuid,
                left(code, 4) || '-' || right(code, 4),
                md5('resident' || i)::uuid,
                md5('responder' || (1 + i % $1))::uuid,
                (ARRAY['sms', 'sms', 'sms', 'sms', 'voice', 'voice', 'walk_in', 'walk_in', 'chat', 'sms'])[1 + i % 10],
                (ARRAY['fi', 'fi', 'fi', 'fi', 'fi', 'fi', 'sv', 'sv', 'en', 'fi'])[1 + (i / 10) % 10],
                CASE WHEN is_open THEN 'open' ELSE 'resolved' END,
                opened,
                owned,
                owned,
                owned + interval '30 seconds',
                CASE WHEN is_open AND u_response < 0.3 THEN NULL ELSE owned + response END,
                CASE WHEN is_open THEN NULL ELSE owned + response + resolution END,
                CASE WHEN is_open THEN NULL ELSE 'done' END,
                ($3::text[])[1 + (i / 7) % 10],
                ($4::text[])[1 + (i / 3) % 8],
                (ARRAY['normal', 'normal', 'normal', 'high', 'low', 'normal', 'urgent', 'normal'])[1 + (i / 11) % 8],
                CASE WHEN NOT is_open AND u_reopen < 0.03 THEN 1 ELSE 0 END,
                CASE WHEN NOT is_open AND u_score < 0.4 THEN 1 + floor(u_score * 12.5)::int END,
                CASE WHEN NOT is_open AND u_score < 0.4 THEN owned + response + resolution + interval '1 hour' END,
                opened + interval '15 minutes',
                opened + interval '5 days'
         FROM (
             SELECT i, opened,
                    opened + make_interval(secs => CASE WHEN random() < 0.01 THEN 60 + random() * 600
                                                        ELSE 0.2 + random() * 3 END) AS owned,
                    make_interval(secs => -ln(1 - random()) * 600) AS response,
                    make_interval(secs => -ln(1 - random()) * 172800) AS resolution,
                    opened > $5 - interval '3 days' AND random() < 0.7 OR random() < 0.005 AS is_open,
                    random() AS u_response, random() AS u_reopen, random() AS u_score,
                    (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((i::bigint >> (5 * k)) & 31)::int + 1, 1),
                                       '' ORDER BY k DESC)
                     FROM generate_series(0, 7) k) AS code
             FROM (SELECT i, $5 - make_interval(secs => random() * 365 * 86400) AS opened
                   FROM generate_series(1, $2) i) t
         ) s",
        "INSERT INTO intake (id, channel, sender, body, raw, received_at, case_id, filed_at)
         SELECT gen_random_uuid(), c.channel, 'resident', 'x', '{}', at, c.id, filed
         FROM cases c
         CROSS JOIN LATERAL (VALUES (c.opened_at, c.owned_at),
                                    (c.opened_at + interval '20 minutes', c.opened_at + interval '20 minutes 1 second'))
              AS v(at, filed)
         WHERE at = c.opened_at OR hashtext(c.id::text) % 3 = 0",
        "INSERT INTO sla_clocks (case_id, target, policy_id, started_at, warn_at, due_at, breached_at, met_at)
         SELECT c.id, v.target, p.id, c.opened_at, c.opened_at + v.target_time * 0.8, c.opened_at + v.target_time,
                CASE WHEN coalesce(v.met, $5) > c.opened_at + v.target_time
                     THEN c.opened_at + v.target_time + interval '5 seconds' END,
                v.met
         FROM cases c
         CROSS JOIN (SELECT id FROM sla_policies ORDER BY version LIMIT 1) p
         CROSS JOIN LATERAL (VALUES ('first_response', interval '15 minutes', c.first_response_at),
                                    ('resolution', interval '5 days', c.resolved_at)) AS v(target, target_time, met)",
        "INSERT INTO case_events (case_id, kind, actor_kind, actor_id, at, data)
         SELECT c.id, v.kind, v.actor, CASE WHEN v.actor = 'responder' THEN c.owner_id END, v.at, v.data
         FROM cases c
         CROSS JOIN LATERAL (VALUES
             ('opened', 'system', c.opened_at, '{}'::jsonb),
             ('assigned', 'system', c.owner_assigned_at, jsonb_build_object('owner_id', c.owner_id)),
             ('ack_missed', 'system', CASE WHEN hashtext(c.id::text) % 20 = 0 THEN c.owner_assigned_at END, '{}'),
             ('acknowledged', 'responder', c.acknowledged_at, '{}'),
             ('replied', 'responder', c.first_response_at, '{}'),
             ('resolved', 'responder', c.resolved_at, jsonb_build_object('summary', 'done')),
             ('reopened', 'resident', CASE WHEN c.reopened_count > 0 THEN c.resolved_at - interval '1 day' END, '{}')
         ) AS v(kind, actor, at, data)
         WHERE v.at IS NOT NULL",
        "INSERT INTO case_events (case_id, kind, actor_kind, at, data)
         SELECT k.case_id, 'sla_breached', 'system', k.breached_at,
                jsonb_build_object('target', k.target, 'owner_id', c.owner_id)
         FROM sla_clocks k JOIN cases c ON c.id = k.case_id
         WHERE k.breached_at IS NOT NULL",
        "INSERT INTO handoffs (id, case_id, from_id, to_id, note, status, offered_at, expires_at, answered_at)
         SELECT gen_random_uuid(), h.id, h.from_id, h.owner_id, 'over to you', 'accepted',
                h.owner_assigned_at + interval '2 minutes', h.owner_assigned_at + interval '12 minutes',
                h.owner_assigned_at + interval '3 minutes'
         FROM (SELECT c.id, c.owner_id, c.owner_assigned_at,
                      md5('responder' || (1 + (row_number() OVER ()) % $1))::uuid AS from_id
               FROM cases c WHERE hashtext(c.id::text) % 20 = 1) h
         WHERE h.from_id <> h.owner_id",
        "UPDATE cases c SET acks_missed = 1 WHERE hashtext(c.id::text) % 20 = 0",
        "UPDATE cases c SET handoffs_accepted = 1 WHERE c.id IN (SELECT case_id FROM handoffs)",
        "UPDATE responders r SET open_cases = coalesce(
             (SELECT count(*) FROM cases c WHERE c.owner_id = r.id AND c.status = 'open'), 0)",
        "ALTER TABLE cases ENABLE TRIGGER cases_open_cases",
        "ALTER TABLE case_events ENABLE TRIGGER case_events_count_ack_missed",
        "ALTER TABLE handoffs ENABLE TRIGGER handoffs_count_accepted_insert",
    ];
    for step in steps {
        let started = std::time::Instant::now();
        // Each statement uses the parameters it names; PostgreSQL refuses
        // unused ones, so bind only up to the highest mentioned.
        let highest = (1..=5).rev().find(|n| step.contains(&format!("${n}"))).unwrap_or(0);
        let mut query = sqlx::query(step);
        if highest >= 1 {
            query = query.bind(responders);
        }
        if highest >= 2 {
            query = query.bind(cases);
        }
        if highest >= 3 {
            query = query.bind(&AREAS[..]);
        }
        if highest >= 4 {
            query = query.bind(&TOPICS[..]);
        }
        if highest >= 5 {
            query = query.bind(now);
        }
        query.execute(pool).await?;
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, step = first_line(step), "loaded");
    }
    sqlx::query("VACUUM ANALYZE").execute(pool).await?;
    Ok(())
}

fn first_line(sql: &str) -> &str {
    sql.lines().next().unwrap_or_default()
}
