//! Filing intake into cases. Idempotent: the intake row is locked first and
//! remembers the case it was filed into, so a redelivered message (after a
//! crash between commit and ack, say) finds it filed and changes nothing.

use batline_core::{
    Error, Result,
    bus::BusMessage,
    domain::{ActorKind, Channel, Language, MessageKind, Priority, event_kind},
    language, metrics, outbound,
    outbox::Outbox,
    sla,
    store::{self, cases::NewCase, intake::Intake, messages::NewOutbound, responders::Needs},
    texts,
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{Router, assign, voice};

/// What filing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filed {
    /// A new case was opened with a named owner.
    NewCase {
        /// The case.
        case_id: Uuid,
        /// Its owner.
        owner_id: Uuid,
        /// The rule that chose the owner.
        rule: assign::Rule,
    },
    /// The contact joined the resident's open case.
    Joined {
        /// The case.
        case_id: Uuid,
    },
    /// It had been filed before (a redelivery).
    AlreadyFiled,
}

/// Handles one bus message from the intake queue.
pub async fn handle(router: &Router, payload: &[u8]) -> Result<()> {
    match serde_json::from_slice::<BusMessage>(payload)? {
        BusMessage::IntakeArrived { intake_id, .. } => {
            let filed = file(router, intake_id).await?;
            tracing::debug!(%intake_id, ?filed, "intake filed");
            Ok(())
        }
        other => Err(Error::Invalid(format!("the intake queue does not take {other:?}"))),
    }
}

/// Files one intake row into a case, in one transaction.
#[tracing::instrument(skip(router))]
pub async fn file(router: &Router, intake_id: Uuid) -> Result<Filed> {
    let mut tx = router.pool.begin().await?;
    let Some(intake) = store::intake::lock(&mut tx, intake_id).await? else {
        return Err(Error::NotFound("intake"));
    };
    if intake.case_id.is_some() {
        tx.commit().await?;
        return Ok(Filed::AlreadyFiled);
    }
    let (filed, outbox_ids) = match intake.channel {
        Channel::Sms => file_sms(router, &mut tx, &intake).await?,
        Channel::Voice => voice::file(router, &mut tx, &intake).await?,
        Channel::WalkIn => crate::walk_in::file(router, &mut tx, &intake).await?,
        Channel::Chat => crate::chat::file(router, &mut tx, &intake).await?,
    };
    tx.commit().await?;
    count_filed(&intake, &filed);
    // The commit is what counts; publishing now just saves the relay's poll.
    if let Err(e) = router.outbox.publish_now(&outbox_ids).await {
        tracing::debug!(error = %e, "left to the outbox relay");
        router.outbox.kick();
    }
    Ok(filed)
}

/// Counts a committed filing: its latency from arrival by the wall clock
/// (it measures real delay, whatever the router's clock says), the case
/// opened and the rule that chose its owner.
fn count_filed(intake: &Intake, filed: &Filed) {
    let latency = (chrono::Utc::now() - intake.received_at).to_std().unwrap_or_default();
    let rule = match filed {
        Filed::NewCase { rule, .. } => Some(*rule),
        Filed::Joined { .. } => None,
        Filed::AlreadyFiled => return,
    };
    metrics::filed(intake.channel, latency, rule.is_some());
    if let Some(rule) = rule {
        metrics::assigned(rule.label());
    }
}

async fn file_sms(router: &Router, conn: &mut PgConnection, intake: &Intake) -> Result<(Filed, Vec<i64>)> {
    let detected = language::detect(&intake.body);
    // Locks the resident for the rest of the transaction: everything filed
    // for one resident is serialised, whichever router files it.
    let resident = store::residents::upsert_by_phone(conn, &intake.sender, detected.unwrap_or_default()).await?;
    let open = store::cases::open_for_resident(conn, resident.id).await?;

    let Some(case) = open else {
        if let Some(answer) = batline_core::satisfaction::parse(&intake.body) {
            let since = router.clock.now() - chrono::Duration::days(crate::satisfaction::ANSWER_DAYS);
            if let Some(resolved) = store::cases::awaiting_satisfaction(conn, resident.id, since).await? {
                return crate::satisfaction::file(router, conn, intake, &resolved, answer).await;
            }
        }
        let language = detected.unwrap_or(resident.language);
        if language != resident.language {
            store::residents::set_language(conn, resident.id, language).await?;
        }
        return open_case(router, conn, intake, resident.id, language).await;
    };

    file_into(conn, &case, intake, event_kind::RESIDENT_MESSAGE, serde_json::json!({})).await?;
    let update = BusMessage::CaseUpdated {
        case_id: case.id,
        owner_id: case.owner_id,
        kind: event_kind::RESIDENT_MESSAGE.to_owned(),
    };
    let id = Outbox::enqueue(conn, &update).await?;
    Ok((Filed::Joined { case_id: case.id }, vec![id]))
}

/// Files `intake` into the existing `case`: its message in the thread, a
/// timeline event of `kind` whose `data` gains the message id and channel,
/// and the intake row marked filed. Returns the message id.
pub(crate) async fn file_into(
    conn: &mut PgConnection,
    case: &store::cases::Case,
    intake: &Intake,
    kind: &str,
    data: serde_json::Value,
) -> Result<Uuid> {
    let message_id = store::messages::insert_inbound(
        conn,
        case.id,
        intake.channel,
        &intake.body,
        intake.id,
        intake.provider_id.as_deref(),
        intake.received_at,
    )
    .await?;
    let mut data = data;
    if let Some(map) = data.as_object_mut() {
        map.insert("message_id".into(), serde_json::json!(message_id));
        map.insert("channel".into(), serde_json::json!(intake.channel));
    }
    store::events::append(conn, case.id, kind, ActorKind::Resident, None, data).await?;
    store::intake::mark_filed(conn, intake.id, case.id).await?;
    Ok(message_id)
}

/// Opens a case for `intake` with an owner chosen by the rules, files the
/// contact into it and queues the first answer naming the owner.
pub(crate) async fn open_case(
    router: &Router,
    conn: &mut PgConnection,
    intake: &Intake,
    resident_id: Uuid,
    language: Language,
) -> Result<(Filed, Vec<i64>)> {
    let since = router.clock.now() - chrono::Duration::days(i64::from(router.config.previous_responder_days));
    let previous_owner = store::cases::previous_owner(conn, resident_id, since).await?;
    let needs = Needs { language, area: None, topic: None, previous_owner, at_point: None };
    // Planned before the owner's row is locked, to hold that lock no longer than needed.
    // Every case opens at normal priority; a responder may raise it later.
    let priority = Priority::Normal;
    let clocks = sla::plan(conn, intake.channel, None, priority, intake.received_at).await?;
    let decision = assign::choose_owner(conn, &needs, &[], router.clock.now()).await?;
    let owner_id = decision.owner_id;
    let window = router.config.ack_windows.for_channel(intake.channel);
    let case = store::cases::insert(
        conn,
        &NewCase {
            resident_id,
            owner_id,
            channel: intake.channel,
            language,
            opened_at: intake.received_at,
            area: None,
            topic: None,
            ack_due_at: router.clock.now() + window,
            priority,
            clocks,
        },
    )
    .await?;
    store::events::append(
        conn,
        case.id,
        event_kind::OPENED,
        ActorKind::Resident,
        None,
        serde_json::json!({ "channel": intake.channel }),
    )
    .await?;
    store::events::append(conn, case.id, event_kind::ASSIGNED, ActorKind::System, None, decision.reason()).await?;
    store::messages::insert_inbound(
        conn,
        case.id,
        intake.channel,
        &intake.body,
        intake.id,
        intake.provider_id.as_deref(),
        intake.received_at,
    )
    .await?;
    store::intake::mark_filed(conn, intake.id, case.id).await?;

    let track_url = router.config.tracking_url(&case.tracking_code);
    let body = match intake.channel {
        // The caller hears the owner's name; the text gives them the code.
        Channel::Voice => texts::voice::call_receipt(language, &decision.owner_name, &case.tracking_code, &track_url),
        _ => texts::auto_reply(
            language,
            &decision.owner_name,
            &case.tracking_code,
            router.config.sms_promise_minutes,
            &track_url,
        ),
    };
    let (_, send) = outbound::queue(
        conn,
        &NewOutbound {
            case_id: case.id,
            channel: outbound::resident_channel(intake.channel),
            kind: MessageKind::AutoReply,
            body: &body,
            author_id: None,
        },
    )
    .await?;
    let assigned =
        Outbox::enqueue(conn, &BusMessage::CaseAssigned { case_id: case.id, owner_id, previous_owner_id: None })
            .await?;
    tracing::info!(case_id = %case.id, code = %case.tracking_code, owner = %decision.owner_name, rule = ?decision.rule, "case opened");
    Ok((Filed::NewCase { case_id: case.id, owner_id, rule: decision.rule }, vec![send, assigned]))
}
