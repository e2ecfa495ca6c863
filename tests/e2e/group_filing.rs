//! The router files the deliveries that wait while a group is being filed
//! in one transaction; a contact that cannot be filed there fails alone, and
//! one that would wait for a lock is filed alone, where it may wait.

use std::{sync::Arc, time::Duration};

use batline_core::{
    Error,
    bus::Bus,
    domain::{ActorKind, Channel, DutyStatus, Language, Priority, event_kind},
    outbox::Outbox,
    store::{
        self,
        cases::{FirstAnswer, NewCase},
        events::NewEvent,
    },
    tracking_code::TrackingCode,
};
use batline_router::{group_filing::GroupFiler, intake::Filed};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::support::{AMQP_URL, Options, TestApp, TestResult};

#[tokio::test]
async fn waiting_deliveries_share_a_transaction_and_a_bad_one_fails_alone() -> TestResult {
    // No router of the app's own: the test files the intake rows itself.
    let app = TestApp::spawn_with(Options { routers: 0, ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let phones: Vec<String> = (0..20).map(|i| format!("+3584013040{i:02}")).collect();
    for phone in &phones {
        assert_eq!(app.text(phone, "Katuvalo on rikki").await?.status(), 200);
    }
    let intake_ids = |from: &[String]| {
        let from = from.to_vec();
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>("SELECT id FROM intake WHERE sender = ANY ($1) ORDER BY received_at")
                .bind(from)
                .fetch_all(&pool)
                .await
        }
    };

    let shutdown = CancellationToken::new();
    let bus = Bus::start(AMQP_URL, &app.namespace, shutdown.clone());
    bus.wait_connected(Duration::from_secs(10)).await?;
    let router = Arc::new(batline_router::Router {
        config: app.config.clone(),
        pool: app.pool.clone(),
        outbox: Outbox::new(app.pool.clone(), bus),
        clock: app.clock.clone(),
        city: Arc::new(batline_core::place::CityMap::empty()),
    });
    let group = GroupFiler::spawn(router.clone());

    // Twelve at once: the first is filed as it comes, the rest wait for it
    // and go together.
    let first = intake_ids(&phones[..12]).await?;
    let filed = futures_util::future::join_all(first.iter().map(|id| group.file(&router, *id))).await;
    for outcome in &filed {
        assert!(matches!(outcome, Ok(Filed::NewCase { .. })), "{outcome:?}");
    }
    let transactions: i64 = sqlx::query_scalar("SELECT count(DISTINCT xmin::text) FROM intake WHERE id = ANY ($1)")
        .bind(&first)
        .fetch_one(&app.pool)
        .await?;
    assert!(transactions < 12, "twelve filings waiting together took {transactions} transactions");

    // Six more and an intake row that does not exist, at once: the bad one
    // fails on its own and its company is filed.
    let second = intake_ids(&phones[12..18]).await?;
    let missing = Uuid::new_v4();
    let mut ids = second.clone();
    ids.insert(3, missing);
    let filed = futures_util::future::join_all(ids.iter().map(|id| group.file(&router, *id))).await;
    for (id, outcome) in ids.iter().zip(&filed) {
        if *id == missing {
            assert!(matches!(outcome, Err(Error::NotFound("intake"))), "{outcome:?}");
        } else {
            assert!(matches!(outcome, Ok(Filed::NewCase { .. })), "{outcome:?}");
        }
    }

    // A filing that would wait for a responder another transaction holds
    // gives up its place in the group and waits alone.
    let last = intake_ids(&phones[18..]).await?[0];
    let mut holder = app.pool.begin().await?;
    sqlx::query("SELECT id FROM responders FOR UPDATE").execute(&mut *holder).await?;
    let waiting = tokio::spawn({
        let (group, router) = (group.clone(), router.clone());
        async move { group.file(&router, last).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "nobody could be given the case while every responder was held");
    holder.commit().await?;
    let outcome = tokio::time::timeout(Duration::from_secs(10), waiting).await??;
    assert!(matches!(outcome, Ok(Filed::NewCase { .. })), "{outcome:?}");

    // One delivery handed in twice at once (a redelivery meeting its
    // original) is filed once: the second finds it filed.
    let twice = intake_ids(&phones[19..]).await?[0];
    let filed = futures_util::future::join_all([twice, twice].map(|id| group.file(&router, id))).await;
    let new_cases = filed.iter().filter(|o| matches!(o, Ok(Filed::NewCase { .. }))).count();
    let found_filed = filed.iter().filter(|o| matches!(o, Ok(Filed::AlreadyFiled))).count();
    assert_eq!((new_cases, found_filed), (1, 1), "{filed:?}");

    // Each contact has its one case with its owner, its message and its answer.
    assert_eq!(app.count("SELECT count(*) FROM intake WHERE case_id IS NULL").await?, 0);
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 20);
    assert_eq!(app.count("SELECT count(DISTINCT resident_id) FROM cases").await?, 20);
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE kind = 'resident'").await?, 20);
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE kind = 'auto_reply'").await?, 20);
    // Filing again changes nothing.
    let again = futures_util::future::join_all(first.iter().map(|id| group.file(&router, *id))).await;
    assert!(again.iter().all(|o| matches!(o, Ok(Filed::AlreadyFiled))), "{again:?}");
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 20);
    shutdown.cancel();
    app.teardown().await
}

#[tokio::test]
async fn a_case_whose_tracking_code_is_taken_writes_nothing() -> TestResult {
    let app = TestApp::spawn_with(Options { routers: 0, ..Options::default() }).await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mut conn = app.pool.acquire().await?;
    let first = store::residents::upsert_by_phone(&mut conn, "+358401304100", Language::Fi).await?;
    let second = store::residents::upsert_by_phone(&mut conn, "+358401304101", Language::Fi).await?;
    let code = TrackingCode::generate();
    let new_case = |resident_id| NewCase {
        tracking_code: code.clone(),
        resident_id,
        owner_id: aino.id,
        channel: Channel::Sms,
        language: Language::Fi,
        opened_at: chrono::Utc::now(),
        area: None,
        topic: None,
        ack_due_at: chrono::Utc::now() + chrono::Duration::minutes(5),
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
    let answer = |id| FirstAnswer { id, channel: Channel::Sms, body: "Hei, olen Aino." };

    let case =
        store::cases::insert(&mut conn, &new_case(first.id), &opened, None, Some(answer(Uuid::new_v4()))).await?;
    assert!(case.is_some_and(|c| c.tracking_code == code.as_str()), "the first case takes the code");
    let taken =
        store::cases::insert(&mut conn, &new_case(second.id), &opened, None, Some(answer(Uuid::new_v4()))).await?;
    assert!(taken.is_none(), "a code already taken opens nothing, and filing draws another");
    // Nothing of the second was written: neither its events nor its answer.
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 1);
    assert_eq!(app.count("SELECT count(*) FROM case_events").await?, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM messages WHERE kind = 'auto_reply' AND delivery_status = 'pending'").await?,
        1
    );
    app.assert_open_counts_exact().await?;
    drop(conn);
    app.teardown().await
}
