//! Staff search, for the console's `/search` page and `GET /api/v1/search`:
//! a tracking code or a phone finds its cases exactly; any other words are
//! a full-text search of the messages (`store::search`), ranked, with the
//! matching words marked.
//!
//! Each role finds what it may read and nothing else: a responder their own
//! cases; leads, the mayor and admins every case; desk staff, who read no
//! conversations, only what a code or phone finds, without the words.

use batline_core::{
    domain::{CaseStatus, Channel, Role},
    phone::PhoneNumber,
    store::{self, responders::Responder},
    tracking_code::TrackingCode,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{http::error::ApiError, state::AppState};

/// Longest search text read.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most cases a search lists.
const MAX_RESULTS: i64 = 50;

/// One case found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Found {
    /// The case.
    pub case_id: Uuid,
    /// Its tracking code.
    #[schema(example = "K7QD-4M2X")]
    pub tracking_code: String,
    /// Open or resolved.
    pub status: CaseStatus,
    /// The channel of its first contact.
    pub channel: Channel,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// Its owner's display name.
    pub owner_name: String,
    /// The best-matching message's words around the match, each matching
    /// word between U+E000 and U+E001; absent when the case was found by
    /// its code or phone, or for desk staff.
    pub snippet: Option<String>,
}

/// How a search text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// As a tracking code.
    TrackingCode,
    /// As a phone number.
    Phone,
    /// As words to find in the messages.
    Words,
}

/// What a search found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Results {
    /// How the text was read.
    pub reading: Reading,
    /// Best first.
    pub cases: Vec<Found>,
}

/// The search text, trimmed, refused when empty or too long.
pub fn query_text(raw: &str) -> Result<&str, ApiError> {
    let q = raw.trim();
    if q.is_empty() {
        return Err(ApiError::Unprocessable("type something to search for: a tracking code, a phone or words".into()));
    }
    let count = q.chars().count();
    if count > MAX_QUERY_CHARS {
        return Err(ApiError::Unprocessable(format!(
            "the search has {count} characters; the most is {MAX_QUERY_CHARS}"
        )));
    }
    Ok(q)
}

/// Searches as `me` may.
pub async fn search(state: &AppState, me: &Responder, raw: &str) -> Result<Results, ApiError> {
    let q = query_text(raw)?;
    // A responder finds only their own cases; the roles that read every
    // case (and desk staff, who see only public facts) find any.
    let only_owner = (!me.role.may_reassign() && me.role != Role::Desk).then_some(me.id);
    if let Ok(code) = TrackingCode::parse(q) {
        let mut cases = Vec::new();
        if let Some(case) = store::cases::by_tracking_code(&state.pool, &code).await?
            && only_owner.is_none_or(|id| id == case.owner_id)
        {
            let owner_name = store::responders::display_names(&state.pool, &[case.owner_id])
                .await?
                .into_iter()
                .next()
                .map(|(_, name)| name)
                .unwrap_or_default();
            cases.push(Found {
                case_id: case.id,
                tracking_code: case.tracking_code,
                status: case.status,
                channel: case.channel,
                opened_at: case.opened_at,
                owner_name,
                snippet: None,
            });
        }
        // An eight-letter word can read as a code ("parkland"): when no
        // case has it, the words are searched instead.
        if !cases.is_empty() || me.role == Role::Desk {
            return Ok(Results { reading: Reading::TrackingCode, cases });
        }
    }
    if let Ok(phone) = PhoneNumber::parse(q) {
        // It looks a person up: logged, as the desk's look-up is.
        tracing::info!(by = %me.username, "cases searched by a resident's phone");
        let cases = store::cases::of_phone(&state.pool, phone.as_str(), only_owner, MAX_RESULTS)
            .await?
            .into_iter()
            .map(|c| Found {
                case_id: c.id,
                tracking_code: c.tracking_code,
                status: c.status,
                channel: c.channel,
                opened_at: c.opened_at,
                owner_name: c.owner_name,
                snippet: None,
            })
            .collect::<Vec<_>>();
        if !cases.is_empty() || me.role == Role::Desk {
            return Ok(Results { reading: Reading::Phone, cases });
        }
    }
    if me.role == Role::Desk {
        return Ok(Results { reading: Reading::Words, cases: Vec::new() });
    }
    let hits = store::search::cases_by_words(&state.pool, q, only_owner, MAX_RESULTS).await?;
    let cases = hits
        .into_iter()
        .map(|h| Found {
            case_id: h.case_id,
            tracking_code: h.tracking_code,
            status: h.status,
            channel: h.channel,
            opened_at: h.opened_at,
            owner_name: h.owner_name,
            snippet: Some(h.snippet),
        })
        .collect();
    Ok(Results { reading: Reading::Words, cases })
}
