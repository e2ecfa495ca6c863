//! What happens to one received email, whichever door it came through
//! (the SMTP listener or a mailbox): a person's mail is stored as intake
//! with its attachments and handed to the router, in one transaction with
//! its outbox row, as an SMS is; a bounce marks Batline's mail failed on
//! its case; an automatic reply is put on the case it answers and never
//! answered. The same Message-ID twice is stored once.

use batline_core::{
    bus::BusMessage,
    domain::{ActorKind, Channel, DeliveryStatus, event_kind},
    metrics,
    outbox::Outbox,
    store::{self, intake::NewIntake},
};
use uuid::Uuid;

use super::reading::{self, Reading, Sender};
use crate::{hand_on, state::AppState};

/// What became of an email Batline took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Stored for the router, as this intake row.
    Stored(Uuid),
    /// The same Message-ID was stored before.
    AlreadyStored,
    /// A bounce: this many of Batline's emails are now marked failed.
    Bounce(usize),
    /// Mail from a machine: noted on the case it answers, if any.
    Automatic(&'static str),
}

/// Why an email was not taken, as the SMTP listener answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotTaken {
    /// Try again later (4xx): the database or the broker is away.
    Later(String),
    /// Never (5xx): not an email, or nobody to answer.
    Refused(String),
}

/// Takes one email addressed to `recipients`; `reverse_path` as in
/// [`reading::read`].
pub async fn take(
    state: &AppState,
    raw: &[u8],
    reverse_path: Option<&str>,
    recipients: &[String],
) -> Result<Taken, NotTaken> {
    let Some(email) = state.config.email.as_ref() else {
        return Err(NotTaken::Refused("this line takes no email".into()));
    };
    let own = email.from_domain().to_owned();
    let Some(reading) = reading::read(raw, reverse_path, &own) else {
        return Err(NotTaken::Refused("not an email message (RFC 5322)".into()));
    };
    let later = |e: batline_core::Error| {
        tracing::warn!(error = %e, "an email could not be stored; the sending server will retry");
        NotTaken::Later("cannot store mail right now; try again later".into())
    };
    match reading.sender.clone() {
        Sender::Bounce(ids) => bounce(state, &ids, raw).await.map_err(later),
        Sender::Automatic(why) => automatic(state, &reading, why).await.map_err(later),
        Sender::Person => match reading.from.as_deref() {
            None => Err(NotTaken::Refused("no From address to answer".into())),
            // Batline's own address writing to itself is a loop, not a person.
            Some(from) if from == email.from => Ok(Taken::Automatic("from the line's own address")),
            Some(_) => store_person(state, &reading, recipients).await.map_err(later),
        },
    }
}

async fn store_person(state: &AppState, reading: &Reading, recipients: &[String]) -> batline_core::Result<Taken> {
    let sender = reading.from.clone().unwrap_or_default();
    let raw = serde_json::json!({
        "message_id": reading.message_id,
        "from": sender,
        "from_name": reading.from_name,
        "to": recipients,
        "subject": reading.subject,
        "in_reply_to": reading.in_reply_to,
        "references": reading.references,
        "language": reading.language,
        "words_cut": reading.words_cut,
        "attachments": reading.attachments.len(),
        "attachments_left_out": reading.attachments_left_out,
    });
    let new = NewIntake {
        channel: Channel::Email,
        provider_id: Some(reading.message_id.clone()),
        sender,
        recipient: recipients.first().cloned(),
        body: reading.body(),
        raw,
    };
    let mut tx = state.pool.begin().await?;
    let Some(intake_id) = store::intake::insert(&mut tx, &new).await? else {
        tx.commit().await?;
        tracing::info!(message_id = %reading.message_id, "a resent email; already stored");
        return Ok(Taken::AlreadyStored);
    };
    for (ordinal, file) in (0..).zip(&reading.attachments) {
        store::email::insert_attachment(
            &mut tx,
            intake_id,
            ordinal,
            &file.file_name,
            &file.content_type,
            &file.content,
        )
        .await?;
    }
    let announcement =
        Outbox::enqueue_written(&mut tx, &BusMessage::IntakeArrived { intake_id, channel: Channel::Email }).await?;
    tx.commit().await?;
    tracing::info!(%intake_id, message_id = %reading.message_id, attachments = reading.attachments.len(), "email stored");
    metrics::intake_stored(Channel::Email);
    hand_on::publish_intake(state, intake_id, announcement).await;
    Ok(Taken::Stored(intake_id))
}

/// Marks Batline's emails that `ids` names as failed, on their cases'
/// timelines, as a failed SMS is.
async fn bounce(state: &AppState, ids: &[String], raw: &[u8]) -> batline_core::Result<Taken> {
    let reason = bounce_reason(raw);
    let mut tx = state.pool.begin().await?;
    let bounced = store::email::outbound_among(&mut *tx, ids).await?;
    let mut outbox_ids = Vec::new();
    for (message_id, _, provider_id) in &bounced {
        let Some(case_id) =
            store::messages::apply_status_callback(&mut *tx, provider_id, DeliveryStatus::Failed, Some(&reason))
                .await?
        else {
            continue;
        };
        let data = serde_json::json!({ "message_id": message_id, "provider_id": provider_id, "status": "failed", "error": reason });
        store::events::append(&mut tx, case_id, event_kind::DELIVERY_FAILED, ActorKind::System, None, data).await?;
        if let Some(case) = store::cases::get(&mut *tx, case_id).await? {
            let update = BusMessage::CaseUpdated {
                case_id,
                owner_id: case.owner_id,
                kind: event_kind::DELIVERY_FAILED.to_owned(),
            };
            outbox_ids.push(Outbox::enqueue(&mut tx, &update).await?);
        }
    }
    tx.commit().await?;
    tracing::info!(named = ids.len(), bounced = bounced.len(), %reason, "a bounce of Batline's email");
    hand_on::publish(state, &outbox_ids).await;
    Ok(Taken::Bounce(bounced.len()))
}

/// What a bounce says went wrong: its `Status:` and `Diagnostic-Code:`
/// lines, as the owner reads them on the timeline.
fn bounce_reason(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            lower.starts_with("status:") || lower.starts_with("diagnostic-code:")
        })
        .take(2)
        .collect();
    let detail: String = lines.join("; ").chars().take(300).collect();
    if detail.is_empty() { "the email bounced".to_owned() } else { format!("the email bounced ({detail})") }
}

/// Notes an automatic reply on the case whose mail it answers; once per
/// Message-ID. Mail from a machine that answers nothing is dropped.
async fn automatic(state: &AppState, reading: &Reading, why: &'static str) -> batline_core::Result<Taken> {
    let ids: Vec<String> = reading.in_reply_to.iter().chain(&reading.references).cloned().collect();
    let case_id = if ids.is_empty() { None } else { store::email::case_of_thread(&state.pool, &ids).await? };
    let Some(case_id) = case_id else {
        tracing::info!(message_id = %reading.message_id, why, "automatic email answering nothing of Batline's: dropped");
        return Ok(Taken::Automatic(why));
    };
    let mut tx = state.pool.begin().await?;
    let Some(case) = store::cases::lock(&mut tx, case_id).await? else {
        return Ok(Taken::Automatic(why));
    };
    let seen = store::events::for_case_of_kinds(&mut *tx, case.id, &[event_kind::EMAIL_AUTO_REPLY])
        .await?
        .iter()
        .any(|e| e.data.get("message_id").and_then(|m| m.as_str()) == Some(reading.message_id.as_str()));
    let mut outbox_ids = Vec::new();
    if !seen {
        let data = serde_json::json!({
            "message_id": reading.message_id,
            "subject": reading.subject,
            "text": reading.words.chars().take(500).collect::<String>(),
            "why": why,
        });
        store::events::append(&mut tx, case.id, event_kind::EMAIL_AUTO_REPLY, ActorKind::System, None, data).await?;
        let update = BusMessage::CaseUpdated {
            case_id: case.id,
            owner_id: case.owner_id,
            kind: event_kind::EMAIL_AUTO_REPLY.to_owned(),
        };
        outbox_ids.push(Outbox::enqueue(&mut tx, &update).await?);
    }
    tx.commit().await?;
    tracing::info!(case_id = %case.id, why, "an automatic reply noted on its case; not answered");
    hand_on::publish(state, &outbox_ids).await;
    Ok(Taken::Automatic(why))
}
