//! The router's "filed" notices over real PostgreSQL LISTEN/NOTIFY: a
//! waiter wakes when the filing commits (not on its slow fallback), a
//! rolled-back filing tells nobody, and a held call and a walk-in visit
//! still get their owner through the whole system.

use std::{sync::Arc, time::Duration};

use batline_core::{filing_notices::FilingNotices, store};
use tokio_util::sync::CancellationToken;

use crate::support::{TestApp, TestResult};

#[tokio::test]
async fn a_waiter_hears_a_committed_filing_and_not_a_rolled_back_one() -> TestResult {
    let app = TestApp::spawn().await?;
    let notices = Arc::new(FilingNotices::default());
    let stop = CancellationToken::new();
    notices.clone().spawn_listener(app.pool.clone(), stop.clone());
    // The listener connects on its own; give it a moment to LISTEN.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Rolled back: nothing is told, and the waiter times out.
    let rolled_back = {
        let notices = notices.clone();
        tokio::spawn(async move {
            notices
                .wait(None, "CAnever", Duration::from_millis(1500), Duration::from_secs(60), || async {
                    Ok(None::<()>)
                })
                .await
        })
    };
    let mut tx = app.pool.begin().await?;
    store::intake::notify_filed(&mut tx, &["CAnever"]).await?;
    tx.rollback().await?;
    assert!(rolled_back.await??.is_none());

    // Committed: the waiter is woken at once, long before its fallback.
    let filed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let waiter = {
        let (notices, filed) = (notices.clone(), filed.clone());
        tokio::spawn(async move {
            let started = tokio::time::Instant::now();
            let found = notices
                .wait(None, "CAfiled", Duration::from_secs(30), Duration::from_secs(30), || {
                    let done = filed.load(std::sync::atomic::Ordering::SeqCst);
                    async move { Ok(done.then_some(())) }
                })
                .await;
            (found, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut tx = app.pool.begin().await?;
    store::intake::notify_filed(&mut tx, &["CAfiled"]).await?;
    filed.store(true, std::sync::atomic::Ordering::SeqCst);
    tx.commit().await?;
    let (found, took) = waiter.await?;
    assert!(found?.is_some());
    assert!(took < Duration::from_secs(5), "woken by the notice, not the 30 s fallback: {took:?}");
    stop.cancel();
    app.teardown().await
}
