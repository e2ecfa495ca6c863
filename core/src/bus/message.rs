//! The messages that travel on the bus. Each carries ids only: PostgreSQL
//! holds the truth, so a redelivered or late message can always be checked
//! against it (that is what makes every handler idempotent).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::Channel;

/// Which exchange a message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exchange {
    /// Work that must reach a queue: published as mandatory, so a message
    /// that no queue takes is a failure, not a silent loss.
    Work,
    /// Notifications for whoever listens (consoles, live pages); having no
    /// listener is normal.
    Events,
}

impl Exchange {
    /// Name stored in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            Exchange::Work => "work",
            Exchange::Events => "events",
        }
    }

    /// Parses the outbox's name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "work" => Some(Exchange::Work),
            "events" => Some(Exchange::Events),
            _ => None,
        }
    }
}

/// Routing key of [`BusMessage::ChatUpdated`].
pub const CHAT_UPDATED: &str = "chat.updated";
/// Routing key of [`BusMessage::ChatTyping`].
pub const CHAT_TYPING: &str = "chat.typing";
/// Binding that takes every chat notification, for the gateways.
pub const CHAT_BINDING: &str = "chat.*";

/// A message on the bus, tagged by `type` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BusMessage {
    /// The gateway stored a contact; the router files it into a case.
    IntakeArrived {
        /// The intake row.
        intake_id: Uuid,
        /// Its channel (also in the routing key).
        channel: Channel,
    },
    /// An outbound message is written and waits for its channel's sender.
    SendMessage {
        /// The message row.
        message_id: Uuid,
        /// The channel to send in.
        channel: Channel,
    },
    /// A responder went off duty: a router hands their open cases on.
    ResponderWentOff {
        /// The responder.
        responder_id: Uuid,
    },
    /// A case got a (new) named owner.
    CaseAssigned {
        /// The case.
        case_id: Uuid,
        /// Its owner now.
        owner_id: Uuid,
        /// Its owner until now, for a case that moved; their console drops it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_owner_id: Option<Uuid>,
    },
    /// A case passed an SLA target unmet; its owner and the lead it was
    /// raised to are told.
    SlaBreached {
        /// The case.
        case_id: Uuid,
        /// Its owner.
        owner_id: Uuid,
        /// The shift lead (or, with no shift running, the backstop) it was raised to.
        lead_id: Option<Uuid>,
        /// Which target.
        target: crate::domain::SlaTarget,
    },
    /// A case's owner missed the acknowledgement deadline and nobody
    /// eligible was present at their console to take it over: it stays
    /// with its owner under a fresh deadline, and the lead is alerted.
    NobodyPresent {
        /// The case.
        case_id: Uuid,
        /// Its owner, who keeps it.
        owner_id: Uuid,
        /// The shift lead (or, with no shift running, the backstop) alerted.
        lead_id: Option<Uuid>,
    },
    /// A new case's words speak of danger to life or safety (the priority
    /// rules made it urgent): the shift lead is alerted at once.
    UrgentCase {
        /// The case.
        case_id: Uuid,
        /// Its owner.
        owner_id: Uuid,
        /// The shift lead (or, with no shift running, the backstop) alerted.
        lead_id: Option<Uuid>,
    },
    /// Something a chat resident sees changed: a message in their
    /// conversation, their case's owner or status, a read mark. Every
    /// gateway hears it; the one holding the session's socket reads the
    /// change from PostgreSQL and sends it, so a lost or repeated
    /// notification never loses or repeats a message.
    ChatUpdated {
        /// The chat session.
        session_id: Uuid,
    },
    /// A case's owner is typing a reply to a chat resident. Ephemeral: a
    /// resident who is not connected just never sees it.
    ChatTyping {
        /// The chat session.
        session_id: Uuid,
        /// Who is typing.
        responder_id: Uuid,
    },
    /// Something on a case changed (a message, a resolution); consoles refresh it.
    CaseUpdated {
        /// The case.
        case_id: Uuid,
        /// Its owner.
        owner_id: Uuid,
        /// The timeline event kind that caused it.
        kind: String,
    },
}

impl BusMessage {
    /// The exchange and routing key this message is published with.
    pub fn route(&self) -> (Exchange, String) {
        match self {
            BusMessage::IntakeArrived { channel, .. } => (Exchange::Work, format!("intake.{channel}")),
            BusMessage::SendMessage { channel, .. } => (Exchange::Work, format!("outbound.{channel}")),
            BusMessage::ResponderWentOff { .. } => (Exchange::Work, "routing.responder_off".to_owned()),
            BusMessage::CaseAssigned { .. } => (Exchange::Events, "case.assigned".to_owned()),
            BusMessage::CaseUpdated { .. } => (Exchange::Events, "case.updated".to_owned()),
            BusMessage::SlaBreached { .. } => (Exchange::Events, "case.sla_breached".to_owned()),
            BusMessage::NobodyPresent { .. } => (Exchange::Events, "case.nobody_present".to_owned()),
            BusMessage::UrgentCase { .. } => (Exchange::Events, "case.urgent".to_owned()),
            BusMessage::ChatUpdated { .. } => (Exchange::Events, CHAT_UPDATED.to_owned()),
            BusMessage::ChatTyping { .. } => (Exchange::Events, CHAT_TYPING.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_tagged_and_round_trips() -> crate::Result<()> {
        let msg = BusMessage::IntakeArrived { intake_id: Uuid::nil(), channel: Channel::Sms };
        let json = serde_json::to_value(&msg)?;
        assert_eq!(json["type"], "intake_arrived");
        assert_eq!(json["channel"], "sms");
        assert_eq!(serde_json::from_value::<BusMessage>(json)?, msg);
        assert_eq!(msg.route(), (Exchange::Work, "intake.sms".to_owned()));
        Ok(())
    }
}
