//! "That contact is filed now", told to whoever waits for it, by PostgreSQL
//! LISTEN/NOTIFY. The voice webhook holds a caller until the router names
//! an owner, and the walk-in desk holds its answer until the visit has a
//! case: instead of asking the database every few milliseconds (about eight
//! times a contact under load), they wait for the router's notice, sent in
//! its filing transaction and delivered when that commits.
//!
//! A notice can be lost (the listening connection drops and reconnects), so
//! a waiter still looks for itself now and then ([`FilingNotices::wait`]'s
//! `fallback`): slower, never wrong. Notices carry the intake's provider id
//! (the call's sid, the ticket's id), which both waiters know; they stay in
//! one database, so test apps side by side never hear each other's.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use sqlx::{
    PgPool,
    postgres::{PgListener, PgPoolOptions},
};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::Result;

/// The LISTEN/NOTIFY channel.
pub const CHANNEL: &str = "batline_filed";

/// The waiters of one process, by the provider id they wait for.
#[derive(Debug, Default)]
pub struct FilingNotices {
    waiting: Mutex<HashMap<String, Vec<oneshot::Sender<()>>>>,
}

impl FilingNotices {
    /// Listens for notices until `shutdown`, on a connection of its own to
    /// `pool`'s database (not one of `pool`'s, which it would hold for
    /// good), reconnecting after errors. Until it runs (or while it is
    /// away) waiters find their filing by their fallback look-ups.
    pub fn spawn_listener(self: Arc<Self>, pool: PgPool, shutdown: CancellationToken) {
        let options = (*pool.connect_options()).clone();
        let pool = PgPoolOptions::new().max_connections(1).connect_lazy_with(options);
        tokio::spawn(async move {
            while !shutdown.is_cancelled() {
                let mut listener = match PgListener::connect_with(&pool).await {
                    Ok(listener) => listener,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for filing notices yet; waiters look for themselves");
                        tokio::select! {
                            () = shutdown.cancelled() => return,
                            () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                        }
                    }
                };
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "LISTEN failed; trying again");
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
                loop {
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        notice = listener.recv() => match notice {
                            Ok(notice) => self.wake(notice.payload()),
                            // recv reconnects by itself; an error means it could not.
                            Err(e) => {
                                tracing::warn!(error = %e, "filing notices interrupted; listening again");
                                break;
                            }
                        },
                    }
                }
            }
        });
    }

    fn wake(&self, key: &str) {
        let woken = self.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        for waiter in woken.into_iter().flatten() {
            let _ = waiter.send(());
        }
    }

    fn subscribe(&self, key: &str) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        // Waiters that gave up (a caller who hung up) leave their senders
        // behind; drop them as new ones come.
        waiting.retain(|_, senders| {
            senders.retain(|s| !s.is_closed());
            !senders.is_empty()
        });
        waiting.entry(key.to_owned()).or_default().push(tx);
        rx
    }

    /// Subscribes to the notice for the contact with provider id `key`, to
    /// be taken before the contact is handed to the router: its filing
    /// cannot then be told before anyone listens, and [`Self::wait`]
    /// need not look before the first notice.
    pub fn expect(&self, key: &str) -> Expected {
        Expected(self.subscribe(key))
    }

    /// What `look` finds once the contact with provider id `key` is filed,
    /// or `None` when `within` is up first. `look` runs after each notice
    /// for `key`, and every `fallback` in case a notice was lost. With
    /// `expected` (subscribed before the contact was handed on just now) it
    /// cannot be filed before its notice, so `look` first runs after that
    /// notice (or after `fallback`, should it be lost); without (a retried
    /// webhook, a replayed ticket) it runs at once.
    pub async fn wait<T, F, Fut>(
        &self,
        expected: Option<Expected>,
        key: &str,
        within: Duration,
        fallback: Duration,
        mut look: F,
    ) -> Result<Option<T>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        let deadline = tokio::time::Instant::now() + within;
        if let Some(Expected(notice)) = expected {
            let _ = tokio::time::timeout(fallback.min(within), notice).await;
        }
        loop {
            // Subscribed before looking: a filing between the two is not missed.
            let notice = self.subscribe(key);
            if let Some(found) = look().await? {
                return Ok(Some(found));
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            let _ = tokio::time::timeout(fallback.min(deadline - now), notice).await;
        }
    }
}

/// A notice subscribed to before its contact was handed on
/// ([`FilingNotices::expect`]).
#[derive(Debug)]
pub struct Expected(oneshot::Receiver<()>);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_notice_wakes_its_waiter_and_only_its_waiter() {
        let notices = Arc::new(FilingNotices::default());
        let filed = Arc::new(Mutex::new(false));
        let waiter = {
            let (notices, filed) = (notices.clone(), filed.clone());
            tokio::spawn(async move {
                let started = tokio::time::Instant::now();
                let found = notices
                    .wait(None, "CA1", Duration::from_secs(30), Duration::from_secs(30), || {
                        let filed = *filed.lock().unwrap_or_else(|p| p.into_inner());
                        async move { Ok(filed.then_some(())) }
                    })
                    .await;
                (found.ok().flatten(), started.elapsed())
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        notices.wake("CA2");
        *filed.lock().unwrap_or_else(|p| p.into_inner()) = true;
        notices.wake("CA1");
        let (found, took) = waiter.await.unwrap_or((None, Duration::MAX));
        assert_eq!(found, Some(()));
        assert!(took < Duration::from_secs(5), "woken by the notice, not the 30 s fallback: {took:?}");
    }

    #[tokio::test]
    async fn a_notice_expected_before_the_hand_on_is_waited_for_before_looking() {
        let notices = FilingNotices::default();
        let expected = notices.expect("CA3");
        notices.wake("CA3");
        let mut looks = 0;
        let found = notices
            .wait(Some(expected), "CA3", Duration::from_secs(5), Duration::from_secs(30), || {
                looks += 1;
                async { Ok(Some(())) }
            })
            .await;
        assert_eq!(found.ok().flatten(), Some(()));
        assert_eq!(looks, 1, "one look, after the notice");

        // A notice lost: the first look comes after the fallback.
        let expected = notices.expect("CA4");
        let started = tokio::time::Instant::now();
        let found = notices
            .wait(Some(expected), "CA4", Duration::from_secs(5), Duration::from_millis(50), || async { Ok(Some(())) })
            .await;
        assert_eq!(found.ok().flatten(), Some(()));
        assert!(started.elapsed() >= Duration::from_millis(50));
    }

    #[tokio::test]
    async fn without_notices_the_fallback_finds_it_and_the_deadline_holds() {
        let notices = FilingNotices::default();
        let mut looks = 0;
        let found = notices
            .wait(None, "T1", Duration::from_secs(5), Duration::from_millis(10), || {
                looks += 1;
                let done = looks >= 3;
                async move { Ok(done.then_some(looks)) }
            })
            .await;
        assert_eq!(found.ok().flatten(), Some(3));
        let never = notices
            .wait(None, "T2", Duration::from_millis(50), Duration::from_millis(10), || async { Ok(None::<()>) })
            .await;
        assert_eq!(never.ok().flatten(), None);
    }
}
