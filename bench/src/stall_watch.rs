//! Watching the machine while `batline-bench mixed` runs its half-load
//! phase, so that a run whose tail breaks its target says where the time
//! went. Three probes run beside the load, each every 20 ms:
//!
//! - a durable PostgreSQL commit (a transaction with an id, so its commit
//!   waits for the WAL flush, as a filing's does);
//! - a confirmed publish of a persistent message to a quorum queue of the
//!   probe's own, as every hand-on between Batline's services is;
//! - the CPU time the hypervisor took from this virtual machine (`steal`).
//!
//! The slowest contacts are then set beside what the probes saw while each
//! of them waited. A commit or a publish that stalled with them points at
//! the database or the broker (or the disk under both), stolen time at the
//! machine; a stall the probes did not share points at Batline itself.

use std::time::{Duration, Instant};

use batline_core::{Config, bus};
use chrono::{DateTime, Utc};
use lapin::{
    BasicProperties,
    options::{BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions, QueueDeleteOptions},
    types::{AMQPValue, FieldTable},
};
use rand::Rng;
use sqlx::PgPool;
use tokio::{task::JoinHandle, time::MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::{
    machine::{stolen_ticks, ticks_to_ms},
    store::probe,
};

/// How often each probe looks.
const EVERY: Duration = Duration::from_millis(20);
/// The window over which the hypervisor's largest take is reported: the
/// kernel counts stolen time in ticks of 10 ms, so a shorter one says little.
const STEAL_WINDOW: Duration = Duration::from_millis(100);
/// Messages the probe's queue keeps: nobody consumes them, and only their
/// confirms matter.
const QUEUE_LENGTH: i64 = 1_000;

/// One probe's answer: when it began and how long it took.
#[derive(Debug, Clone, Copy)]
struct Probed {
    at: DateTime<Utc>,
    ms: f64,
}

impl Probed {
    fn end(&self) -> DateTime<Utc> {
        self.at + chrono::Duration::microseconds((self.ms * 1000.0) as i64)
    }
}

/// What the probes saw.
#[derive(Debug, Clone, Default)]
pub struct Watched {
    commits: Vec<Probed>,
    publishes: Vec<Probed>,
    /// When, and the ticks stolen from the machine by then.
    steal: Vec<(DateTime<Utc>, u64)>,
    /// Probes that failed outright (an error, not a slow answer).
    pub failed: usize,
}

/// The probes running; [`StallWatch::stop`] ends them.
pub struct StallWatch {
    stop: CancellationToken,
    task: JoinHandle<Watched>,
}

impl StallWatch {
    /// Starts the three probes, the broker's on a connection and a queue of
    /// its own.
    pub async fn start(config: &Config, pool: &PgPool) -> anyhow::Result<StallWatch> {
        let connection = bus::open_connection(&config.amqp_url).await?;
        let channel = connection.create_channel().await?;
        channel.confirm_select(ConfirmSelectOptions::default()).await?;
        let queue = format!("bench-probe-{}", rand::thread_rng().gen_range(100_000..1_000_000));
        let mut args = FieldTable::default();
        args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
        args.insert("x-max-length".into(), AMQPValue::LongLongInt(QUEUE_LENGTH));
        channel.queue_declare(&queue, QueueDeclareOptions { durable: true, ..Default::default() }, args).await?;

        let stop = CancellationToken::new();
        let pool = pool.clone();
        let done = stop.clone();
        let task = tokio::spawn(async move {
            let (pool, channel_ref, queue_ref) = (&pool, &channel, &queue);
            let commits = every(&done, move || async move {
                let started = Instant::now();
                probe::durable_commit(pool).await.ok().map(|()| started.elapsed())
            });
            let publishes = every(&done, move || async move {
                let started = Instant::now();
                let properties = BasicProperties::default().with_delivery_mode(2);
                let confirm = channel_ref
                    .basic_publish("", queue_ref, BasicPublishOptions::default(), b"probe", properties)
                    .await;
                match confirm {
                    Ok(confirm) => confirm.await.ok().filter(|c| c.is_ack()).map(|_| started.elapsed()),
                    Err(_) => None,
                }
            });
            let steal = async {
                let mut samples = Vec::new();
                let mut tick = tokio::time::interval(EVERY);
                while done.run_until_cancelled(tick.tick()).await.is_some() {
                    samples.push((Utc::now(), stolen_ticks()));
                }
                samples
            };
            let ((commits, failed_commits), (publishes, failed_publishes), steal) =
                tokio::join!(commits, publishes, steal);
            if let Err(e) = channel.queue_delete(&queue, QueueDeleteOptions::default()).await {
                tracing::warn!(error = %e, %queue, "could not delete the probe's queue");
            }
            let _ = connection.close(200, "probes done").await;
            Watched { commits, publishes, steal, failed: failed_commits + failed_publishes }
        });
        Ok(StallWatch { stop, task })
    }

    /// Ends the probes and hands over what they saw.
    pub async fn stop(self) -> anyhow::Result<Watched> {
        self.stop.cancel();
        Ok(self.task.await?)
    }
}

/// Runs `probe` every [`EVERY`] until `done` (a slow one delays the next
/// rather than bunching them): what each took, and how many failed.
async fn every<F, Fut>(done: &CancellationToken, probe: F) -> (Vec<Probed>, usize)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<Duration>>,
{
    let (mut seen, mut failed) = (Vec::new(), 0);
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while done.run_until_cancelled(tick.tick()).await.is_some() {
        let at = Utc::now();
        match done.run_until_cancelled(probe()).await {
            Some(Some(took)) => seen.push(Probed { at, ms: took.as_secs_f64() * 1000.0 }),
            Some(None) => failed += 1,
            None => break,
        }
    }
    (seen, failed)
}

/// The whole watch in a few figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// Durable commits made, their p99 and longest, ms.
    pub commits: (usize, f64, f64),
    /// Confirmed publishes made, their p99 and longest, ms.
    pub publishes: (usize, f64, f64),
    /// CPU time stolen in all, and the most in any [`STEAL_WINDOW`], ms.
    pub stolen_ms: (f64, f64),
}

/// What the probes saw while one contact waited.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Meanwhile {
    /// The longest commit under way then, ms (0 with none).
    pub commit_ms: f64,
    /// The longest publish under way then, ms.
    pub publish_ms: f64,
    /// CPU time stolen then, ms, read at the probes' 20 ms and the
    /// kernel's 10 ms grain.
    pub stolen_ms: f64,
}

impl Watched {
    /// The figures of the whole watch.
    pub fn summary(&self) -> Summary {
        let figures = |probed: &[Probed]| {
            let mut ms: Vec<f64> = probed.iter().map(|p| p.ms).collect();
            ms.sort_by(f64::total_cmp);
            let p99 = ms.get(((ms.len() as f64 * 0.99).ceil() as usize).saturating_sub(1)).copied();
            (ms.len(), p99.unwrap_or(f64::NAN), ms.last().copied().unwrap_or(f64::NAN))
        };
        let total = match (self.steal.first(), self.steal.last()) {
            (Some((_, first)), Some((_, last))) => ticks_to_ms(last.saturating_sub(*first)),
            _ => 0.0,
        };
        let window = chrono::Duration::from_std(STEAL_WINDOW).unwrap_or_default();
        let (mut most, mut end) = (0, 0);
        for (start, (at, ticks)) in self.steal.iter().enumerate() {
            end = end.max(start);
            while end + 1 < self.steal.len() && self.steal[end].0 - *at < window {
                end += 1;
            }
            most = most.max(self.steal[end].1.saturating_sub(*ticks));
        }
        Summary {
            commits: figures(&self.commits),
            publishes: figures(&self.publishes),
            stolen_ms: (total, ticks_to_ms(most)),
        }
    }

    /// What the probes saw between `from` and `to`.
    pub fn during(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Meanwhile {
        let longest = |probed: &[Probed]| {
            probed.iter().filter(|p| p.at <= to && p.end() >= from).map(|p| p.ms).fold(0.0, f64::max)
        };
        // The last sample at or before `from` and the first at or after `to`.
        let before = self.steal.iter().rev().find(|(at, _)| *at <= from).or(self.steal.first());
        let after = self.steal.iter().find(|(at, _)| *at >= to).or(self.steal.last());
        let stolen = match (before, after) {
            (Some((_, a)), Some((_, b))) => ticks_to_ms(b.saturating_sub(*a)),
            _ => 0.0,
        };
        Meanwhile { commit_ms: longest(&self.commits), publish_ms: longest(&self.publishes), stolen_ms: stolen }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_800_000_000_000 + ms).single().unwrap_or_default()
    }

    fn watched() -> Watched {
        let probes = |slow_at: i64, slow_ms: f64| {
            (0..50).map(|i| Probed { at: at(i * 20), ms: if i * 20 == slow_at { slow_ms } else { 1.0 } }).collect()
        };
        // Two ticks stolen between 400 and 460 ms, one more at 900 ms.
        let steal = (0..50)
            .map(|i| {
                let t = i * 20;
                (at(t), 100 + u64::from(t >= 420) + u64::from(t >= 460) + u64::from(t >= 900))
            })
            .collect();
        Watched { commits: probes(400, 55.0), publishes: probes(600, 90.0), steal, failed: 0 }
    }

    #[test]
    fn a_contact_is_set_beside_the_stalls_that_overlapped_its_wait() {
        let w = watched();
        // Waiting from 410 to 500 ms: the 55 ms commit begun at 400 was
        // still under way; the publish stall had not begun; the two ticks
        // stolen at 420 and 460 fell in it.
        let m = w.during(at(410), at(500));
        assert_eq!((m.commit_ms, m.publish_ms), (55.0, 1.0));
        assert_eq!(m.stolen_ms, 20.0);
        // Later, the publish stall and not the commit's; one tick stolen.
        let m = w.during(at(610), at(905));
        assert_eq!((m.commit_ms, m.publish_ms, m.stolen_ms), (1.0, 90.0, 10.0));
        // Nothing seen at all: nothing claimed.
        assert_eq!(Watched::default().during(at(0), at(10)), Meanwhile::default());
    }

    #[test]
    fn the_summary_gives_the_tails_and_the_most_stolen_in_any_window() {
        let s = watched().summary();
        assert_eq!(s.commits.0, 50);
        assert_eq!((s.commits.2, s.publishes.2), (55.0, 90.0));
        // 50 probes: the 99th percentile is the slowest.
        assert_eq!((s.commits.1, s.publishes.1), (55.0, 90.0));
        assert_eq!(s.stolen_ms, (30.0, 20.0));
    }
}
