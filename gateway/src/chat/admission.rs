//! Who may open a new chat. Each new chat session becomes a case with a
//! named owner, so opening them must not be free: a browser without a
//! session token could otherwise open cases as fast as it can send.
//!
//! - **Per address**: `BATLINE_CHAT_NEW_PER_HOUR` new sessions an hour per
//!   client address (IPv6 by its /64), `BATLINE_CHAT_NEW_BURST` at once.
//! - **For everyone**: over `BATLINE_CHAT_NEW_ALARM_PER_MINUTE` new sessions
//!   a minute from all addresses together, the traffic is taken for an
//!   attack from many addresses: new chats are refused for everyone until
//!   the rate falls back, and the episode is written to `abuse_alerts`,
//!   which the console's lead page shows. Counted per gateway process.
//!
//! Only new sessions count: a resident resuming their chat with its token,
//! and every message in a chat already open, is never refused here. The
//! per-address check comes first, so a flood from one address spends its
//! own allowance and not everyone's.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::Mutex,
    time::{Duration, Instant},
};

use batline_core::{
    Result,
    config::ChatConfig,
    rate_limit::{Overall, PerAddress},
};
use uuid::Uuid;

/// A refusal after this long without one starts a new episode (a new alert).
const EPISODE_GAP: Duration = Duration::from_secs(5 * 60);
/// An episode's count is written at most this often, so a flood does not
/// become a flood of writes.
const WRITE_EVERY: Duration = Duration::from_secs(10);

/// Why a new chat was refused, and how long until one may be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This address opened its allowance of new chats.
    Address(Duration),
    /// New chats are refused for everyone: the alarm threshold was crossed.
    Everyone(Duration),
}

impl Refusal {
    /// The protocol's error code.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Address(_) => "too_many_chats",
            Refusal::Everyone(_) => "chats_paused",
        }
    }

    /// How long to wait.
    pub fn wait(self) -> Duration {
        match self {
            Refusal::Address(wait) | Refusal::Everyone(wait) => wait,
        }
    }
}

/// An alert to write: episode `id` has had `refused` refusals so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertWrite {
    /// The episode.
    pub id: Uuid,
    /// Refusals in it so far.
    pub refused: u64,
}

#[derive(Debug)]
struct Episode {
    id: Uuid,
    refused: u64,
    last_refused: Instant,
    written: Instant,
}

/// The limits on new chats.
pub struct Admission {
    /// New sessions per address source.
    pub per_address: std::sync::Arc<PerAddress>,
    everyone: Overall,
    /// `BATLINE_CHAT_NEW_ALARM_PER_MINUTE`.
    pub threshold: u32,
    episode: Mutex<Option<Episode>>,
}

impl Admission {
    /// The limits `config` sets.
    pub fn new(config: &ChatConfig) -> Result<Self> {
        let positive = |n: u32, name: &str| {
            NonZeroU32::new(n).ok_or_else(|| batline_core::Error::Config(format!("{name} must be at least 1")))
        };
        let per_hour = positive(config.new_per_hour, "BATLINE_CHAT_NEW_PER_HOUR")?;
        let burst = positive(config.new_burst, "BATLINE_CHAT_NEW_BURST")?;
        let alarm = positive(config.new_alarm_per_minute, "BATLINE_CHAT_NEW_ALARM_PER_MINUTE")?;
        Ok(Admission {
            per_address: std::sync::Arc::new(PerAddress::per_hour(per_hour, burst)),
            everyone: Overall::per_minute(alarm),
            threshold: alarm.get(),
            episode: Mutex::new(None),
        })
    }

    /// `Ok` if `client` may open a new chat now. A refusal for everyone
    /// may come with an alert to write.
    pub fn admit(&self, client: IpAddr) -> std::result::Result<(), (Refusal, Option<AlertWrite>)> {
        self.per_address.check(client).map_err(|wait| (Refusal::Address(wait), None))?;
        let Err(wait) = self.everyone.check() else {
            return Ok(());
        };
        Err((Refusal::Everyone(wait), self.count_refusal(Instant::now())))
    }

    /// Counts a refusal for everyone in the current episode (starting one
    /// if there is none), and says what to write if it is time to.
    fn count_refusal(&self, now: Instant) -> Option<AlertWrite> {
        let mut episode = self.episode.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match episode.as_mut() {
            Some(e) if now.duration_since(e.last_refused) < EPISODE_GAP => {
                e.refused += 1;
                e.last_refused = now;
                if now.duration_since(e.written) < WRITE_EVERY {
                    return None;
                }
                e.written = now;
                Some(AlertWrite { id: e.id, refused: e.refused })
            }
            _ => {
                let id = Uuid::new_v4();
                *episode = Some(Episode { id, refused: 1, last_refused: now, written: now });
                Some(AlertWrite { id, refused: 1 })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(per_hour: u32, burst: u32, alarm: u32) -> ChatConfig {
        ChatConfig {
            origins: Vec::new(),
            max_chars: 2000,
            per_minute: 20,
            connections_per_address: 20,
            new_per_hour: per_hour,
            new_burst: burst,
            new_alarm_per_minute: alarm,
        }
    }

    #[test]
    fn an_address_opens_its_burst_then_waits() -> Result<()> {
        let admission = Admission::new(&config(6, 2, 1000))?;
        let (a, b): (IpAddr, IpAddr) = ([192, 0, 2, 1].into(), [192, 0, 2, 2].into());
        assert!(admission.admit(a).is_ok());
        assert!(admission.admit(a).is_ok());
        let Err((Refusal::Address(wait), None)) = admission.admit(a) else {
            panic!("the third new chat from one address at once is refused");
        };
        assert!(wait > Duration::from_secs(60) && wait <= Duration::from_secs(601), "about ten minutes: {wait:?}");
        assert!(admission.admit(b).is_ok(), "another address is not affected");
        Ok(())
    }

    #[test]
    fn an_ipv6_slash_64_is_one_address() -> Result<()> {
        let admission = Admission::new(&config(6, 1, 1000))?;
        assert!(admission.admit(IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])).is_ok());
        let same_64 = IpAddr::from([0x2001, 0xdb8, 0, 0, 0xffff, 0, 2, 3]);
        assert!(matches!(admission.admit(same_64), Err((Refusal::Address(_), None))));
        assert!(admission.admit(IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1])).is_ok(), "the next /64 may");
        Ok(())
    }

    #[test]
    fn over_the_alarm_everyone_new_is_refused_and_one_episode_is_alerted() -> Result<()> {
        let admission = Admission::new(&config(100, 100, 2))?;
        let ip = |i: u8| IpAddr::from([198, 51, 100, i]);
        assert!(admission.admit(ip(1)).is_ok());
        assert!(admission.admit(ip(2)).is_ok());
        let Err((Refusal::Everyone(_), Some(first))) = admission.admit(ip(3)) else {
            panic!("over the threshold a new address is refused, with an alert");
        };
        assert_eq!(first.refused, 1);
        assert!(matches!(admission.admit(ip(4)), Err((Refusal::Everyone(_), None))), "written at most every 10 s");
        let later = admission.count_refusal(Instant::now() + WRITE_EVERY).map(|w| (w.id, w.refused));
        assert_eq!(later, Some((first.id, 3)), "the same episode, its count brought up to date");
        let next = admission.count_refusal(Instant::now() + WRITE_EVERY + EPISODE_GAP * 2);
        assert!(next.is_some_and(|w| w.id != first.id && w.refused == 1), "after a quiet spell, a new episode");
        Ok(())
    }
}
