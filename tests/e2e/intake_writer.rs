//! The gateway's group commit (`batline_core::intake_writer`) on real
//! PostgreSQL: contacts stored together are each stored once, announced to
//! the router and filed; a retried provider id in the same group is stored
//! once; and one contact PostgreSQL refuses fails alone while the rest of
//! its group is stored.

use std::time::Duration;

use batline_core::{
    domain::Channel,
    intake_writer::{InboundCall, IntakeWriter},
    store::intake::NewIntake,
};

use crate::support::{TestApp, TestResult};

fn text(sid: &str, from: &str, body: &str) -> NewIntake {
    NewIntake {
        channel: Channel::Sms,
        provider_id: Some(sid.to_owned()),
        sender: from.to_owned(),
        recipient: None,
        body: body.to_owned(),
        raw: serde_json::json!({ "MessageSid": sid }),
    }
}

#[tokio::test]
async fn contacts_stored_together_are_each_stored_once_and_filed() -> TestResult {
    let app = TestApp::spawn().await?;
    let writer = IntakeWriter::new(app.pool.clone());

    // 60 texts at once, 20 of them sent twice (a retried webhook racing the
    // first copy), and a call with its calls row.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..60 {
        let copies = if i % 3 == 0 { 2 } else { 1 };
        for _ in 0..copies {
            let writer = writer.clone();
            let new = text(&format!("SMgroup{i:04}"), &format!("+35840900{i:04}"), "Katulamppu on rikki");
            tasks.spawn(async move { (i, writer.store(new, None).await) });
        }
    }
    let call =
        NewIntake { channel: Channel::Voice, body: "(phone call)".into(), ..text("CAgroup", "+358409990000", "") };
    let in_call = InboundCall { sid: "CAgroup".into(), from: "+358409990000".into(), status: "ringing".into() };
    let call_stored = writer.store(call, Some(in_call)).await?;
    assert!(call_stored.is_some());

    let mut stored_per_text = [0usize; 60];
    let mut outbox_ids = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined?;
        if let Some(stored) = result? {
            stored_per_text[i] += 1;
            // The row handed back as written (published without being read
            // back) announces this contact and no other.
            assert_eq!(stored.announcement.payload["intake_id"], serde_json::json!(stored.intake_id));
            outbox_ids.push(stored.announcement.id);
        }
    }
    assert!(stored_per_text.iter().all(|&n| n == 1), "each text stored exactly once: {stored_per_text:?}");
    outbox_ids.sort_unstable();
    outbox_ids.dedup();
    assert_eq!(outbox_ids.len(), 60, "each stored text has an outbox row of its own");
    assert_eq!(app.count("SELECT count(*) FROM intake WHERE provider_id LIKE 'SMgroup%'").await?, 60);
    // They shared transactions: the rows of one group carry one xmin.
    let transactions =
        app.count("SELECT count(DISTINCT xmin::text) FROM intake WHERE provider_id LIKE 'SMgroup%'").await?;
    assert!(transactions < 60, "60 texts at once were written in {transactions} transactions");
    assert_eq!(
        app.count("SELECT count(*) FROM calls c JOIN intake i ON i.id = c.intake_id WHERE c.sid = 'CAgroup'").await?,
        1
    );

    // Each announcement names its own contact: the router files them all.
    app.wait_all_filed(Duration::from_secs(60)).await?;
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 61);
    app.assert_open_counts_exact().await?;
    app.teardown().await
}

#[tokio::test]
async fn a_contact_postgresql_refuses_fails_alone() -> TestResult {
    let app = TestApp::spawn().await?;
    let writer = IntakeWriter::new(app.pool.clone());

    // PostgreSQL's text takes no NUL character. Stored at the same moment as
    // the others, it fails their shared transaction; they are then written
    // one by one and only it fails.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let writer = writer.clone();
        let body = if i == 17 { "rikki\0" } else { "Roskis täynnä" };
        let new = text(&format!("SMbad{i:04}"), &format!("+35840800{i:04}"), body);
        tasks.spawn(async move { (i, writer.store(new, None).await) });
    }
    let mut failed = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined?;
        match result {
            Ok(stored) => assert!(stored.is_some(), "text {i} stored"),
            Err(_) => failed.push(i),
        }
    }
    assert_eq!(failed, vec![17]);
    assert_eq!(app.count("SELECT count(*) FROM intake WHERE provider_id LIKE 'SMbad%'").await?, 39);
    app.wait_all_filed(Duration::from_secs(60)).await?;
    app.teardown().await
}
