//! Plays the demo city's day ([`super::stories`]) through the line's own
//! steps, each at its moment in the past: a contact stored as intake, the
//! case opened by the SLA policy and the assignment rules as they stand
//! (`sla::plan`, `assign::choose_owner`: the `assigned` event carries the
//! real routing reason), the first answer, the owner's acknowledgement,
//! replies, hand-offs, resolutions, the residents' answers and reopenings,
//! and the router's SLA sweeps (`claim_warnings`, `claim_breaches`) run at
//! the moments a router would have run them. What a step cannot be told
//! the time of is written by its timed twin in `store::history`.
//!
//! Everything a sender would have done is done already: messages are
//! delivered, and nothing goes to the outbox, so starting the services
//! sends no resident anything about yesterday.

use batline_core::{
    Error, Result, assign,
    config::Config,
    domain::{ActorKind, Channel, DeliveryStatus, HandoffStatus, MessageKind, Priority, SlaTarget, event_kind},
    outbound,
    store::{
        self,
        cases::{Case, NewCase},
        history::{self, PastCall, PastHandoff},
        intake::NewIntake,
        messages::NewOutbound,
        responders::Needs,
        walk_in_tickets::NewTicket,
    },
    texts,
    tracking_code::TrackingCode,
    walk_in::Ticket,
};
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::stories::{STORIES, Story};

/// The residents' made-up numbers: +358 40 0000xxx, a range no operator
/// hands out.
fn resident_phone(last: u16) -> String {
    format!("+358400000{last:03}")
}

/// A router's sweep runs every few seconds; the demo's ran this long after
/// a deadline.
const SWEEP_LAG: i64 = 20;

/// Writes the day; returns how many cases it opened.
pub async fn write_day(pool: &PgPool, config: &Config) -> Result<usize> {
    let now = store::intake::db_now(pool).await?;
    let desk = store::responders::by_username(pool, super::DEMO_DESK.0).await?.ok_or(Error::NotFound("desk"))?;
    for (i, story) in STORIES.iter().enumerate() {
        let mut tx = pool.begin().await?;
        play(&mut tx, config, &desk.id, i, story, now).await?;
        tx.commit().await?;
    }
    Ok(STORIES.len())
}

/// One step of a case's life, at its moment.
enum Step {
    Acknowledge,
    Warn,
    Breach,
    Offer(&'static [&'static str], &'static str),
    Accept,
    Reply(&'static str),
    Resolve(&'static str),
    Answer(i32),
    Reacknowledge,
}

/// Who owns the case at a step.
struct Owner {
    id: Uuid,
    name: String,
}

async fn play(
    conn: &mut PgConnection,
    config: &Config,
    desk_id: &Uuid,
    index: usize,
    story: &Story,
    now: DateTime<Utc>,
) -> Result<()> {
    let opened = now - Duration::minutes(story.ago);
    let filed = opened + Duration::seconds(1);

    // The resident, and the contact as its channel's adapter stores it.
    let (resident_id, new) = match story.channel {
        Channel::Chat => {
            let token = Uuid::new_v4();
            let session = store::chat::insert_session(conn, token.as_bytes(), story.language).await?;
            let client_id = format!("demo-{index}");
            let new = NewIntake {
                channel: Channel::Chat,
                provider_id: Some(format!("{}:{client_id}", session.id)),
                sender: session.id.to_string(),
                recipient: None,
                body: story.says.to_owned(),
                raw: serde_json::json!({ "session_id": session.id, "client_id": client_id, "kind": "message" }),
            };
            (session.resident_id, new)
        }
        Channel::Email => {
            let address = format!("asukas{}@example.fi", story.phone);
            let resident = store::residents::upsert_by_email(conn, &address, story.language).await?;
            let message_id = format!("demo-{index}@example.fi");
            let line = config.email.as_ref().map(|e| e.from.clone());
            // The subject is the start of what they wrote, as people do.
            let subject: String = story.says.split('.').next().unwrap_or(story.says).chars().take(60).collect();
            let new = NewIntake {
                channel: Channel::Email,
                provider_id: Some(message_id.clone()),
                sender: address.clone(),
                recipient: line.clone(),
                body: story.says.to_owned(),
                raw: serde_json::json!({ "message_id": message_id, "from": address, "to": [line],
                                         "subject": subject, "language": story.language }),
            };
            (resident.id, new)
        }
        channel => {
            let phone = resident_phone(story.phone);
            let resident = store::residents::upsert_by_phone(conn, &phone, story.language).await?;
            let to = config.twilio.as_ref().map(|t| t.from_number.clone());
            let new = match channel {
                Channel::Voice => NewIntake {
                    channel,
                    provider_id: Some(format!("CA{index:032x}")),
                    sender: phone.clone(),
                    recipient: to.clone(),
                    body: "Phone call".to_owned(),
                    raw: serde_json::json!({ "From": phone, "To": to, "CallSid": format!("CA{index:032x}"),
                                             "CallStatus": "ringing" }),
                },
                Channel::WalkIn => {
                    let point = point_in(conn, story.area).await?;
                    let ticket = Ticket {
                        ticket_id: Uuid::new_v4(),
                        point_id: point,
                        desk_id: *desk_id,
                        language: story.language,
                        topic: Some(story.topic.to_owned()),
                        about: story.says.to_owned(),
                        phone: Some(phone.clone()),
                        follow_up_of: None,
                    };
                    NewIntake {
                        channel,
                        provider_id: Some(ticket.ticket_id.to_string()),
                        sender: ticket.sender(),
                        recipient: None,
                        body: ticket.about.clone(),
                        raw: serde_json::to_value(&ticket)?,
                    }
                }
                _ => NewIntake {
                    channel,
                    provider_id: Some(format!("SM{index:032x}")),
                    sender: phone.clone(),
                    recipient: to.clone(),
                    body: story.says.to_owned(),
                    raw: serde_json::json!({ "From": phone, "To": to, "Body": story.says,
                                             "MessageSid": format!("SM{index:032x}") }),
                },
            };
            (resident.id, new)
        }
    };
    let intake_id = history::intake_at(conn, &new, opened).await?;
    let ticket = match story.channel {
        Channel::WalkIn => Some(Ticket::from_raw(&new.raw)?),
        _ => None,
    };
    if let Some(ticket) = &ticket {
        let stored = NewTicket {
            id: ticket.ticket_id,
            point_id: ticket.point_id,
            desk_id: ticket.desk_id,
            idempotency_key: None,
            intake_id,
            language: story.language,
        };
        history::ticket_at(conn, &stored, opened).await?;
    }

    // Filing: the case opened with the owner the rules choose.
    let since = opened - Duration::days(i64::from(config.previous_responder_days));
    let previous_owner = store::cases::previous_owner(conn, resident_id, since).await?;
    let needs = Needs {
        language: story.language,
        area: Some(story.area),
        topic: Some(story.topic),
        previous_owner,
        at_point: ticket.as_ref().map(|t| t.point_id),
        // Yesterday's consoles are closed: the day is filed as if nobody
        // were present, by the other rules.
        prefer_present: false,
        presence_window: config.presence_window,
    };
    let clocks = batline_core::sla::plan(
        conn,
        story.channel,
        batline_core::sla::Topic::Given(story.topic),
        Priority::Normal,
        opened,
    )
    .await?
    .clocks;
    let decision = assign::choose_owner(conn, &needs, &[], opened).await?;
    let window = Duration::from_std(config.ack_windows.for_channel(story.channel))
        .map_err(|e| Error::Config(format!("acknowledgement window: {e}")))?;
    let mut new_case = NewCase {
        tracking_code: TrackingCode::generate(),
        resident_id,
        owner_id: decision.owner_id,
        channel: story.channel,
        language: story.language,
        opened_at: opened,
        area: Some(story.area.to_owned()),
        topic: Some(story.topic.to_owned()),
        ack_due_at: filed + window,
        priority: Priority::Normal,
        clocks,
        location: None,
    };
    // Its timeline and messages are written below, at the day's times. A
    // tracking code taken already draws another.
    let case = loop {
        if let Some(case) = store::cases::insert(conn, &new_case, &[], None, None).await? {
            break case;
        }
        new_case.tracking_code = TrackingCode::generate();
    };
    history::owned_since(conn, case.id, filed).await?;
    let mut opened_data = serde_json::json!({ "channel": story.channel });
    if let (Some(ticket), Some(map)) = (&ticket, opened_data.as_object_mut()) {
        map.insert("ticket_id".into(), serde_json::json!(ticket.ticket_id));
        map.insert("point_id".into(), serde_json::json!(ticket.point_id));
        map.insert("desk_id".into(), serde_json::json!(ticket.desk_id));
        map.insert("follow_up_of".into(), serde_json::Value::Null);
    }
    history::event_at(conn, case.id, event_kind::OPENED, (ActorKind::Resident, None), opened_data, filed).await?;
    history::event_at(conn, case.id, event_kind::ASSIGNED, (ActorKind::System, None), decision.reason(), filed).await?;
    store::messages::insert_inbound(
        conn,
        case.id,
        story.channel,
        &new.body,
        intake_id,
        new.provider_id.as_deref(),
        opened,
    )
    .await?;
    history::filed_at(conn, intake_id, case.id, filed).await?;
    let mut owner = Owner { id: decision.owner_id, name: decision.owner_name.clone() };

    // The first answer, naming the owner.
    let track_url = config.tracking_url(&case.tracking_code);
    let first = match (story.channel, &ticket) {
        (Channel::Voice, _) => texts::voice::call_receipt(story.language, &owner.name, &case.tracking_code, &track_url),
        (Channel::WalkIn, Some(ticket)) => {
            let point =
                store::walk_in_points::get(&mut *conn, ticket.point_id).await?.ok_or(Error::NotFound("point"))?;
            texts::walk_in_receipt(story.language, &owner.name, &case.tracking_code, &point.public_name, &track_url)
        }
        _ => {
            texts::auto_reply(story.language, &owner.name, &case.tracking_code, config.sms_promise_minutes, &track_url)
        }
    };
    send(conn, &case, MessageKind::AutoReply, &first, None, filed + Duration::seconds(1)).await?;

    // A call rings the owner at once; answering is the acknowledgement
    // and the first response.
    let mut first_response = None;
    if story.channel == Channel::Voice {
        first_response = Some(call(conn, &case, &owner, (&new, intake_id), story, filed).await?);
    }

    // The rest of the day, in order.
    let at = |minutes: i64| opened + Duration::minutes(minutes);
    let mut steps: Vec<(DateTime<Utc>, Step)> = Vec::new();
    if story.channel != Channel::Voice
        && let Some(m) = story.ack
    {
        steps.push((at(m) + Duration::seconds(40), Step::Acknowledge));
    }
    if let Some((m, to, note)) = story.handoff {
        steps.push((at(m), Step::Offer(to, note)));
        steps.push((at(m + 4), Step::Accept));
    }
    if let Some((m, text)) = story.reply {
        steps.push((at(m), Step::Reply(text)));
        first_response = first_response.or(Some(at(m)));
    }
    if let Some((m, summary)) = story.resolve {
        steps.push((at(m), Step::Resolve(summary)));
        if let Some((after, score)) = story.answer {
            steps.push((at(m + after), Step::Answer(score)));
            // The owner acknowledges a reopened case within the shortest window.
            if score <= 2 {
                steps.push((at(m + after) + Duration::seconds(40), Step::Reacknowledge));
            }
        }
    }
    // The router's sweeps, where the first response came late or not yet.
    let clocks = store::sla::clocks_for(&mut *conn, case.id).await?;
    if let Some(clock) = clocks.iter().find(|k| k.target == SlaTarget::FirstResponse) {
        for (moment, step) in [(clock.warn_at, Step::Warn), (clock.due_at, Step::Breach)] {
            let sweep = moment + Duration::seconds(SWEEP_LAG);
            if sweep < now && first_response.is_none_or(|t| t > moment) {
                steps.push((sweep, step));
            }
        }
    }
    steps.retain(|(t, _)| *t < now);
    steps.sort_by_key(|(t, _)| *t);

    let handoff_window =
        Duration::from_std(config.handoff_window).map_err(|e| Error::Config(format!("hand-off window: {e}")))?;
    let mut offered: Option<(Uuid, Owner, &str)> = None;
    for (t, step) in steps {
        let case = store::cases::get(&mut *conn, case.id).await?.ok_or(Error::NotFound("case"))?;
        match step {
            Step::Acknowledge | Step::Reacknowledge => acknowledge(conn, &case, &owner, t, None).await?,
            Step::Warn => sweep(conn, &case, t, false).await?,
            Step::Breach => sweep(conn, &case, t, true).await?,
            Step::Offer(to, note) => {
                let Some(to) = colleague(conn, to, owner.id).await? else { continue };
                acknowledge(conn, &case, &owner, t, None).await?;
                let past = PastHandoff {
                    case_id: case.id,
                    from_id: owner.id,
                    to_id: to.id,
                    note,
                    offered_at: t,
                    expires_at: t + handoff_window,
                    status: HandoffStatus::Accepted,
                    answered_at: t + Duration::minutes(4),
                };
                let handoff_id = history::handoff_at(conn, &past).await?;
                let data =
                    serde_json::json!({ "handoff_id": handoff_id, "to_id": to.id, "to_name": to.name, "note": note });
                let by = (ActorKind::Responder, Some(owner.id));
                history::event_at(conn, case.id, event_kind::HANDOFF_OFFERED, by, data, t).await?;
                offered = Some((handoff_id, to, note));
            }
            Step::Accept => {
                let Some((handoff_id, to, note)) = offered.take() else { continue };
                let from = owner.id;
                owner = to;
                accept(conn, &case, &owner, from, handoff_id, note, t).await?;
            }
            Step::Reply(text) => {
                let message = send(conn, &case, MessageKind::Reply, text, Some(owner.id), t).await?;
                let channel = outbound::resident_channel(case.channel);
                let data = serde_json::json!({ "message_id": message, "channel": channel });
                history::event_at(conn, case.id, event_kind::REPLIED, (ActorKind::Responder, Some(owner.id)), data, t)
                    .await?;
                acknowledge(conn, &case, &owner, t, None).await?;
                history::first_response_at(conn, case.id, t).await?;
                store::sla::mark_met(conn, case.id, SlaTarget::FirstResponse).await?;
            }
            Step::Resolve(summary) => {
                history::resolved_at(conn, case.id, summary, t).await?;
                store::sla::mark_met(conn, case.id, SlaTarget::Resolution).await?;
                let by = (ActorKind::Responder, Some(owner.id));
                history::event_at(
                    conn,
                    case.id,
                    event_kind::RESOLVED,
                    by,
                    serde_json::json!({ "summary": summary }),
                    t,
                )
                .await?;
                // As the console asks: the chat with its buttons, SMS by a reply.
                let ask = match (case.satisfaction_asked_at, case.channel) {
                    (Some(_), _) => texts::Ask::No,
                    (None, Channel::Chat) => texts::Ask::ByButtons,
                    (None, _) => texts::Ask::ByReply,
                };
                let notice = texts::resolved(case.language, &owner.name, &case.tracking_code, summary, ask);
                send(conn, &case, MessageKind::Notice, &notice, Some(owner.id), t).await?;
                if ask != texts::Ask::No {
                    history::satisfaction_at(conn, case.id, t, None).await?;
                }
            }
            Step::Answer(score) => answer(conn, config, &case, &owner, index, score, t).await?,
        }
    }
    Ok(())
}

/// The walk-in point of `area`, or the first one.
async fn point_in(conn: &mut PgConnection, area: &str) -> Result<Uuid> {
    let points = store::walk_in_points::list(&mut *conn).await?;
    points.iter().find(|p| p.area == area).or(points.first()).map(|p| p.id).ok_or(Error::NotFound("walk-in point"))
}

/// The first of `usernames` who is not `owner`.
async fn colleague(conn: &mut PgConnection, usernames: &[&str], owner: Uuid) -> Result<Option<Owner>> {
    for username in usernames {
        if let Some(r) = store::responders::by_username(&mut *conn, username).await?
            && r.id != owner
        {
            return Ok(Some(Owner { id: r.id, name: r.display_name }));
        }
    }
    Ok(None)
}

/// An outbound message to the resident, delivered; `None` when they cannot
/// be reached in the case's channel (never, in the demo: every walk-in
/// visitor gave a phone).
async fn send(
    conn: &mut PgConnection,
    case: &Case,
    kind: MessageKind,
    body: &str,
    author_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<Uuid> {
    let new = NewOutbound {
        case_id: case.id,
        channel: outbound::resident_channel(case.channel),
        kind,
        body,
        author_id,
        to_address: None,
    };
    history::outbound_at(conn, &new, DeliveryStatus::Delivered, at).await
}

/// The owner's acknowledgement, once per ownership.
async fn acknowledge(
    conn: &mut PgConnection,
    case: &Case,
    owner: &Owner,
    at: DateTime<Utc>,
    by: Option<&str>,
) -> Result<()> {
    let fresh = store::cases::get(&mut *conn, case.id).await?.ok_or(Error::NotFound("case"))?;
    if fresh.acknowledged_at.is_some() {
        return Ok(());
    }
    history::acknowledged_at(conn, case.id, at).await?;
    let data = match by {
        Some(by) => serde_json::json!({ "by": by }),
        None => serde_json::json!({}),
    };
    history::event_at(conn, case.id, event_kind::ACKNOWLEDGED, (ActorKind::Responder, Some(owner.id)), data, at).await
}

/// The call: rung to the owner, answered 20 seconds later, three minutes
/// of talk and the owner's note of it. Returns when they answered.
async fn call(
    conn: &mut PgConnection,
    case: &Case,
    owner: &Owner,
    (new, intake_id): (&NewIntake, Uuid),
    story: &Story,
    filed: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let sid = new.provider_id.clone().unwrap_or_default();
    let system = (ActorKind::System, None);
    let by_owner = (ActorKind::Responder, Some(owner.id));
    let data = serde_json::json!({ "call_sid": sid, "line_language": serde_json::Value::Null });
    history::event_at(conn, case.id, event_kind::CALL_RECEIVED, (ActorKind::Resident, None), data, filed).await?;
    let dialled = filed + Duration::seconds(2);
    let data = serde_json::json!({ "call_sid": sid, "responder_id": owner.id, "owner_name": owner.name });
    history::event_at(conn, case.id, event_kind::CALL_DIALLED, system, data, dialled).await?;
    let answered = dialled + Duration::seconds(20);
    history::call_at(
        conn,
        &PastCall {
            sid: &sid,
            intake_id,
            case_id: case.id,
            from: &new.sender,
            responder_id: owner.id,
            started_at: case.opened_at,
            connected_at: answered,
            ended_at: answered + Duration::minutes(3),
        },
    )
    .await?;
    let data = serde_json::json!({ "call_sid": sid, "responder_id": owner.id });
    history::event_at(conn, case.id, event_kind::CALL_CONNECTED, by_owner, data, answered).await?;
    history::first_response_at(conn, case.id, answered).await?;
    store::sla::mark_met(conn, case.id, SlaTarget::FirstResponse).await?;
    acknowledge(conn, case, owner, answered, Some("phone")).await?;
    let noted = answered + Duration::minutes(4);
    let data = serde_json::json!({ "text": story.says });
    history::event_at(conn, case.id, event_kind::NOTE, by_owner, data, noted).await?;
    Ok(answered)
}

/// The colleague accepts the offer: the case is theirs, the resident told.
async fn accept(
    conn: &mut PgConnection,
    case: &Case,
    to: &Owner,
    from: Uuid,
    handoff_id: Uuid,
    note: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let by = (ActorKind::Responder, Some(to.id));
    let data = serde_json::json!({ "handoff_id": handoff_id, "from_id": from });
    history::event_at(conn, case.id, event_kind::HANDOFF_ACCEPTED, by, data, at).await?;
    history::taken_over_at(conn, case.id, to.id, at).await?;
    let reason = serde_json::json!({
        "rule": "handoff", "handoff_id": handoff_id, "note": note,
        "owner_id": to.id, "owner_name": to.name, "previous_owner_id": from,
    });
    history::event_at(conn, case.id, event_kind::ASSIGNED, by, reason, at).await?;
    let notice = texts::reassigned(case.language, &to.name, &case.tracking_code);
    send(conn, case, MessageKind::Notice, &notice, None, at).await?;
    Ok(())
}

/// The router's SLA sweep at `at`: the warning or breach of this case's
/// first-response clock, recorded as the router records it.
async fn sweep(conn: &mut PgConnection, case: &Case, at: DateTime<Utc>, breach: bool) -> Result<()> {
    let claimed = if breach {
        store::sla::claim_breaches(conn, at, 10).await?
    } else {
        store::sla::claim_warnings(conn, at, 10).await?
    };
    for clock in claimed {
        // Each case's sweeps run while it is played, so nothing of an
        // earlier case can still be due.
        if clock.case_id != case.id {
            return Err(Error::Invalid(format!("a clock of another case was due at {at}")));
        }
        let data = if breach {
            let backstop = store::responders::backstop(&mut *conn).await?;
            serde_json::json!({
                "target": clock.target, "due_at": clock.due_at, "owner_id": case.owner_id,
                "raised_to": backstop.as_ref().map(|b| b.id),
                "raised_to_name": backstop.as_ref().map(|b| b.display_name.clone()),
            })
        } else {
            serde_json::json!({ "target": clock.target, "due_at": clock.due_at, "owner_id": case.owner_id })
        };
        let kind = if breach { event_kind::SLA_BREACHED } else { event_kind::SLA_WARNING };
        history::event_at(conn, case.id, kind, (ActorKind::System, None), data, at).await?;
    }
    Ok(())
}

/// The resident's answer to "was it solved?", by text in the channel they
/// are answered in; 1 or 2 reopens the case with the same owner.
async fn answer(
    conn: &mut PgConnection,
    config: &Config,
    case: &Case,
    owner: &Owner,
    index: usize,
    score: i32,
    at: DateTime<Utc>,
) -> Result<()> {
    let channel = outbound::resident_channel(case.channel);
    let body = score.to_string();
    let (sender, provider_id) = match channel {
        Channel::Chat => {
            let session =
                store::chat::session_for_case(&mut *conn, case.id).await?.ok_or(Error::NotFound("session"))?;
            (session.to_string(), format!("{session}:demo-{index}-answer"))
        }
        _ => {
            let phone = store::cases::resident_phone(&mut *conn, case.id).await?.ok_or(Error::NotFound("phone"))?;
            (phone, format!("SM{:032x}", 0x1000 + index))
        }
    };
    let new = NewIntake {
        channel,
        provider_id: Some(provider_id),
        sender,
        recipient: config.twilio.as_ref().map(|t| t.from_number.clone()).filter(|_| channel == Channel::Sms),
        body: body.clone(),
        raw: serde_json::json!({ "Body": body }),
    };
    let intake_id = history::intake_at(conn, &new, at).await?;
    let message =
        store::messages::insert_inbound(conn, case.id, channel, &body, intake_id, new.provider_id.as_deref(), at)
            .await?;
    let reopens = score <= 2;
    let data = serde_json::json!({ "score": score, "reopens": reopens, "message_id": message, "channel": channel });
    history::event_at(conn, case.id, event_kind::SATISFACTION, (ActorKind::Resident, None), data, at).await?;
    let filed = at + Duration::seconds(1);
    history::filed_at(conn, intake_id, case.id, filed).await?;
    let asked = case.satisfaction_asked_at.unwrap_or(at);
    history::satisfaction_at(conn, case.id, asked, Some((score, at))).await?;
    let reply = if reopens {
        let window = Duration::from_std(config.ack_windows.for_channel(case.channel))
            .map_err(|e| Error::Config(format!("acknowledgement window: {e}")))?;
        store::cases::reopen(conn, case.id, filed + window).await?;
        batline_core::sla::reopened(conn, case.id).await?;
        let data = serde_json::json!({ "owner_id": case.owner_id, "score": score });
        history::event_at(conn, case.id, event_kind::REOPENED, (ActorKind::Resident, None), data, filed).await?;
        texts::reopened(case.language, &owner.name, &case.tracking_code)
    } else {
        texts::satisfaction_thanks(case.language).to_owned()
    };
    send(conn, case, MessageKind::Notice, &reply, None, filed).await?;
    Ok(())
}
