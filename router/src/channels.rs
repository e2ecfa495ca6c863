//! One module per channel, each saying only what differs for its contacts
//! (who the resident is, the language, what goes on the timeline, the first
//! answer) and filing them with the steps in [`crate::filing`]. Channel
//! modules never import the dispatcher or one another.

pub mod chat;
pub mod email;
pub mod open311;
pub mod sms;
pub mod voice;
pub mod walk_in;
