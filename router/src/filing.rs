//! The steps every channel files a contact with, written once: open a case
//! with an owner chosen by the rules, join the resident's open case, mark the
//! intake filed, queue the first answer. A channel module says who the
//! resident is and what differs for it (a walk-in point to prefer, a ticket's
//! details on the timeline, the text of the first answer) and calls these.
//!
//! Everything here runs inside the dispatcher's transaction, which holds the
//! intake row's lock; each path ends with the intake marked filed into its
//! case, which is what makes a redelivery change nothing.

mod heard;
pub mod satisfaction;

use batline_core::{
    Result,
    assign::{self, Rule},
    bus::BusMessage,
    domain::{ActorKind, Channel, Language, MessageKind, Priority, event_kind},
    outbound,
    outbox::{NewRow, Outbox},
    sla,
    store::{
        self,
        cases::{Case, CaseLocation, FirstAnswer, FirstContact, NewCase},
        events::NewEvent,
        intake::Intake,
        messages::NewOutbound,
        residents::Resident,
        responders::Needs,
    },
    texts,
    tracking_code::TrackingCode,
};
use sqlx::PgConnection;
use uuid::Uuid;

use self::heard::Heard;
use crate::state::Router;

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
        rule: Rule,
    },
    /// The contact joined the resident's open case.
    Joined {
        /// The case.
        case_id: Uuid,
    },
    /// It had been filed before (a redelivery).
    AlreadyFiled,
}

/// What filing did, and what it announces once committed.
pub type Outcome = (Filed, Notices);

/// The bus messages a filing announces, published after its commit.
#[derive(Debug, Default)]
pub struct Notices {
    /// Made into outbox rows but not yet written: whoever commits the
    /// filing writes every filing's rows in one statement just before
    /// ([`crate::intake`]), one round trip for a whole group.
    pub unwritten: Vec<NewRow>,
    /// Outbox rows written already, by shared code that writes its own.
    pub written: Vec<i64>,
}

impl Notices {
    /// Adds `message`, made into its row here, in the trace of this filing.
    pub fn tell(&mut self, message: &BusMessage) -> Result<()> {
        self.unwritten.push(Outbox::row(message)?);
        Ok(())
    }

    /// Adds outbox rows written already.
    pub fn written(&mut self, ids: impl IntoIterator<Item = i64>) {
        self.written.extend(ids);
    }
}

/// The case a channel asks [`open_case`] to open: who for, and what the
/// channel knows that the rules should weigh.
#[derive(Debug, Clone)]
pub struct Opening<'a> {
    /// The resident, already locked by the channel.
    pub resident_id: Uuid,
    /// The case's language.
    pub language: Language,
    /// The responder who knows the resident already, preferred by the rules.
    pub previous_owner: Option<Uuid>,
    /// The district, when the channel knows it.
    pub area: Option<&'a str>,
    /// The topic, when the channel knows it.
    pub topic: Option<&'a str>,
    /// The walk-in point the resident is standing at.
    pub at_point: Option<Uuid>,
    /// Where the case is, when the channel knows it (a walk-in point's
    /// address); it comes before a place heard in the words.
    pub location: Option<CaseLocation>,
    /// Details for the `opened` event beside the channel (an object).
    pub details: serde_json::Value,
    /// Events the contact adds to the timeline after the assignment (a
    /// call's `call_received`), written in the case's own statement.
    pub then: Vec<NewEvent<'a>>,
}

impl Opening<'_> {
    /// A case known only by its resident and language.
    pub fn new(resident_id: Uuid, language: Language, previous_owner: Option<Uuid>) -> Self {
        Opening {
            resident_id,
            language,
            previous_owner,
            area: None,
            topic: None,
            at_point: None,
            location: None,
            details: serde_json::json!({}),
            then: Vec::new(),
        }
    }
}

/// An automatic answer to the resident (the first one names the owner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoReply {
    /// Sent in any case.
    Send(String),
    /// Sent only when the resident can be reached in the channel at all (a
    /// walk-in visitor who gave no phone gets the printed ticket and nothing
    /// else: no message that could only fail).
    SendIfReachable(String),
    /// Not sent: the channel's own answer names the owner (an Open311
    /// post's `service_notice`, a walk-in's printed ticket).
    InAnswer,
    /// The channel's own answer names the owner, and the resident is told
    /// by email as well (an Open311 reporter who gave their address).
    InAnswerAndByEmail(String),
}

/// The first answer to a text-like contact (SMS, chat): the owner's name,
/// the tracking code, the promise of an answer and the tracking link.
pub fn auto_reply(router: &Router, language: Language) -> impl Fn(&str, &str) -> AutoReply + '_ {
    move |code, owner| {
        let track_url = router.config.tracking_url(code);
        AutoReply::Send(texts::auto_reply(language, owner, code, router.config.sms_promise_minutes, &track_url))
    }
}

/// The owner of the resident's most recent case opened within
/// `BATLINE_PREVIOUS_RESPONDER_DAYS`, whom the rules prefer.
pub async fn previous_owner(router: &Router, conn: &mut PgConnection, resident_id: Uuid) -> Result<Option<Uuid>> {
    let since = router.clock.now() - chrono::Duration::days(i64::from(router.config.previous_responder_days));
    store::cases::previous_owner(conn, resident_id, since).await
}

/// [`previous_owner`] of a resident just upserted; nobody for one this
/// contact created, without asking.
pub async fn previous_owner_of(router: &Router, conn: &mut PgConnection, resident: &Resident) -> Result<Option<Uuid>> {
    if resident.is_new {
        return Ok(None);
    }
    previous_owner(router, conn, resident.id).await
}

/// The resident's open case (or the open one theirs was merged into),
/// locked; none for a resident this contact created, without asking.
pub async fn open_case_of(conn: &mut PgConnection, resident: &Resident) -> Result<Option<Case>> {
    if resident.is_new {
        return Ok(None);
    }
    store::cases::open_for_resident(conn, resident.id).await
}

/// Opens a case for `intake` with an owner chosen by the rules, files the
/// contact into it and queues the first answer naming the owner; `answer`
/// writes it from the case's tracking code and the owner's name (drawn
/// before the case is written, so again should the code be taken).
pub async fn open_case(
    router: &Router,
    conn: &mut PgConnection,
    intake: &Intake,
    opening: Opening<'_>,
    answer: impl Fn(&str, &str) -> AutoReply,
) -> Result<Outcome> {
    let needs = Needs {
        language: opening.language,
        area: opening.area,
        topic: opening.topic,
        previous_owner: opening.previous_owner,
        at_point: opening.at_point,
        // Chat and phone are live: the resident is waiting there and then,
        // so a responder at their console comes first.
        prefer_present: matches!(intake.channel, Channel::Chat | Channel::Voice),
        presence_window: router.config.presence_window,
    };
    // What the resident's words say; what the channel knows (a walk-in
    // point's district, the desk's topic) comes first.
    let heard = Heard::listen(&router.city, &intake.body, opening.language);
    let topic = match (opening.topic, heard.topic()) {
        (Some(given), _) => sla::Topic::Given(given),
        (None, Some(heard)) => sla::Topic::Heard(heard),
        (None, None) => sla::Topic::Unknown,
    };
    let priority = heard.priority();
    // Planned before the owner's row is locked, to hold that lock no longer
    // than needed; a heard topic an admin has since retired is dropped.
    let plan = sla::plan(conn, intake.channel, topic, priority, intake.received_at).await?;
    let (topic, clocks) = (plan.topic, plan.clocks);
    let area = opening.area.or(heard.district());
    let needs = Needs { area, topic, ..needs };
    let decision = assign::choose_owner(conn, &needs, &[], router.clock.now()).await?;
    let owner_id = decision.owner_id;
    let window = router.config.ack_windows.for_channel(intake.channel);
    let mut opened = opening.details;
    if let Some(map) = opened.as_object_mut() {
        map.insert("channel".into(), serde_json::json!(intake.channel));
    }
    let system = |kind, data| NewEvent { kind, actor_kind: ActorKind::System, actor_id: None, data };
    let mut timeline =
        vec![NewEvent { kind: event_kind::OPENED, actor_kind: ActorKind::Resident, actor_id: None, data: opened }];
    if heard.anything() {
        timeline.push(system(event_kind::AUTO_CLASSIFIED, heard.record(topic, area)));
    }
    let mut reason = decision.reason();
    if let Some(map) = reason.as_object_mut() {
        map.insert("ack_within_seconds".into(), serde_json::json!(window.as_secs()));
    }
    timeline.push(system(event_kind::ASSIGNED, reason));
    timeline.extend(opening.then);
    let mut new_case = NewCase {
        tracking_code: TrackingCode::generate(),
        resident_id: opening.resident_id,
        owner_id,
        channel: intake.channel,
        language: opening.language,
        opened_at: intake.received_at,
        area: area.map(str::to_owned),
        topic: topic.map(str::to_owned),
        ack_due_at: router.clock.now() + window,
        priority,
        clocks,
        // What the channel knows, else what the words said with confidence.
        location: opening.location.or_else(|| heard.confident_place().map(|p| CaseLocation::located(p, "text"))),
    };
    let contact = FirstContact {
        intake_id: intake.id,
        body: &intake.body,
        provider_id: intake.provider_id.as_deref(),
        received_at: intake.received_at,
    };
    // The case, its clocks, its timeline so far, the contact filed into it
    // and (when it needs nothing looked up) the first answer naming the
    // owner and the tracking code, in one statement. A code another case
    // has (one in a trillion) draws another, and the answer is written anew.
    let (case, reply, answered) = loop {
        let reply = answer(new_case.tracking_code.as_str(), &decision.owner_name);
        let simple = simple_answer(intake.channel, &reply);
        let first = simple.map(|(channel, body)| FirstAnswer { id: Uuid::new_v4(), channel, body });
        if let Some(case) = store::cases::insert(conn, &new_case, &timeline, Some(contact), first).await? {
            let answered = first.map(|a| BusMessage::SendMessage { message_id: a.id, channel: a.channel });
            break (case, reply, answered);
        }
        new_case.tracking_code = TrackingCode::generate();
    };

    // The first answer's hand-on (the answer written now if it was not with
    // the case) and the owner's news.
    let mut notices = Notices::default();
    match answered {
        Some(send) => notices.tell(&send)?,
        None => queue_auto_reply(conn, case.id, intake.channel, reply, &mut notices).await?,
    }
    notices.tell(&BusMessage::CaseAssigned { case_id: case.id, owner_id, previous_owner_id: None })?;
    if priority == Priority::Urgent {
        // Words of danger: the shift lead hears of it at once, not at the
        // first missed deadline.
        let lead_id = assign::lead_for(conn, area, router.clock.now()).await?.map(|(id, _)| id);
        notices.tell(&BusMessage::UrgentCase { case_id: case.id, owner_id, lead_id })?;
        tracing::warn!(case_id = %case.id, words = ?heard.priority.words, "urgent case: the lead is alerted");
    }
    tracing::info!(case_id = %case.id, code = %case.tracking_code, owner = %decision.owner_name, rule = ?decision.rule, "case opened");
    Ok((Filed::NewCase { case_id: case.id, owner_id, rule: decision.rule }, notices))
}

/// Files `intake` into the resident's open `case` as a resident message
/// (`data` as in [`file_into`]), hears in it what the case does not know
/// yet, and tells the owner's screens.
pub async fn join(
    router: &Router,
    conn: &mut PgConnection,
    case: &Case,
    intake: &Intake,
    data: serde_json::Value,
) -> Result<Outcome> {
    file_into(conn, case, intake, event_kind::RESIDENT_MESSAGE, data).await?;
    // Most follow-ups are on cases that know both already: no lock, no listening.
    if case.topic.is_none() || case.area.is_none() {
        hear_follow_up(router, conn, case.id, intake).await?;
    }
    let mut notices = Notices::default();
    notices.tell(&case_updated(case, event_kind::RESIDENT_MESSAGE))?;
    Ok((Filed::Joined { case_id: case.id }, notices))
}

/// Fills in the topic or district case `case_id` still lacks from what a
/// later message of the resident's says ("se on Fleminginkadulla"), as
/// filing would have from a first message saying it. What the case has
/// (heard before, or set by a person) is never changed, and the owner
/// stays: the resident has already been told who it is.
async fn hear_follow_up(router: &Router, conn: &mut PgConnection, case_id: Uuid, intake: &Intake) -> Result<()> {
    // Locked, as a person classifying does, so neither overwrites the other.
    let Some(case) = store::cases::lock(&mut *conn, case_id).await? else {
        return Ok(());
    };
    if case.topic.is_some() && case.area.is_some() {
        return Ok(());
    }
    let heard = Heard::listen(&router.city, &intake.body, case.language);
    let mut topic = case.topic.as_deref().or(heard.topic());
    if case.topic.is_none()
        && let Some(code) = topic
        && !store::topics::is_offered(&mut *conn, code).await?
    {
        topic = None;
    }
    let area = case.area.as_deref().or(heard.district());
    if (topic, area) == (case.topic.as_deref(), case.area.as_deref()) {
        return Ok(());
    }
    store::cases::classify(&mut *conn, case.id, topic, area, case.priority).await?;
    if case.location_by.is_none()
        && case.area.is_none()
        && let Some(place) = heard.confident_place()
    {
        store::cases::locate(&mut *conn, case.id, &CaseLocation::located(place, "text"), None).await?;
    }
    let mut record = heard.record(topic, area);
    if let Some(map) = record.as_object_mut() {
        map.insert("follow_up".into(), serde_json::json!(true));
    }
    store::events::append(conn, case.id, event_kind::AUTO_CLASSIFIED, ActorKind::System, None, record).await?;
    tracing::info!(case_id = %case.id, ?topic, ?area, "a follow-up message told what the case is about or where");
    Ok(())
}

/// A point the resident gave (`by`: shared in the chat, or in an Open311
/// request), as a case's place: named by its sub-district and district;
/// with the district's code. `None` outside the city.
pub fn point_location(router: &Router, lon: f64, lat: f64, by: &'static str) -> Option<(CaseLocation, String)> {
    let districts = router.city.district_at(lon, lat)?;
    let label = match &districts.sub {
        Some(sub) => format!("{}, {}", sub.name_fi, districts.district.name_fi),
        None => districts.district.name_fi.clone(),
    };
    Some((CaseLocation { label, point: Some((lon, lat)), by }, districts.district.code))
}

/// Sets case `case_id`'s place from a point the resident shared: the surest
/// place there is, so it replaces one heard in words, and its district
/// becomes the case's unless a person chose the district.
pub async fn locate_shared(router: &Router, conn: &mut PgConnection, case_id: Uuid, lon: f64, lat: f64) -> Result<()> {
    let Some(case) = store::cases::lock(&mut *conn, case_id).await? else {
        return Ok(());
    };
    let Some((location, district)) = point_location(router, lon, lat, "shared") else {
        tracing::info!(%case_id, "a shared location outside the city: the case keeps its place");
        return Ok(());
    };
    let chosen = [event_kind::CLASSIFIED, event_kind::LOCATED];
    let by_person = store::events::for_case_of_kinds(&mut *conn, case.id, &chosen)
        .await?
        .iter()
        .any(|e| e.actor_kind == ActorKind::Responder);
    let area = (!by_person).then_some(district.as_str());
    let placed = store::cases::locate(&mut *conn, case.id, &location, area).await?;
    let data = serde_json::json!({
        "place": location.label, "area": placed.and_then(|c| c.area), "by": "shared",
        "previous": { "place": case.location_label, "area": case.area },
    });
    store::events::append(conn, case.id, event_kind::LOCATED, ActorKind::Resident, None, data).await?;
    Ok(())
}

/// Files `intake` into the existing `case`: its message in the thread, a
/// timeline event of `kind` whose `data` gains the message id and channel,
/// and the intake row marked filed. Returns the message id.
pub async fn file_into(
    conn: &mut PgConnection,
    case: &Case,
    intake: &Intake,
    kind: &str,
    data: serde_json::Value,
) -> Result<Uuid> {
    let message_id = file_message(conn, case.id, intake).await?;
    let mut data = data;
    if let Some(map) = data.as_object_mut() {
        map.insert("message_id".into(), serde_json::json!(message_id));
        map.insert("channel".into(), serde_json::json!(intake.channel));
    }
    store::events::append(conn, case.id, kind, ActorKind::Resident, None, data).await?;
    Ok(message_id)
}

/// Files `intake` into case `case_id` with no timeline event of its own: its
/// message in the thread and the intake row marked filed, in one statement.
pub async fn file_message(conn: &mut PgConnection, case_id: Uuid, intake: &Intake) -> Result<Uuid> {
    store::messages::file_intake(
        conn,
        case_id,
        intake.channel,
        &intake.body,
        intake.id,
        intake.provider_id.as_deref(),
        intake.received_at,
    )
    .await
}

/// Writes `reply` on case `case_id` to a resident who reached Batline
/// through `channel`, in the channel they are answered in, and adds the
/// bus message that sends it to `notices`.
pub async fn queue_auto_reply(
    conn: &mut PgConnection,
    case_id: Uuid,
    channel: Channel,
    reply: AutoReply,
    notices: &mut Notices,
) -> Result<()> {
    if let Some(notice) = write_auto_reply(conn, case_id, channel, reply).await? {
        notices.tell(&notice)?;
    }
    Ok(())
}

/// The first answer as the case's own statement writes it
/// ([`store::cases::insert`]), when it needs nothing looked up first: a text
/// or an email sent as it is. The rest (a chat's answer, which names the
/// chat session; one sent only if the resident can be reached; an Open311
/// answer) [`write_auto_reply`] writes after the case.
fn simple_answer(channel: Channel, reply: &AutoReply) -> Option<(Channel, &str)> {
    match (reply, outbound::resident_channel(channel)) {
        (AutoReply::Send(body), to @ (Channel::Sms | Channel::Email)) => Some((to, body.as_str())),
        _ => None,
    }
}

/// Writes `reply` as [`queue_auto_reply`] does, returning its bus message
/// for the caller to announce with its others.
async fn write_auto_reply(
    conn: &mut PgConnection,
    case_id: Uuid,
    channel: Channel,
    reply: AutoReply,
) -> Result<Option<BusMessage>> {
    let (body, if_reachable, channel) = match reply {
        AutoReply::Send(body) => (body, false, outbound::resident_channel(channel)),
        AutoReply::SendIfReachable(body) => (body, true, outbound::resident_channel(channel)),
        AutoReply::InAnswer => return Ok(None),
        AutoReply::InAnswerAndByEmail(body) => (body, true, Channel::Email),
    };
    let new =
        NewOutbound { case_id, channel, kind: MessageKind::AutoReply, body: &body, author_id: None, to_address: None };
    if if_reachable {
        Ok(outbound::write_if_reachable(conn, &new).await?.and_then(|(_, notice)| notice))
    } else {
        Ok(outbound::write(conn, &new).await?.1)
    }
}

/// The bus message telling the owner's screens that `case` changed by `kind`.
pub fn case_updated(case: &Case, kind: &str) -> BusMessage {
    BusMessage::CaseUpdated { case_id: case.id, owner_id: case.owner_id, kind: kind.to_owned() }
}
