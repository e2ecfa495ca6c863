//! Rate limits per client address on public endpoints, and per chat
//! session. Tracking codes carry 40 random bits, and a limit per client
//! address on every look-up makes guessing them hopeless while a resident
//! checking their case never notices it; the console's sign-in is limited
//! the same way against password guessing, and a chat session's messages
//! a minute by its session id. The state is bounded: keys not seen lately
//! are dropped.

use std::{hash::Hash, net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use tokio_util::sync::CancellationToken;

/// A limit of so many requests a minute per client address.
pub type PerAddress = PerKey<IpAddr>;

/// A limit of so many requests a minute per key (an address, a session).
pub struct PerKey<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static> PerKey<K> {
    /// `per_minute` requests a minute, all of which may come at once.
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        PerKey { limiter: RateLimiter::keyed(Quota::per_minute(per_minute)) }
    }

    /// `Ok` if `key` may go on, else how long until it may.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            // Round up: Retry-After is in whole seconds and 0 would invite a hammering retry.
            Duration::from_secs(wait.as_secs() + 1)
        })
    }

    /// Forgets idle keys every minute until `shutdown`, so memory stays bounded.
    pub fn spawn_cleanup(self: Arc<Self>, shutdown: CancellationToken) {
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(60)) => {}
                    _ = shutdown.cancelled() => break,
                }
                self.limiter.retain_recent();
                self.limiter.shrink_to_fit();
            }
        });
    }
}
