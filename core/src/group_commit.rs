//! Group commit for small writes many tasks make at once: each caller hands
//! in one item and waits, and one task takes every item waiting while the
//! previous group was being written and writes them together, in one
//! statement and one commit, as PostgreSQL itself groups WAL flushes. Alone,
//! an item is written as quickly as before; under load, one round trip and
//! one flush serve many.
//!
//! Each item stays on its own: when a group fails, its items are written
//! again one by one, so only a bad one fails. A caller hears back only once
//! its own item is committed (or has failed), so what it does next means
//! what it meant before.
//!
//! The gateway's arriving contacts (`intake_writer`) and the SMS sender's
//! records of messages sent (`sending`) use it; a [`Grouping`] says how one
//! kind of write is done together and alone.

use std::{
    future::Future,
    sync::{Arc, OnceLock},
};

use tokio::sync::{mpsc, oneshot};

use crate::{Error, Result};

/// One kind of write, done for many items at once or for one alone.
pub trait Grouping: Send + Sync + 'static {
    /// What a caller hands in.
    type Item: Send + 'static;
    /// What the caller gets back once it is committed.
    type Done: Send + 'static;
    /// Items written together at most: bounds one statement under a flood.
    const MOST: usize;
    /// What this writes, for the log line of a group that failed.
    const WHAT: &'static str;

    /// Writes `items` in one transaction; what each got, in order.
    fn together(&self, items: &[Self::Item]) -> impl Future<Output = Result<Vec<Self::Done>>> + Send;

    /// Writes `item` alone: a group of one, or an item whose group failed.
    fn alone(&self, item: &Self::Item) -> impl Future<Output = Result<Self::Done>> + Send;
}

/// An item waiting for its group, and where to answer.
struct Waiting<G: Grouping> {
    item: G::Item,
    reply: oneshot::Sender<Result<G::Done>>,
}

/// Writes `G`'s items in groups; cheap to clone, one writing task each.
pub struct GroupCommit<G: Grouping> {
    grouping: Arc<G>,
    /// The writing task's queue, started on first use (it needs a runtime).
    queue: Arc<OnceLock<mpsc::UnboundedSender<Waiting<G>>>>,
}

impl<G: Grouping> Clone for GroupCommit<G> {
    fn clone(&self) -> Self {
        GroupCommit { grouping: self.grouping.clone(), queue: self.queue.clone() }
    }
}

impl<G: Grouping> GroupCommit<G> {
    /// Group commit of `grouping`'s writes.
    pub fn new(grouping: G) -> Self {
        GroupCommit { grouping: Arc::new(grouping), queue: Arc::new(OnceLock::new()) }
    }

    /// Writes `item` with whatever else is waiting; returns once it is
    /// committed.
    pub async fn write(&self, item: G::Item) -> Result<G::Done> {
        let (reply, answer) = oneshot::channel();
        let queue = self.queue.get_or_init(|| spawn_writer(self.grouping.clone()));
        let stopped = || Error::Task(format!("the group writer of {} has stopped", G::WHAT));
        queue.send(Waiting { item, reply }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Starts the task behind [`GroupCommit::write`]. It ends when the last
/// clone is dropped.
fn spawn_writer<G: Grouping>(grouping: Arc<G>) -> mpsc::UnboundedSender<Waiting<G>> {
    let (queue, mut waiting) = mpsc::unbounded_channel::<Waiting<G>>();
    tokio::spawn(async move {
        while let Some(first) = waiting.recv().await {
            let mut group = vec![first];
            while group.len() < G::MOST
                && let Ok(next) = waiting.try_recv()
            {
                group.push(next);
            }
            write(grouping.as_ref(), group).await;
        }
    });
    queue
}

/// Writes `group` together, or, alone (a group of one) or should that
/// fail, each item by itself; answers every caller.
async fn write<G: Grouping>(grouping: &G, group: Vec<Waiting<G>>) {
    if group.len() > 1 {
        let (items, replies): (Vec<G::Item>, Vec<_>) = group.into_iter().map(|w| (w.item, w.reply)).unzip();
        match grouping.together(&items).await {
            Ok(done) if done.len() == items.len() => {
                for (reply, done) in replies.into_iter().zip(done) {
                    // A caller that stopped waiting needs no answer.
                    let _ = reply.send(Ok(done));
                }
            }
            // A group answered for a different number of items than it
            // was given is not trusted either.
            outcome => {
                if let Err(e) = outcome {
                    tracing::warn!(error = %e, items = items.len(), "a group of {} failed; writing them one by one", G::WHAT);
                }
                for (item, reply) in items.into_iter().zip(replies) {
                    let _ = reply.send(grouping.alone(&item).await);
                }
            }
        }
        return;
    }
    for Waiting { item, reply } in group {
        let _ = reply.send(grouping.alone(&item).await);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Records how it was asked to write; fails any group holding 13.
    #[derive(Default)]
    struct Doubling {
        groups: Mutex<Vec<usize>>,
        alone: Mutex<Vec<u32>>,
    }

    impl Grouping for Doubling {
        type Item = u32;
        type Done = u32;
        const MOST: usize = 4;
        const WHAT: &'static str = "doublings";

        async fn together(&self, items: &[u32]) -> Result<Vec<u32>> {
            if items.contains(&13) {
                return Err(Error::Invalid("13".into()));
            }
            self.groups.lock().map_err(|_| Error::Task("poisoned".into()))?.push(items.len());
            Ok(items.iter().map(|i| i * 2).collect())
        }

        async fn alone(&self, item: &u32) -> Result<u32> {
            self.alone.lock().map_err(|_| Error::Task("poisoned".into()))?.push(*item);
            if *item == 13 { Err(Error::Invalid("13".into())) } else { Ok(item * 2) }
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn items_waiting_together_are_written_together_and_a_failed_group_item_by_item() {
        let writer = GroupCommit::new(Doubling::default());
        // The first write starts the task and is written alone; the ten
        // handed in while the task cannot run gather into groups of at
        // most four.
        assert_eq!(writer.write(1).await.ok(), Some(2));
        let many: Vec<_> = (0..10u32).map(|i| writer.write(i)).collect();
        let done: Vec<Option<u32>> = futures_util::future::join_all(many).await.into_iter().map(|r| r.ok()).collect();
        assert_eq!(done, (0..10u32).map(|i| Some(i * 2)).collect::<Vec<_>>());
        let groups = writer.grouping.groups.lock().map(|g| g.clone()).unwrap_or_default();
        assert!(groups.iter().all(|&n| n <= 4) && groups.iter().sum::<usize>() >= 8, "groups {groups:?}");

        // A group with a bad item fails; each item is then written alone
        // and only the bad one fails.
        let mixed = [12u32, 13, 14].map(|i| writer.write(i));
        let outcomes: Vec<Option<u32>> =
            futures_util::future::join_all(mixed).await.into_iter().map(|r| r.ok()).collect();
        assert_eq!(outcomes, vec![Some(24), None, Some(28)]);
        let alone = writer.grouping.alone.lock().map(|a| a.clone()).unwrap_or_default();
        assert!(alone.ends_with(&[12, 13, 14]), "written alone: {alone:?}");
    }
}
