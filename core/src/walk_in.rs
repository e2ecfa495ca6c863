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
