//! Per-address rate limits on public endpoints. Tracking codes carry 40
//! random bits, and a limit per client address on every look-up makes
//! guessing them hopeless while a resident checking their case never
//! notices it; the console's sign-in is limited the same way against
//! password guessing. The state is bounded: addresses not seen lately are
//! dropped.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use tokio_util::sync::CancellationToken;

/// A limit of so many requests a minute per client address.
pub struct PerAddress {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl PerAddress {
    /// `per_minute` requests a minute, all of which may come at once.
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        PerAddress { limiter: RateLimiter::keyed(Quota::per_minute(per_minute)) }
    }

    /// `Ok` if `ip` may go on, else how long until it may.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            // Round up: Retry-After is in whole seconds and 0 would invite a hammering retry.
            Duration::from_secs(wait.as_secs() + 1)
        })
    }

    /// Forgets idle addresses every minute until `shutdown`, so memory stays bounded.
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
