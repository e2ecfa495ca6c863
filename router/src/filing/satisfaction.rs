//! A resident's answer to "Was this solved? Reply 1–5". It arrives as a text
//! with no open case to join; if the resident has a recently resolved case
//! whose question is unanswered and the text is plainly an answer, it is
//! filed into that case: the score is stored, and "no" or a low score
//! reopens the case with the same owner, who must acknowledge it again.
//!
//! Not a channel of its own: answers come by SMS and by chat, and both
//! channels file them with these steps.

use batline_core::{
    Result,
    bus::BusMessage,
    domain::{ActorKind, MessageKind, event_kind},
    outbound,
    satisfaction::Answer,
    store::{self, cases::Case, intake::Intake, messages::NewOutbound},
    texts,
};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Filed, Notices, Outcome, case_updated, file_into};
use crate::state::Router;

/// How long after resolution an answer is still taken as one.
pub const ANSWER_DAYS: i64 = 7;

/// The resident's case resolved within [`ANSWER_DAYS`] whose question is
/// still unanswered, if any.
pub async fn awaiting(router: &Router, conn: &mut PgConnection, resident_id: Uuid) -> Result<Option<Case>> {
    let since = router.clock.now() - chrono::Duration::days(ANSWER_DAYS);
    store::cases::awaiting_satisfaction(conn, resident_id, since).await
}

/// Files `answer` (from `intake`) into the resolved `case`.
pub async fn file(
    router: &Router,
    conn: &mut PgConnection,
    intake: &Intake,
    case: &Case,
    answer: Answer,
) -> Result<Outcome> {
    let score = i32::from(answer.score());
    let data = serde_json::json!({ "score": score, "reopens": answer.reopens() });
    file_into(conn, case, intake, event_kind::SATISFACTION, data).await?;
    store::cases::record_satisfaction(conn, case.id, score).await?;

    let mut notices = Notices::default();
    let (body, kind) = if answer.reopens() {
        let now = router.clock.now();
        let due = now + router.config.ack_windows.for_channel(case.channel);
        store::cases::reopen(conn, case.id, due).await?;
        batline_core::sla::reopened(conn, case.id).await?;
        store::events::append(
            conn,
            case.id,
            event_kind::REOPENED,
            ActorKind::Resident,
            None,
            serde_json::json!({ "owner_id": case.owner_id, "score": score }),
        )
        .await?;
        let owner = store::responders::get(&mut *conn, case.owner_id).await?.map(|r| r.display_name);
        let owner = owner.unwrap_or_default();
        notices.tell(&BusMessage::CaseAssigned {
            case_id: case.id,
            owner_id: case.owner_id,
            previous_owner_id: None,
        })?;
        tracing::info!(case_id = %case.id, score, "resident says it is not solved; case reopened");
        (texts::reopened(case.language, &owner, &case.tracking_code), event_kind::REOPENED)
    } else {
        (texts::satisfaction_thanks(case.language).to_owned(), event_kind::SATISFACTION)
    };
    let reply = NewOutbound {
        case_id: case.id,
        channel: outbound::resident_channel(case.channel),
        kind: MessageKind::Notice,
        body: &body,
        author_id: None,
        to_address: None,
    };
    if let Some((_, send)) = outbound::queue_if_reachable(conn, &reply).await? {
        notices.written(send);
    }
    notices.tell(&case_updated(case, kind))?;
    Ok((Filed::Joined { case_id: case.id }, notices))
}
