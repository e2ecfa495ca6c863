//! Linking two residents who are one person: the phone that texted last
//! week and the chat open now, say. One resident keeps every address
//! (phone, email, chat session) and every case, the other is left empty,
//! and the link is recorded with who made it and why. From then on a text
//! from that phone, a chat message and an email all file into the same
//! open case, and the owner may answer on any of them.
//!
//! A responder links two residents from a case page; a chat resident links
//! themselves by confirming a phone or an address with a one-time code. The
//! rules are the same, and refuse what one resident cannot be: two
//! different phones (or addresses, or chats), or two open cases at once
//! (the cases are merged first; see the console's merges).

use std::fmt;

use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    Error, Result,
    store::{self, residents::NewLink},
};

/// Why two residents cannot become one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// They are one resident already.
    AlreadyOne,
    /// Each has a phone, and they differ.
    TwoPhones,
    /// Each has an email address, and they differ.
    TwoEmails,
    /// Each has a chat conversation of their own.
    TwoChats,
    /// Each has an open case (their tracking codes).
    TwoOpenCases(String, String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::AlreadyOne => f.write_str("these are one resident already"),
            Refusal::TwoPhones => {
                f.write_str("each has a different phone number, and a resident has one; they stay two residents")
            }
            Refusal::TwoEmails => {
                f.write_str("each has a different email address, and a resident has one; they stay two residents")
            }
            Refusal::TwoChats => f.write_str("each has a chat conversation of their own; they stay two residents"),
            Refusal::TwoOpenCases(a, b) => {
                write!(f, "both have an open case ({a} and {b}): merge the cases first, then link the residents")
            }
        }
    }
}

/// What a link did.
#[derive(Debug, Clone)]
pub struct Linked {
    /// The resident who has everything now.
    pub kept_id: Uuid,
    /// The resident left empty.
    pub absorbed_id: Uuid,
    /// The cases that changed resident.
    pub moved_cases: Vec<Uuid>,
}

/// Links residents `a` and `b` in `conn`'s transaction, recording who
/// (`linked_by`, or `None` for the resident themselves) and why. The one
/// with a chat session is kept (an open chat keeps its resident), else `a`.
/// Both rows stay locked until the transaction ends, which is what filing
/// for either waits on: nothing is filed for "half" a link.
pub async fn link(
    conn: &mut PgConnection,
    a: Uuid,
    b: Uuid,
    linked_by: Option<Uuid>,
    reason: &str,
) -> Result<std::result::Result<Linked, Refusal>> {
    if a == b {
        return Ok(Err(Refusal::AlreadyOne));
    }
    let (ra, rb) = store::residents::lock_pair(&mut *conn, a, b).await?.ok_or(Error::NotFound("resident"))?;
    let chat_a = store::chat::session_of_resident(&mut *conn, a).await?;
    let chat_b = store::chat::session_of_resident(&mut *conn, b).await?;
    if chat_a.is_some() && chat_b.is_some() {
        return Ok(Err(Refusal::TwoChats));
    }
    if matches!((&ra.phone, &rb.phone), (Some(x), Some(y)) if x != y) {
        return Ok(Err(Refusal::TwoPhones));
    }
    if matches!((&ra.email, &rb.email), (Some(x), Some(y)) if x != y) {
        return Ok(Err(Refusal::TwoEmails));
    }
    let open_a = store::residents::open_case(&mut *conn, a).await?;
    let open_b = store::residents::open_case(&mut *conn, b).await?;
    if let (Some((_, x)), Some((_, y))) = (open_a, open_b) {
        return Ok(Err(Refusal::TwoOpenCases(x, y)));
    }
    let (keep, absorb) = if chat_b.is_some() { (rb, ra) } else { (ra, rb) };
    store::residents::take_addresses(&mut *conn, absorb.id).await?;
    store::residents::add_addresses(&mut *conn, keep.id, absorb.phone.as_deref(), absorb.email.as_deref()).await?;
    let moved_chat = store::chat::move_session(&mut *conn, absorb.id, keep.id).await?;
    let moved_cases = store::residents::move_cases(&mut *conn, absorb.id, keep.id).await?;
    store::residents::insert_link(
        conn,
        &NewLink {
            kept_id: keep.id,
            absorbed_id: absorb.id,
            moved_phone: absorb.phone.is_some() && keep.phone.is_none(),
            moved_email: absorb.email.is_some() && keep.email.is_none(),
            moved_chat,
            case_ids: &moved_cases,
            linked_by,
            reason,
        },
    )
    .await?;
    Ok(Ok(Linked { kept_id: keep.id, absorbed_id: absorb.id, moved_cases }))
}
