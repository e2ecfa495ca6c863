//! Choosing a case's owner: the least-loaded responder on duty, preferring
//! those who speak the case's language; with nobody on duty, the designated
//! backstop. The decision and its reason go on the case timeline, so a lead
//! can always ask why this person got this case.

use batline_core::{
    Error, Result,
    domain::Language,
    store::{self, responders::Responder},
};
use serde::Serialize;
use sqlx::PgConnection;

/// Which rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The least-loaded responder on duty who speaks the case's language.
    LeastLoadedOnDuty,
    /// Nobody on duty speaks the language: the least-loaded one on duty.
    LeastLoadedOnDutyOtherLanguage,
    /// Nobody is on duty: the designated backstop.
    Backstop,
}

/// An owner and why.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The new owner.
    pub responder: Responder,
    /// The rule that decided.
    pub rule: Rule,
    /// The owner's open cases before this one.
    pub load: i64,
}

impl Decision {
    /// The reason as stored on the timeline.
    pub fn reason(&self) -> serde_json::Value {
        serde_json::json!({
            "rule": self.rule,
            "owner_id": self.responder.id,
            "owner_name": self.responder.display_name,
            "open_cases_before": self.load,
        })
    }
}

/// Picks the owner of a new case in `language`, inside the caller's transaction.
pub async fn choose_owner(conn: &mut PgConnection, language: Language) -> Result<Decision> {
    if let Some((responder, load)) = store::responders::least_loaded_on_duty(conn, language).await?
    {
        let rule = if responder.languages.iter().any(|l| l == language.as_str()) {
            Rule::LeastLoadedOnDuty
        } else {
            Rule::LeastLoadedOnDutyOtherLanguage
        };
        return Ok(Decision {
            responder,
            rule,
            load,
        });
    }
    let responder = store::responders::backstop(&mut *conn)
        .await?
        .ok_or(Error::NoBackstop)?;
    Ok(Decision {
        responder,
        rule: Rule::Backstop,
        load: 0,
    })
}
