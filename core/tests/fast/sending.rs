//! The SMS sender's group commit: records of several messages sent at
//! once, each as it would be alone.

use batline_core::{
    domain::{ActorKind, Channel, DeliveryStatus, DutyStatus, Language, Priority, event_kind},
    sending::{self, Sent},
    store::{
        self,
        cases::{FirstAnswer, NewCase},
        events::NewEvent,
    },
    tracking_code::TrackingCode,
};
use chrono::Utc;
use uuid::Uuid;

use crate::database::{Database, TestResult};

/// Opens a case for `resident_id` owned by `owner_id` with a pending
/// auto-reply; returns the reply's id.
pub(crate) async fn case_with_pending_reply(db: &Database, resident_id: Uuid, owner_id: Uuid) -> TestResult<Uuid> {
    let mut conn = db.pool.acquire().await?;
    let new_case = NewCase {
        tracking_code: TrackingCode::generate(),
        resident_id,
        owner_id,
        channel: Channel::Sms,
        language: Language::Fi,
        opened_at: Utc::now(),
        area: None,
        topic: None,
        ack_due_at: Utc::now() + chrono::Duration::minutes(5),
        priority: Priority::Normal,
        clocks: None,
        location: None,
    };
    let opened = [NewEvent {
        kind: event_kind::OPENED,
        actor_kind: ActorKind::Resident,
        actor_id: None,
        data: serde_json::json!({}),
    }];
    let reply = Uuid::new_v4();
    let answer = FirstAnswer { id: reply, channel: Channel::Sms, body: "Aino hoitaa asiaasi." };
    store::cases::insert(&mut conn, &new_case, &opened, None, Some(answer))
        .await?
        .ok_or_else(|| anyhow::anyhow!("a fresh tracking code was taken"))?;
    Ok(reply)
}

async fn status(db: &Database, id: Uuid) -> TestResult<(Option<DeliveryStatus>, i32, Option<String>)> {
    Ok(sqlx::query_as("SELECT delivery_status, attempts, provider_id FROM messages WHERE id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await?)
}

#[tokio::test]
async fn records_made_at_once_are_each_what_they_would_be_alone() -> TestResult {
    let db = Database::fresh().await?;
    let aino = db.responder("aino", &[Language::Fi], DutyStatus::OnDuty, 10).await?;
    let mut conn = db.pool.acquire().await?;
    let mut replies = Vec::new();
    for phone in ["+358401700001", "+358401700002", "+358401700003"] {
        let resident = store::residents::upsert_by_phone(&mut conn, phone, Language::Fi).await?;
        replies.push(case_with_pending_reply(&db, resident.id, aino.id).await?);
    }
    drop(conn);
    for id in &replies {
        let claimed = store::messages::start_sending(&db.pool, *id).await?;
        assert!(claimed.is_some_and(|c| c.message.id == *id), "a pending reply to a phone is claimed");
    }

    // Three records at once (and one for a message that does not exist):
    // each message is sent with its own provider id, or none, as alone.
    let records = sending::sent_records(db.pool.clone());
    let sids = [Some("SMfirst"), Some("SMsecond"), None];
    let writes = replies
        .iter()
        .zip(sids)
        .map(|(id, sid)| (*id, sid))
        .chain([(Uuid::new_v4(), Some("SMnobody"))])
        .map(|(id, sid)| records.write(Sent { message_id: id, provider_id: sid.map(str::to_owned) }));
    for outcome in futures_util::future::join_all(writes).await {
        outcome?;
    }
    for (id, sid) in replies.iter().zip(sids) {
        assert_eq!(status(&db, *id).await?, (Some(DeliveryStatus::Sent), 1, sid.map(str::to_owned)));
    }
    drop(records);
    db.drop().await
}
