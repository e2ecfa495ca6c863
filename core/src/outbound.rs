//! Queuing a message to a resident: the outbound row and the bus message
//! that makes its channel's sender deliver it, written together in the
//! caller's transaction so neither exists without the other.
//!
//! Chat has no sender queue: the message row *is* the delivery (a resident
//! who reconnects reads it from PostgreSQL), and the bus message only tells
//! whichever gateway holds the resident's socket to push it now. It goes on
//! the events exchange, where no listener (nobody connected) is normal.

use sqlx::PgConnection;

use crate::{
    Result,
    bus::BusMessage,
    domain::{ActorKind, Channel, DeliveryStatus, event_kind},
    outbox::Outbox,
    store::{
        self,
        messages::{Message, NewOutbound},
    },
};

/// Writes `new` as pending and queues its delivery. Returns the message and
/// the outbox row to publish after commit. An Open311 message is delivered
/// by being written, since the reporter's app reads it back from the
/// request; a reporter Batline knows by email address gets a copy by email
/// too (apps seldom look), whose outbox row is the one returned.
pub async fn queue(conn: &mut PgConnection, new: &NewOutbound<'_>) -> Result<(Message, Option<i64>)> {
    let (message, notice) = write(conn, new).await?;
    Ok((message, enqueue(conn, notice).await?))
}

/// Writes `notice`, if any, to the outbox; its row id.
pub async fn enqueue(conn: &mut PgConnection, notice: Option<BusMessage>) -> Result<Option<i64>> {
    match notice {
        Some(notice) => Ok(Some(Outbox::enqueue(conn, &notice).await?)),
        None => Ok(None),
    }
}

/// [`queue`] without writing the bus message that hands the message on:
/// it is returned, for the caller to write with its own in one statement
/// ([`Outbox::enqueue_all`]).
pub async fn write(conn: &mut PgConnection, new: &NewOutbound<'_>) -> Result<(Message, Option<BusMessage>)> {
    let mut message = store::messages::insert_outbound(conn, new).await?;
    let notice = match message.channel {
        Channel::Open311 => {
            store::messages::set_delivery(&mut *conn, message.id, DeliveryStatus::Delivered, None, None).await?;
            message.delivery_status = Some(DeliveryStatus::Delivered);
            if store::cases::resident_email(&mut *conn, message.case_id).await?.is_none() {
                return Ok((message, None));
            }
            let copy = NewOutbound { channel: Channel::Email, to_address: None, ..new.clone() };
            let copy = store::messages::insert_outbound(conn, &copy).await?;
            BusMessage::SendMessage { message_id: copy.id, channel: Channel::Email }
        }
        Channel::Chat => match store::chat::session_for_case(&mut *conn, message.case_id).await? {
            Some(session_id) => BusMessage::ChatUpdated { session_id },
            None => {
                return Err(crate::Error::Invalid(format!(
                    "case {} has no chat session to send a chat message to",
                    message.case_id
                )));
            }
        },
        channel => BusMessage::SendMessage { message_id: message.id, channel },
    };
    Ok((message, Some(notice)))
}

/// The channel a message to the resident goes out in, for a case first
/// opened in `case_channel`. A caller and a walk-in visitor who left a phone
/// number are reached by SMS: nobody is phoned back by a machine, and a desk
/// cannot reach a resident who has gone home. An Open311 reporter reads the
/// owner's replies as the request's `status_notes`; a resident who wrote an
/// email is answered by email.
pub fn resident_channel(case_channel: Channel) -> Channel {
    match case_channel {
        Channel::Sms | Channel::Voice | Channel::WalkIn => Channel::Sms,
        Channel::Chat => Channel::Chat,
        Channel::Open311 => Channel::Open311,
        Channel::Email => Channel::Email,
    }
}

/// The channels a case's resident can be answered on now, and the one an
/// answer takes unless the owner picks another: the channel the resident
/// last wrote in on the case (a caller or a walk-in visitor is texted, as
/// [`resident_channel`] says), else the one the case came in. A resident
/// linked across channels (`resident_link`) has several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// Every channel that reaches them, in a fixed order.
    pub channels: Vec<Channel>,
    /// The channel an answer takes by default.
    pub default: Channel,
}

impl Reach {
    /// Whether `channel` reaches the resident.
    pub fn allows(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }
}

/// The [`Reach`] of `case_id`'s resident. An Open311 reporter is reached
/// only on their request (the app reads the answers back from it), and
/// only on an Open311 case.
pub async fn reach(conn: &mut PgConnection, case_id: uuid::Uuid, case_channel: Channel) -> Result<Reach> {
    let Some(found) = store::cases::resident_reach(&mut *conn, case_id).await? else {
        return Err(crate::Error::NotFound("case"));
    };
    let mut channels = Vec::new();
    if case_channel == Channel::Open311 {
        channels.push(Channel::Open311);
    }
    if found.has_chat {
        channels.push(Channel::Chat);
    }
    if found.has_phone {
        channels.push(Channel::Sms);
    }
    if found.has_email {
        channels.push(Channel::Email);
    }
    let first = resident_channel(case_channel);
    let default = found
        .last_inbound
        .map(resident_channel)
        .filter(|c| channels.contains(c))
        .or_else(|| channels.contains(&first).then_some(first))
        .or_else(|| channels.first().copied())
        // Nobody to reach (a walk-in visitor who left no number): the
        // case's own channel, whose sender reports it.
        .unwrap_or(first);
    Ok(Reach { channels, default })
}

/// Queues `new` unless its channel needs a phone number (or an email
/// address) the resident never
/// gave (a walk-in visitor without one, say): then there is nobody to send
/// it to, and `None` says so instead of a failed delivery on the timeline.
pub async fn queue_if_reachable(
    conn: &mut PgConnection,
    new: &NewOutbound<'_>,
) -> Result<Option<(Message, Option<i64>)>> {
    let Some((message, notice)) = write_if_reachable(conn, new).await? else {
        return Ok(None);
    };
    Ok(Some((message, enqueue(conn, notice).await?)))
}

/// [`queue_if_reachable`] as [`write`] is to [`queue`].
pub async fn write_if_reachable(
    conn: &mut PgConnection,
    new: &NewOutbound<'_>,
) -> Result<Option<(Message, Option<BusMessage>)>> {
    if !reachable(conn, new).await? {
        return Ok(None);
    }
    write(conn, new).await.map(Some)
}

/// Whether the resident gave what `new`'s channel needs to reach them.
async fn reachable(conn: &mut PgConnection, new: &NewOutbound<'_>) -> Result<bool> {
    Ok(match new.channel {
        Channel::Sms => store::cases::resident_phone(&mut *conn, new.case_id).await?.is_some(),
        Channel::Email => store::cases::resident_email(&mut *conn, new.case_id).await?.is_some(),
        _ => true,
    })
}

/// Marks `message` failed and puts the failure on its case's timeline,
/// where the owner sees it (whichever sender failed: SMS or email).
pub async fn mark_failed(conn: &mut PgConnection, message: &Message, reason: &str) -> Result<()> {
    store::messages::set_delivery(&mut *conn, message.id, DeliveryStatus::Failed, None, Some(reason)).await?;
    store::events::append(
        conn,
        message.case_id,
        event_kind::DELIVERY_FAILED,
        ActorKind::System,
        None,
        serde_json::json!({ "message_id": message.id, "kind": message.kind, "error": reason }),
    )
    .await?;
    if let Some(case) = store::cases::get(&mut *conn, message.case_id).await? {
        let update = BusMessage::CaseUpdated {
            case_id: case.id,
            owner_id: case.owner_id,
            kind: event_kind::DELIVERY_FAILED.to_owned(),
        };
        Outbox::enqueue(conn, &update).await?;
    }
    Ok(())
}

/// A sender's first step with message `message_id`, in `conn`'s
/// transaction: the message, locked, when it is still to be sent (`None`
/// for a redelivery of one already sent or failed). One found `sending`
/// means a sender stopped mid-way: it may or may not have reached the
/// resident, so it is marked failed with `uncertain` rather than sent
/// twice, and `None` is returned; the caller commits either way.
pub async fn claim(conn: &mut PgConnection, message_id: uuid::Uuid, uncertain: &str) -> Result<Option<Message>> {
    let Some(message) = store::messages::lock(&mut *conn, message_id).await? else {
        return Err(crate::Error::NotFound("message"));
    };
    match message.delivery_status {
        Some(DeliveryStatus::Pending) => Ok(Some(message)),
        Some(DeliveryStatus::Sending) => {
            mark_failed(conn, &message, uncertain).await?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Records that the provider took message `message_id` (with its id for
/// it, if any). The provider has it already, so a database hiccup here
/// must not turn into sending it again: the write alone is retried, for up
/// to about half a minute.
pub async fn record_sent(pool: &sqlx::PgPool, message_id: uuid::Uuid, provider_id: Option<&str>) -> Result<()> {
    let mut wait = std::time::Duration::from_millis(100);
    loop {
        match store::messages::set_delivery(pool, message_id, DeliveryStatus::Sent, provider_id, None).await {
            Ok(()) => return Ok(()),
            Err(e) if wait < std::time::Duration::from_secs(30) => {
                tracing::warn!(error = %e, %message_id, "cannot record a sent message yet; retrying");
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(e) => return Err(e),
        }
    }
}
