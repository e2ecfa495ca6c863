//! Phone calls end to end, driven by correctly signed Twilio voice webhooks:
//! an answered call, no answer → voice message → call-back, slow routing →
//! hold and redirect → connected, a returning caller, forged requests.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};
use batline_test_kit::twilio_sandbox::new_sid;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::support::{BATLINE_NUMBER, Options, PUBLIC_URL, SWEDISH_LINE, TestApp, TestResult, eventually};

/// One TwiML verb as Twilio would read it.
#[derive(Debug, Clone)]
struct Verb {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Verb>,
}

impl Verb {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Parses a webhook's TwiML answer: it must be XML with a `<Response>` root.
async fn twiml(response: reqwest::Response) -> TestResult<Vec<Verb>> {
    anyhow::ensure!(response.status() == 200, "TwiML answer was {}", response.status());
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    anyhow::ensure!(content_type.starts_with("text/xml"), "content type {content_type}");
    let body = response.text().await?;
    let doc = roxmltree::Document::parse(&body)?;
    let root = doc.root_element();
    anyhow::ensure!(root.tag_name().name() == "Response", "root is {}", root.tag_name().name());
    fn verb(node: roxmltree::Node) -> Verb {
        Verb {
            name: node.tag_name().name().to_owned(),
            attrs: node.attributes().map(|a| (a.name().to_owned(), a.value().to_owned())).collect(),
            text: node.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect::<String>(),
            children: node.children().filter(|c| c.is_element()).map(verb).collect(),
        }
    }
    Ok(root.children().filter(|c| c.is_element()).map(verb).collect())
}

fn names(verbs: &[Verb]) -> Vec<&str> {
    verbs.iter().map(|v| v.name.as_str()).collect()
}

async fn kinds(app: &TestApp, case_id: Uuid) -> TestResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT kind FROM case_events WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&app.pool)
        .await?)
}

async fn count_kind(app: &TestApp, case_id: Uuid, kind: &str) -> TestResult<usize> {
    Ok(kinds(app, case_id).await?.iter().filter(|k| *k == kind).count())
}

fn call_params<'a>(sid: &'a str, from: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("CallSid", sid), ("From", from), ("To", BATLINE_NUMBER), ("CallStatus", status), ("Direction", "inbound")]
}

#[tokio::test]
async fn an_answered_call_greets_by_name_and_rings_the_owner() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_phone(aino.id, "+358401110001").await?;
    const CALLER: &str = "+358402220001";
    let sid = new_sid("CA");

    let verbs = twiml(app.call(&sid, CALLER).await?).await?;
    assert_eq!(names(&verbs), ["Say", "Dial"], "{verbs:#?}");
    assert_eq!(verbs[0].attr("language"), Some("fi-FI"));
    assert!(verbs[0].text.contains("Aino"), "{}", verbs[0].text);
    let case = app.cases_of(CALLER).await?.remove(0);
    assert_eq!(case.owner_id, aino.id);
    assert_eq!(case.channel.as_str(), "voice");
    let dial = &verbs[1];
    assert_eq!(dial.attr("timeout"), Some("20"));
    assert_eq!(dial.attr("action"), Some(format!("{PUBLIC_URL}/twilio/voice/dial?case={}", case.id).as_str()));
    assert_eq!(dial.children.len(), 1);
    assert_eq!(dial.children[0].name, "Number");
    assert_eq!(dial.children[0].text, "+358401110001");

    // The owner hears which case it is before the caller is put through.
    let whisper_url = dial.children[0].attr("url").unwrap_or_default().to_owned();
    let path = whisper_url.strip_prefix(PUBLIC_URL).unwrap_or_default().to_owned();
    let whisper = twiml(app.twilio(&path, &call_params(&new_sid("CA"), "+358401110001", "in-progress")).await?).await?;
    assert_eq!(names(&whisper), ["Say"]);
    // Aino picked up (that is when Twilio fetches the whisper): acknowledged
    // now, so the deadline cannot lapse during a long conversation.
    let answered = app.cases_of(CALLER).await?.remove(0);
    assert!(answered.acknowledged_at.is_some() && answered.first_response_at.is_some());
    assert!(
        whisper[0]
            .text
            .contains(&case.tracking_code.replace('-', "").chars().map(String::from).collect::<Vec<_>>().join(" "))
    );

    // The caller also gets the code in writing.
    let sms = app.sandbox.wait_for_sms_to(CALLER, 1, Duration::from_secs(10)).await?;
    assert!(sms[0].body.contains(&case.tracking_code) && sms[0].body.contains("Aino"), "{}", sms[0].body);

    // Aino picks up and they talk for 95 s. Twilio may post the action twice.
    let action = format!("/twilio/voice/dial?case={}", case.id);
    let mut params = call_params(&sid, CALLER, "in-progress");
    params.extend([("DialCallStatus", "completed"), ("DialCallSid", "CAchild"), ("DialCallDuration", "95")]);
    for _ in 0..2 {
        let after = twiml(app.twilio(&action, &params).await?).await?;
        assert_eq!(names(&after), ["Hangup"]);
    }
    let talked = app.cases_of(CALLER).await?.remove(0);
    assert!(talked.first_response_at.is_some(), "a call answered is a first response");
    assert!(talked.acknowledged_at.is_some() && talked.ack_due_at.is_none());
    assert_eq!(count_kind(&app, case.id, "call_connected").await?, 1);

    // Twilio reports the call's end; it goes on the timeline once and no call-back is owed.
    let mut status = call_params(&sid, CALLER, "completed");
    status.push(("CallDuration", "110"));
    for _ in 0..2 {
        assert_eq!(app.twilio("/twilio/voice/status", &status).await?.status(), 204);
    }
    let timeline = kinds(&app, case.id).await?;
    for kind in ["opened", "assigned", "call_received", "call_dialled", "call_connected", "acknowledged", "call_status"]
    {
        assert!(timeline.iter().any(|k| k == kind), "{kind} missing from {timeline:?}");
    }
    assert_eq!(count_kind(&app, case.id, "call_status").await?, 1);
    assert_eq!(app.count("SELECT count(*) FROM call_backs").await?, 0);
    app.teardown().await
}

#[tokio::test]
async fn no_answer_takes_a_message_and_the_owner_calls_back() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_phone(aino.id, "+358401110002").await?;
    const CALLER: &str = "+358402220002";
    let sid = new_sid("CA");
    twiml(app.call(&sid, CALLER).await?).await?;
    let case = app.cases_of(CALLER).await?.remove(0);

    let action = format!("/twilio/voice/dial?case={}", case.id);
    let mut params = call_params(&sid, CALLER, "in-progress");
    params.extend([("DialCallStatus", "no-answer"), ("DialCallSid", "CAchild")]);
    let verbs = twiml(app.twilio(&action, &params).await?).await?;
    assert_eq!(names(&verbs), ["Say", "Record", "Say", "Hangup"], "{verbs:#?}");
    let task: (String, chrono::DateTime<chrono::Utc>, String) =
        sqlx::query_as("SELECT reason, due_at, status FROM call_backs WHERE case_id = $1")
            .bind(case.id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!((task.0.as_str(), task.2.as_str()), ("no_answer", "open"));
    let minutes = (task.1 - chrono::Utc::now()).num_minutes();
    assert!((28..=30).contains(&minutes), "due in {minutes} min");
    // Told by name who calls back, and by when (Helsinki time).
    let by = batline_core::texts::voice::spoken_time(Language::Fi, task.1, chrono::Utc::now());
    assert!(verbs[0].text.contains("Aino") && verbs[0].text.contains(&by), "{}", verbs[0].text);
    let record = &verbs[1];
    assert_eq!(record.attr("action"), Some(format!("{PUBLIC_URL}/twilio/voice/recorded?case={}", case.id).as_str()));
    assert_eq!(
        record.attr("recordingStatusCallback"),
        Some(format!("{PUBLIC_URL}/twilio/voice/recording?case={}", case.id).as_str())
    );

    // The message: the action and the status callback both report it.
    let recording_url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE123";
    let mut rec = call_params(&sid, CALLER, "in-progress");
    rec.extend([("RecordingSid", "RE123"), ("RecordingUrl", recording_url), ("RecordingDuration", "42")]);
    let saved = twiml(app.twilio(&format!("/twilio/voice/recorded?case={}", case.id), &rec).await?).await?;
    assert_eq!(names(&saved), ["Say", "Hangup"]);
    assert!(saved[0].text.contains("Aino"));
    rec.push(("RecordingStatus", "completed"));
    let status = app.twilio(&format!("/twilio/voice/recording?case={}", case.id), &rec).await?;
    assert_eq!(status.status(), 204);
    let voicemail: (String, i32) =
        sqlx::query_as("SELECT recording_url, recording_seconds FROM messages WHERE case_id = $1 AND channel = 'voice' AND recording_url IS NOT NULL")
            .bind(case.id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!(voicemail, (recording_url.to_owned(), 42));
    assert_eq!(count_kind(&app, case.id, "voicemail").await?, 1);

    // Aino sees the task and the recording, and calls back from the console.
    let console = app.sign_in("aino").await?;
    let (status, detail) = console.get(&format!("/api/v1/cases/{}", case.id)).await?;
    assert_eq!(status, 200);
    assert_eq!(detail["call_back"]["reason"], "no_answer");
    assert!(detail["messages"].as_array().is_some_and(|m| m.iter().any(|m| m["recording_url"] == recording_url)));
    let (status, placed) = console.post(&format!("/api/v1/cases/{}/call-backs", case.id), json!({})).await?;
    assert_eq!(status, 201, "{placed}");
    // A second click while it rings does not ring the resident twice.
    let (again, problem) = console.post(&format!("/api/v1/cases/{}/call-backs", case.id), json!({})).await?;
    assert_eq!(again, 409, "{problem}");
    let call = app.sandbox.wait_for_call_to("+358401110002", Duration::from_secs(5)).await?;
    assert_eq!(call.from, BATLINE_NUMBER);
    assert_eq!(call.url, format!("{PUBLIC_URL}/twilio/voice/call-back?case={}", case.id));
    assert_eq!(call.status_callback.as_deref(), Some(format!("{PUBLIC_URL}/twilio/voice/status").as_str()));
    assert_eq!(placed["sid"], call.sid.as_str());

    // Aino picks up: Batline dials the resident from the city's number.
    let leg = [
        ("CallSid", call.sid.as_str()),
        ("From", BATLINE_NUMBER),
        ("To", "+358401110002"),
        ("CallStatus", "in-progress"),
        ("Direction", "outbound-api"),
    ];
    let path = call.url.strip_prefix(PUBLIC_URL).unwrap_or_default().to_owned();
    let bridge = twiml(app.twilio(&path, &leg).await?).await?;
    assert_eq!(names(&bridge), ["Say", "Dial"]);
    assert_eq!(bridge[1].attr("callerId"), Some(BATLINE_NUMBER));
    assert_eq!(bridge[1].children[0].text, CALLER);
    let done_path = bridge[1].attr("action").and_then(|a| a.strip_prefix(PUBLIC_URL)).unwrap_or_default().to_owned();
    let mut done = leg.to_vec();
    done.extend([("DialCallStatus", "completed"), ("DialCallDuration", "64")]);
    assert_eq!(names(&twiml(app.twilio(&done_path, &done).await?).await?), ["Hangup"]);
    let closed: (String, Option<String>) =
        sqlx::query_as("SELECT status, done_call_sid FROM call_backs WHERE case_id = $1")
            .bind(case.id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!(closed, ("done".to_owned(), Some(call.sid.clone())));
    let timeline = kinds(&app, case.id).await?;
    for kind in ["call_unanswered", "call_back_requested", "voicemail", "call_back_started", "call_back_connected"] {
        assert!(timeline.iter().any(|k| k == kind), "{kind} missing from {timeline:?}");
    }
    assert!(app.cases_of(CALLER).await?[0].first_response_at.is_some());
    app.teardown().await
}

#[tokio::test]
async fn a_missed_call_back_moves_the_case_on_and_the_resident_hears_who_once_they_take_it_up() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_phone(aino.id, "+358401110003").await?;
    app.set_phone(mikko.id, "+358401110004").await?;
    const CALLER: &str = "+358402220003";
    let sid = new_sid("CA");
    twiml(app.call(&sid, CALLER).await?).await?;
    let case = app.cases_of(CALLER).await?.remove(0);
    let second_name = if case.owner_id == aino.id { "Mikko" } else { "Aino" };
    let mut params = call_params(&sid, CALLER, "in-progress");
    params.push(("DialCallStatus", "busy"));
    twiml(app.twilio(&format!("/twilio/voice/dial?case={}", case.id), &params).await?).await?;
    // The owner never acknowledges and never calls back. The call-back's
    // deadline is the one that counts: the one-minute acknowledgement
    // window passing does not move the case (nor move it twice later).
    let shutdown = CancellationToken::new();
    let router = app.router(&shutdown).await?;
    app.clock.advance(chrono::Duration::minutes(20));
    batline_router::deadlines::sweep(&router).await?;
    assert_eq!(app.cases_of(CALLER).await?[0].owner_id, case.owner_id);
    assert_eq!(count_kind(&app, case.id, "ack_missed").await?, 0);
    assert_eq!(count_kind(&app, case.id, "call_back_missed").await?, 0);
    app.clock.advance(chrono::Duration::minutes(11));
    batline_router::deadlines::sweep(&router).await?;
    eventually("the call-back miss", Duration::from_secs(10), || async {
        Ok((count_kind(&app, case.id, "call_back_missed").await? == 1).then_some(()))
    })
    .await?;
    let moved = app.cases_of(CALLER).await?.remove(0);
    assert_ne!(moved.owner_id, case.owner_id);
    let timeline = kinds(&app, case.id).await?;
    let missed = timeline.iter().position(|k| k == "call_back_missed").unwrap_or(usize::MAX);
    assert_eq!(timeline.get(missed + 1).map(String::as_str), Some("assigned"), "{timeline:?}");
    // The task stays open for the new owner, with a fresh deadline.
    let (status, misses): (String, i32) = sqlx::query_as("SELECT status, misses FROM call_backs WHERE case_id = $1")
        .bind(case.id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!((status.as_str(), misses), ("open", 1));
    assert_eq!(timeline.iter().filter(|k| *k == "assigned").count(), 2, "moved once: {timeline:?}");
    // The resident hears the new name only once that person takes the case up.
    let told = "SELECT count(*) FROM messages WHERE kind = 'notice' AND body LIKE '%hoitaa nyt%'";
    assert_eq!(app.count(told).await?, 0, "not while nobody has taken it up");
    let second = app.sign_in(if second_name == "Aino" { "aino" } else { "mikko" }).await?;
    assert_eq!(second.post(&format!("/api/v1/cases/{}/acknowledge", case.id), serde_json::json!({})).await?.0, 200);
    let sms = app.sandbox.wait_for_sms_to(CALLER, 2, Duration::from_secs(10)).await?;
    assert!(sms[1].body.contains(second_name), "{}", sms[1].body);
    assert_eq!(app.count(told).await?, 1);
    app.assert_open_counts_exact().await?;
    shutdown.cancel();
    app.teardown().await
}

#[tokio::test]
async fn slow_routing_holds_the_caller_then_connects() -> TestResult {
    let mut app = TestApp::spawn_with(Options { routers: 0, ..Options::default() }).await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_phone(aino.id, "+358401110005").await?;
    const CALLER: &str = "+358402220005";
    let sid = new_sid("CA");
    let verbs = twiml(app.call(&sid, CALLER).await?).await?;
    assert_eq!(names(&verbs), ["Say", "Pause", "Redirect"], "{verbs:#?}");
    assert_eq!(verbs[2].attr("method"), Some("POST"));
    let redirect = verbs[2].text.clone();
    assert_eq!(redirect, format!("{PUBLIC_URL}/twilio/voice/wait?attempt=1"));
    let path = redirect.strip_prefix(PUBLIC_URL).unwrap_or_default().to_owned();
    // Still nobody routing: hold again, never a hang-up or a mailbox.
    let again = twiml(app.twilio(&path, &call_params(&sid, CALLER, "in-progress")).await?).await?;
    assert_eq!(names(&again).last(), Some(&"Redirect"));
    assert!(!names(&again).contains(&"Hangup") && !names(&again).contains(&"Record"));

    app.start_router().await?;
    let connected = twiml(app.twilio(&path, &call_params(&sid, CALLER, "in-progress")).await?).await?;
    assert_eq!(names(&connected), ["Say", "Dial"], "{connected:#?}");
    assert_eq!(connected[1].children[0].text, "+358401110005");
    assert_eq!(app.count("SELECT count(*) FROM intake WHERE channel = 'voice'").await?, 1, "stored once");
    app.teardown().await
}

#[tokio::test]
async fn a_caller_who_hangs_up_before_routing_is_owed_a_call_back() -> TestResult {
    let mut app = TestApp::spawn_with(Options { routers: 0, ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    const CALLER: &str = "+358402220006";
    let sid = new_sid("CA");
    twiml(app.call(&sid, CALLER).await?).await?;
    assert_eq!(app.twilio("/twilio/voice/status", &call_params(&sid, CALLER, "completed")).await?.status(), 204);
    app.start_router().await?;
    let case = app.wait_for_cases(CALLER, 1, Duration::from_secs(10)).await?.remove(0);
    let reason: String = eventually("the call-back task", Duration::from_secs(10), || async {
        Ok(sqlx::query_scalar("SELECT reason FROM call_backs WHERE case_id = $1")
            .bind(case.id)
            .fetch_optional(&app.pool)
            .await?)
    })
    .await?;
    assert_eq!(reason, "hung_up");
    app.teardown().await
}

#[tokio::test]
async fn a_returning_caller_reaches_the_same_owner() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_phone(aino.id, "+358401110007").await?;
    app.set_phone(mikko.id, "+358401110008").await?;
    const CALLER: &str = "+358402220007";
    let first = twiml(app.call(&new_sid("CA"), CALLER).await?).await?;
    let owner_phone = first[1].children[0].text.clone();
    // The owner now has more open cases than the other: fresh routing would
    // pick the other. The caller's open case keeps them with their owner.
    let again = twiml(app.call(&new_sid("CA"), CALLER).await?).await?;
    assert_eq!(names(&again), ["Say", "Dial"]);
    assert_eq!(again[1].children[0].text, owner_phone);
    let cases = app.cases_of(CALLER).await?;
    assert_eq!(cases.len(), 1);
    assert_eq!(count_kind(&app, cases[0].id, "call_received").await?, 2);
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE case_id IS NOT NULL").await?, 2);
    app.teardown().await
}

#[tokio::test]
async fn a_responder_without_a_phone_still_leaves_nobody_unanswered() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    const CALLER: &str = "+358402220009";
    let verbs = twiml(app.call(&new_sid("CA"), CALLER).await?).await?;
    assert_eq!(names(&verbs), ["Say", "Record", "Say", "Hangup"], "{verbs:#?}");
    assert!(verbs[0].text.contains("Aino"));
    assert_eq!(app.count("SELECT count(*) FROM call_backs WHERE reason = 'unreachable'").await?, 1);
    // Calling back needs the responder's own phone: a clear 409.
    let case = app.cases_of(CALLER).await?.remove(0);
    let console = app.sign_in("aino").await?;
    let (status, body) = console.post(&format!("/api/v1/cases/{}/call-backs", case.id), json!({})).await?;
    assert_eq!(status, 409);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("phone number")), "{body}");
    app.teardown().await
}

#[tokio::test]
async fn forged_or_malformed_voice_webhooks_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let sid = new_sid("CA");
    let params = [
        ("CallSid", sid.as_str()),
        ("From", "+358402220010"),
        ("To", BATLINE_NUMBER),
        ("AccountSid", app.phone.account_sid()),
    ];
    // Signed with the wrong token.
    let forged = batline_core::twilio::signature::compute(
        "not-the-token",
        &format!("{PUBLIC_URL}/twilio/voice"),
        &params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>(),
    );
    let r = app
        .http
        .post(format!("{}/twilio/voice", app.gateway))
        .header("X-Twilio-Signature", forged)
        .form(&params)
        .send()
        .await?;
    assert_eq!(r.status(), 403);
    let r = app.http.post(format!("{}/twilio/voice", app.gateway)).form(&params).send().await?;
    assert_eq!(r.status(), 403);
    // Correctly signed for another URL (a replayed dial action on the voice webhook).
    let case = Uuid::new_v4();
    let r = app
        .twilio(&format!("/twilio/voice/dial?case={case}"), &[("CallSid", &sid), ("DialCallStatus", "completed")])
        .await?;
    assert_eq!(r.status(), 404, "a call Batline does not know");
    // Signed but missing the CallSid.
    let r = app.twilio("/twilio/voice", &[("From", "+358402220010")]).await?;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await?;
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("CallSid")), "{body}");
    assert_eq!(app.count("SELECT count(*) FROM intake").await?, 0);
    assert_eq!(app.count("SELECT count(*) FROM calls").await?, 0);
    app.teardown().await
}

#[tokio::test]
async fn a_call_to_the_swedish_line_is_answered_in_swedish_by_a_swedish_speaker() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let linnea = app.add_responder("linnea", "Linnea", &[Language::Fi, Language::Sv], DutyStatus::OnDuty).await?;
    app.set_phone(aino.id, "+358401110011").await?;
    app.set_phone(linnea.id, "+358401110012").await?;
    const CALLER: &str = "+358402220011";
    let sid = new_sid("CA");
    let params = [("CallSid", sid.as_str()), ("From", CALLER), ("To", SWEDISH_LINE), ("CallStatus", "ringing")];
    let verbs = twiml(app.twilio("/twilio/voice", &params).await?).await?;
    assert_eq!(verbs[0].attr("language"), Some("sv-SE"));
    assert!(verbs[0].text.contains("Linnea") && verbs[0].text.contains("ärende"), "{}", verbs[0].text);
    assert_eq!(verbs[1].children[0].text, "+358401110012");
    let case = app.cases_of(CALLER).await?.remove(0);
    assert_eq!((case.language, case.owner_id), (Language::Sv, linnea.id));
    let sms = app.sandbox.wait_for_sms_to(CALLER, 1, Duration::from_secs(10)).await?;
    assert!(sms[0].body.contains("Tack för ditt samtal"), "{}", sms[0].body);
    app.teardown().await
}
