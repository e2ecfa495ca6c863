//! What a case is about: a topic from the service catalogue's codes, chosen
//! from the resident's own words in Finnish, Swedish or English.
//!
//! [`Classifier::classify`] scores the message against a lexicon per topic
//! per language (the files in `core/src/topic/lexicon/`, which the city's
//! staff can read and edit) and answers with the topic, a confidence and the
//! words that decided it, so the case's timeline can say *why* ("katuvalo",
//! "rikki"). When the evidence is thin or two topics are close, it answers
//! no topic: the case stays unclassified and a responder chooses, rather
//! than Batline guessing. Pure functions over lexicons parsed once; no
//! database. `batline-bench accuracy` measures it on labelled messages.

mod classify;

pub use classify::{CONFIDENT, Classification, Classifier};

/// The service catalogue's topic codes (the shared contract: the catalogue
/// table, routing skills, SLA policies and `/open` use the same codes).
pub const TOPICS: [&str; 10] =
    ["streets", "parks", "waste", "snow", "stops", "noise", "schools", "health", "housing", "other"];

/// The code of `name` as a `'static` string, if it is one of [`TOPICS`].
pub fn code(name: &str) -> Option<&'static str> {
    TOPICS.into_iter().find(|t| *t == name)
}
