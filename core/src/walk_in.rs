//! Walk-in tickets as they travel from the console to the router: the JSON
//! the console stores in the intake row's `raw` column and the router reads
//! back when it files the ticket. Both services use this one type, so they
//! cannot disagree about the format.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Error, Result, domain::Language};

/// Longest "what it is about" a desk can register.
pub const MAX_ABOUT_CHARS: usize = 2000;
/// Longest topic.
pub const MAX_TOPIC_CHARS: usize = 64;

/// Why a visit cannot be registered as the desk typed it: each is something
/// the desk can put right. The JSON API answers these in English (its
/// `Display`); the desk page says them in the desk person's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitRefusal {
    /// Nothing was written about what the resident came for.
    #[error("about is empty")]
    AboutEmpty,
    /// Too long a description; the count as typed.
    #[error("about has {0} characters; the most is {MAX_ABOUT_CHARS}")]
    AboutTooLong(usize),
    /// Too long a topic.
    #[error("topic has more than {MAX_TOPIC_CHARS} characters")]
    TopicTooLong,
    /// A topic the service catalogue does not offer (as sent).
    #[error("topic {0:?} is not in the service catalogue; choose one from GET /api/v1/topics")]
    UnknownTopic(String),
    /// The phone does not read as a number with its country code; the
    /// text says what is wrong with it.
    #[error("{0}")]
    Phone(String),
    /// A follow-up continues a case as it is, phone included.
    #[error("a follow-up ticket continues the case as it is; leave out phone when giving tracking_code")]
    PhoneWithFollowUp,
    /// The tracking code does not parse; the text says why.
    #[error("{0}")]
    CodeMalformed(String),
    /// No case has this code.
    #[error("case with that tracking code not found")]
    CodeUnknown,
    /// A new visit needs the resident's language.
    #[error("language is required: fi, sv or en, as the resident wishes")]
    LanguageMissing,
    /// A language Batline does not answer in (as typed, shortened).
    #[error("language {0:?} is not one Batline answers in; use fi, sv or en")]
    LanguageUnknown(String),
    /// No point was chosen, and the desk person has no home point.
    #[error("you have no home walk-in point; say which one with point_id")]
    NoHomePoint,
    /// The point chosen does not exist.
    #[error("there is no walk-in point with id {0}")]
    UnknownPoint(Uuid),
}

/// A registered walk-in ticket, the `raw` of its intake row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The ticket (also the intake's provider id).
    pub ticket_id: Uuid,
    /// The walk-in point the resident came to.
    pub point_id: Uuid,
    /// The desk person who registered it.
    pub desk_id: Uuid,
    /// The language the resident is answered in.
    pub language: Language,
    /// A topic, when the desk chose one.
    pub topic: Option<String>,
    /// What it is about, in the desk's words.
    pub about: String,
    /// The resident's phone for SMS updates, E.164, when they gave one.
    pub phone: Option<String>,
    /// For a returning resident: the case whose tracking code they brought.
    pub follow_up_of: Option<Uuid>,
}

impl Ticket {
    /// Reads a ticket back from an intake row's `raw`.
    pub fn from_raw(raw: &serde_json::Value) -> Result<Self> {
        serde_json::from_value(raw.clone())
            .map_err(|e| Error::Invalid(format!("the walk-in intake is not a ticket: {e}")))
    }

    /// The intake row's sender: the phone, or a stable stand-in that names
    /// the ticket when the resident gave none (the column is NOT NULL, and
    /// the stand-in can never match a real number).
    pub fn sender(&self) -> String {
        match &self.phone {
            Some(phone) => phone.clone(),
            None => format!("walk-in:{}", self.ticket_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_round_trip_through_raw_and_name_a_sender() -> Result<()> {
        let ticket = Ticket {
            ticket_id: Uuid::from_u128(7),
            point_id: Uuid::from_u128(1),
            desk_id: Uuid::from_u128(2),
            language: Language::Sv,
            topic: None,
            about: "Trasig gatlykta".into(),
            phone: None,
            follow_up_of: None,
        };
        let raw = serde_json::to_value(&ticket)?;
        assert_eq!(Ticket::from_raw(&raw)?, ticket);
        assert_eq!(ticket.sender(), format!("walk-in:{}", Uuid::from_u128(7)));
        assert!(Ticket::from_raw(&serde_json::json!({ "about": 1 })).is_err());
        Ok(())
    }
}
