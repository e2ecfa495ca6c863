//! What an owner does to a case, for the JSON API and the case page alike:
//! acknowledge, reply, resolve, note, reopen. Every change is one
//! transaction that also writes its bus messages to the outbox.

use batline_core::{
    bus::BusMessage,
    domain::{ActorKind, CallBackStatus, CaseStatus, Channel, MessageKind, Priority, Role, event_kind},
    outbound,
    outbox::Outbox,
    store::{
        self,
        cases::Case,
        messages::{Message, NewOutbound},
        responders::Responder,
    },
    texts,
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    http::error::ApiError,
    operations::{fields::text_field, outbox::publish},
    state::AppState,
};

/// Longest reply: Twilio's SMS body limit.
const MAX_REPLY_CHARS: usize = texts::SMS_MAX_CHARS;
/// Longest resolution summary; it goes to the resident with a greeting around it.
const MAX_SUMMARY_CHARS: usize = 1000;

/// Refuses desk staff: they own no cases and read no conversations.
pub fn refuse_desk(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Desk {
        return Err(ApiError::Forbidden(
            "desk staff do not read case conversations; look a case up by its code at /api/v1/walk-in/cases/{code}"
                .into(),
        ));
    }
    Ok(())
}

/// Refuses anyone but the case's owner, and desk staff even then: acting
/// on a case checks the same rule as reading it, so an account that cannot
/// read a conversation cannot answer or close it blind (were a case ever to
/// reach one; assignment and rosters choose only roles that own cases).
pub fn ensure_owner(me: &Responder, case: &Case) -> Result<(), ApiError> {
    refuse_desk(me)?;
    if case.owner_id == me.id {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "case {} belongs to another responder; only its owner can open or change it",
            case.tracking_code
        )))
    }
}

/// Locks a case the signed-in responder owns and that is still open.
pub async fn lock_own_open(conn: &mut PgConnection, me: &Responder, id: Uuid) -> Result<Case, ApiError> {
    let case = store::cases::lock(conn, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    ensure_owner(me, &case)?;
    if case.status != CaseStatus::Open {
        return Err(batline_core::Error::Conflict(format!("case {} is already resolved", case.tracking_code)).into());
    }
    Ok(case)
}

/// What [`acknowledge_in`] did.
#[derive(Debug)]
#[must_use]
pub struct Acknowledged {
    /// This was the first acknowledgement (an event went on the timeline).
    pub first: bool,
    /// Outbox rows to publish after commit: the resident told who handles
    /// their case now, if they had not heard of this owner yet.
    pub outbox_ids: Vec<i64>,
}

/// Records the owner's acknowledgement once, and tells the resident their
/// case's owner if a move (by the rules or a lead) had not been announced:
/// acknowledging, replying, offering on or calling is taking the case up.
pub async fn acknowledge_in(conn: &mut PgConnection, me: &Responder, case: &Case) -> Result<Acknowledged, ApiError> {
    let first = store::cases::acknowledge(conn, case.id).await?;
    if first {
        store::events::append(
            conn,
            case.id,
            event_kind::ACKNOWLEDGED,
            ActorKind::Responder,
            Some(me.id),
            serde_json::json!({}),
        )
        .await?;
    }
    let outbox_ids = batline_core::ownership::taken_up(conn, case, &me.display_name).await?;
    Ok(Acknowledged { first, outbox_ids })
}

/// Acknowledges a case its owner has in hand.
pub async fn acknowledge_as(state: &AppState, me: &Responder, id: Uuid) -> Result<Case, ApiError> {
    let mut tx = state.pool.begin().await?;
    let case = lock_own_open(&mut tx, me, id).await?;
    let acknowledged = acknowledge_in(&mut tx, me, &case).await?;
    let mut ids = acknowledged.outbox_ids;
    if acknowledged.first {
        ids.push(Outbox::enqueue(&mut tx, &updated(&case, event_kind::ACKNOWLEDGED)).await?);
    }
    let case = store::cases::get(&mut *tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(case)
}

/// Replies to the resident in `channel`, or by default in the channel they
/// last wrote in (see [`outbound::Reach`]).
pub async fn reply_as(
    state: &AppState,
    me: &Responder,
    id: Uuid,
    text: &str,
    channel: Option<Channel>,
) -> Result<Message, ApiError> {
    let text = text_field(text, "body", MAX_REPLY_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = lock_own_open(&mut tx, me, id).await?;
    let reach = outbound::reach(&mut tx, case.id, case.channel).await?;
    let channel = match channel {
        None => reach.default,
        Some(picked) if reach.allows(picked) => picked,
        Some(picked) => {
            let known: Vec<&str> = reach.channels.iter().map(|c| c.as_str()).collect();
            return Err(batline_core::Error::Invalid(format!(
                "the resident cannot be answered by {}; they can be by: {}",
                picked.as_str(),
                if known.is_empty() {
                    "nothing (they left no phone, email or chat)".to_owned()
                } else {
                    known.join(", ")
                }
            ))
            .into());
        }
    };
    if channel == Channel::Sms {
        // Sent with its heading in front, which must fit as well: refused
        // rather than cut, so the owner decides what goes.
        let heading = texts::sms_heading(&state.config.city_name, case.language, Some(&me.display_name));
        text_field(&text, "body", MAX_REPLY_CHARS - heading.chars().count())?;
    }
    let (message, send) = outbound::queue(
        &mut tx,
        &NewOutbound {
            case_id: case.id,
            channel,
            kind: MessageKind::Reply,
            body: &text,
            author_id: Some(me.id),
            to_address: None,
        },
    )
    .await?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::REPLIED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "message_id": message.id, "channel": channel }),
    )
    .await?;
    // Replying is the clearest acknowledgement there is. The resident hears
    // who handles their case (if they had not) before the reply itself.
    let announced = acknowledge_in(&mut tx, me, &case).await?.outbox_ids;
    batline_core::sla::first_response(&mut tx, case.id).await?;
    let mut ids = announced;
    ids.extend(send);
    ids.push(Outbox::enqueue(&mut tx, &updated(&case, event_kind::REPLIED)).await?);
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(message)
}

/// Resolves a case with a summary and tells the resident.
pub async fn resolve_as(state: &AppState, me: &Responder, id: Uuid, summary: &str) -> Result<Case, ApiError> {
    let summary = text_field(summary, "summary", MAX_SUMMARY_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = lock_own_open(&mut tx, me, id).await?;
    let resolved = store::cases::resolve(&mut tx, case.id, &summary)
        .await?
        .ok_or_else(|| batline_core::Error::Conflict(format!("case {} is already resolved", case.tracking_code)))?;
    batline_core::sla::resolved(&mut tx, case.id).await?;
    // The resolution notice names its owner: nothing is left to announce.
    store::cases::take_unannounced(&mut tx, case.id).await?;
    // Resolved is resolved: nobody owes a call on it any more.
    store::call_backs::close(&mut tx, case.id, CallBackStatus::Cancelled, None).await?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::RESOLVED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "summary": summary }),
    )
    .await?;
    let channel = outbound::reach(&mut tx, case.id, case.channel).await?.default;
    // Asked once per case: a case reopened and resolved again is not asked twice.
    // The chat asks with its buttons; SMS by a reply. An Open311 app has
    // no way to answer: its reporter reads the summary as status_notes.
    let ask = match (case.satisfaction_asked_at, channel) {
        (Some(_), _) | (None, Channel::Open311) => texts::Ask::No,
        (None, Channel::Chat) => texts::Ask::ByButtons,
        (None, _) => texts::Ask::ByReply,
    };
    let notice = texts::resolved(case.language, &me.display_name, &case.tracking_code, &summary, ask);
    let message = NewOutbound {
        case_id: case.id,
        channel,
        kind: MessageKind::Notice,
        body: &notice,
        author_id: Some(me.id),
        to_address: None,
    };
    let mut ids = Vec::new();
    if let Some((_, send)) = outbound::queue_if_reachable(&mut tx, &message).await? {
        ids.extend(send);
        if ask != texts::Ask::No {
            store::cases::mark_satisfaction_asked(&mut tx, case.id).await?;
        }
    }
    ids.push(Outbox::enqueue(&mut tx, &updated(&case, event_kind::RESOLVED)).await?);
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(resolved)
}

/// Longest internal note.
const MAX_NOTE_CHARS: usize = 4000;

/// Adds an internal note to my case: staff see it on the timeline; the
/// resident never does (notes are not among the public event kinds).
pub async fn note_as(state: &AppState, me: &Responder, id: Uuid, text: &str) -> Result<(), ApiError> {
    let text = text_field(text, "note", MAX_NOTE_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = store::cases::lock(&mut tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    ensure_owner(me, &case)?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::NOTE,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "text": text }),
    )
    .await?;
    let ids = vec![Outbox::enqueue(&mut tx, &updated(&case, event_kind::NOTE)).await?];
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(())
}

/// Opens a resolved case again with the same owner, who must acknowledge
/// it again (at once, when they are the one reopening). Its owner or a
/// lead may; the resident is told.
pub async fn reopen_as(state: &AppState, me: &Responder, id: Uuid, reason: &str) -> Result<Case, ApiError> {
    let reason = text_field(reason, "reason", MAX_SUMMARY_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = store::cases::lock(&mut tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if !me.role.may_reassign() {
        ensure_owner(me, &case)?;
    }
    let window = chrono::Duration::from_std(state.config.ack_windows.for_channel(case.channel))
        .map_err(|e| batline_core::Error::Config(format!("acknowledgement window: {e}")))?;
    let reopened = store::cases::reopen(&mut tx, case.id, chrono::Utc::now() + window)
        .await?
        .ok_or_else(|| batline_core::Error::Conflict(format!("case {} is open already", case.tracking_code)))?;
    batline_core::sla::reopened(&mut tx, case.id).await?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::REOPENED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "owner_id": case.owner_id, "reason": reason }),
    )
    .await?;
    let mut ids = Vec::new();
    if reopened.owner_id == me.id {
        ids.extend(acknowledge_in(&mut tx, me, &reopened).await?.outbox_ids);
    }
    let owner = store::responders::get(&mut *tx, case.owner_id).await?.ok_or(batline_core::Error::NotFound("owner"))?;
    let notice = texts::reopened(case.language, &owner.display_name, &case.tracking_code);
    let message = NewOutbound {
        case_id: case.id,
        channel: outbound::reach(&mut tx, case.id, case.channel).await?.default,
        kind: MessageKind::Notice,
        body: &notice,
        author_id: Some(me.id),
        to_address: None,
    };
    if let Some((_, send)) = outbound::queue_if_reachable(&mut tx, &message).await? {
        ids.extend(send);
    }
    ids.push(Outbox::enqueue(&mut tx, &updated(&case, event_kind::REOPENED)).await?);
    let case = store::cases::get(&mut *tx, case.id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(case)
}

/// What a person says a case is about, where it is and how urgent: codes of
/// the city's lists (`None` leaves it unknown).
#[derive(Debug, Clone, Copy)]
pub struct Classification<'a> {
    /// A topic code of the service catalogue.
    pub topic: Option<&'a str>,
    /// A district.
    pub area: Option<&'a str>,
    /// How urgent.
    pub priority: Priority,
}

/// Longest district name taken.
const MAX_AREA_CHARS: usize = 80;

/// Sets a case's topic, area and priority, open or resolved (a resolved
/// case is classified for the figures too). Its owner or a lead may. A
/// topic must be one the catalogue still offers, unless the case has it
/// already. Sending what the case has already changes nothing.
pub async fn classify_as(
    state: &AppState,
    me: &Responder,
    id: Uuid,
    wanted: Classification<'_>,
) -> Result<Case, ApiError> {
    refuse_desk(me)?;
    let area = wanted.area.map(|a| text_field(a, "area", MAX_AREA_CHARS)).transpose()?;
    let mut tx = state.pool.begin().await?;
    let case = store::cases::lock(&mut tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if !me.role.may_reassign() {
        ensure_owner(me, &case)?;
    }
    if let Some(topic) = wanted.topic
        && case.topic.as_deref() != Some(topic)
        && !store::topics::is_offered(&mut *tx, topic).await?
    {
        return Err(ApiError::Unprocessable(format!(
            "{topic:?} is not a topic of the service catalogue; choose one from GET /api/v1/topics"
        )));
    }
    // A district the case does not have yet is read from the city's list
    // (by code, Finnish or Swedish name); what it has stays as it is.
    let area = match area {
        Some(area) if case.area.as_ref() != Some(&area) => {
            Some(batline_core::districts::code_of(&mut tx, &area).await?.ok_or_else(|| {
                ApiError::Unprocessable(format!(
                    "{area:?} is not one of the city's districts; choose one from GET /api/v1/districts"
                ))
            })?)
        }
        area => area,
    };
    let unchanged = case.topic.as_deref() == wanted.topic && case.area == area && case.priority == wanted.priority;
    if unchanged {
        return Ok(case);
    }
    // A topic or district filing heard and a person now changes is a
    // correction: counted, so the classifier's accuracy in real use is known.
    let heard = store::events::for_case_of_kinds(&mut *tx, case.id, &[event_kind::AUTO_CLASSIFIED]).await?;
    let heard = heard.last().map(|e| &e.data);
    let corrected = |key: &str, now: Option<&str>, wanted: Option<&str>| {
        let filed = heard.and_then(|d| d.get(key)).and_then(serde_json::Value::as_str);
        filed.is_some() && filed == now && wanted != now
    };
    let corrects_topic = corrected("topic", case.topic.as_deref(), wanted.topic);
    let corrects_area = corrected("area", case.area.as_deref(), area.as_deref());
    let classified = store::cases::classify(&mut tx, case.id, wanted.topic, area.as_deref(), wanted.priority)
        .await?
        .ok_or(batline_core::Error::NotFound("case"))?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::CLASSIFIED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({
            "topic": classified.topic, "area": classified.area, "priority": classified.priority,
            "previous": { "topic": case.topic, "area": case.area, "priority": case.priority },
            "corrects_heard_topic": corrects_topic, "corrects_heard_area": corrects_area,
        }),
    )
    .await?;
    let ids = vec![Outbox::enqueue(&mut tx, &updated(&case, event_kind::CLASSIFIED)).await?];
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(classified)
}

/// Longest address typed to locate a case.
const MAX_ADDRESS_CHARS: usize = 200;

/// Sets where a case is from an address or a place's name a person types
/// ("Fleminginkatu 12", "Kumpulan kampus"), found in the city's map, and
/// its district with it. Its owner or a lead may. An address the map does
/// not find with confidence is refused rather than guessed.
pub async fn locate_as(state: &AppState, me: &Responder, id: Uuid, address: &str) -> Result<Case, ApiError> {
    refuse_desk(me)?;
    let address = text_field(address, "address", MAX_ADDRESS_CHARS)?;
    let city = state.city.get(|| batline_core::place::CityMap::load(&state.pool)).await?;
    let located = city.locate_text(&address).filter(|l| l.is_confident()).ok_or_else(|| {
        ApiError::Unprocessable(format!(
            "{address:?} was not found in the city's map; write a street and house number, a corner or a place's name"
        ))
    })?;
    let mut tx = state.pool.begin().await?;
    let case = store::cases::lock(&mut tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if !me.role.may_reassign() {
        ensure_owner(me, &case)?;
    }
    let location = store::cases::CaseLocation::located(&located, "responder");
    let district = located.districts.district.code.as_str();
    let placed = store::cases::locate(&mut tx, case.id, &location, Some(district))
        .await?
        .ok_or(batline_core::Error::NotFound("case"))?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::LOCATED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({
            "place": location.label, "area": placed.area, "typed": address,
            "previous": { "place": case.location_label, "area": case.area },
        }),
    )
    .await?;
    let ids = vec![Outbox::enqueue(&mut tx, &updated(&case, event_kind::LOCATED)).await?];
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(placed)
}

fn updated(case: &Case, kind: &str) -> BusMessage {
    BusMessage::CaseUpdated { case_id: case.id, owner_id: case.owner_id, kind: kind.to_owned() }
}
