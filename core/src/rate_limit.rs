//! Rate limits per client address on public endpoints, and per chat
//! session. Tracking codes carry 40 random bits, and a limit per client
//! address on every look-up makes guessing them hopeless while a resident
//! checking their case never notices it; the console's sign-in is limited
//! the same way against password guessing, and a chat session's messages
//! a minute by its session id. The state is bounded: keys not seen lately
//! are dropped.
//!
//! **A client address is its [`source`]**: IPv4 as it is, IPv6 by its /64.
//! One host is usually given a whole /64 and can pick any address in it,
//! so a limit on the full IPv6 address is no limit. [`PerAddress`] applies
//! [`source`] itself, so no caller can forget to.

use std::{
    collections::HashMap,
    hash::Hash,
    net::{IpAddr, Ipv6Addr},
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use governor::{
    DefaultDirectRateLimiter, DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use tokio_util::sync::CancellationToken;

/// The key a client address is limited by: IPv4 as it is (also when it
/// arrives IPv4-mapped on a dual-stack socket), IPv6 by its /64.
pub fn source(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

/// A limit per client address, counted by its [`source`] (IPv6 by /64).
pub struct PerAddress {
    inner: PerKey<IpAddr>,
}

impl PerAddress {
    /// `per_minute` requests a minute, all of which may come at once.
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        PerAddress { inner: PerKey::per_minute(per_minute) }
    }

    /// `per_hour` requests an hour, `burst` of which may come at once.
    pub fn per_hour(per_hour: NonZeroU32, burst: NonZeroU32) -> Self {
        PerAddress { inner: PerKey::with_quota(Quota::per_hour(per_hour).allow_burst(burst)) }
    }

    /// `Ok` if a request from `client` may go on, else how long until it may.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.inner.check(source(client))
    }

    /// Forgets idle sources every minute until `shutdown`.
    pub fn spawn_cleanup(self: Arc<Self>, shutdown: CancellationToken) {
        spawn_every_minute(shutdown, move || self.inner.forget_idle());
    }
}

/// A limit of so many requests per key (a session, a source).
pub struct PerKey<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static> PerKey<K> {
    /// `per_minute` requests a minute, all of which may come at once.
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        Self::with_quota(Quota::per_minute(per_minute))
    }

    fn with_quota(quota: Quota) -> Self {
        PerKey { limiter: RateLimiter::keyed(quota) }
    }

    /// `Ok` if `key` may go on, else how long until it may.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        self.limiter.check_key(&key).map_err(wait)
    }

    fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Forgets idle keys every minute until `shutdown`, so memory stays bounded.
    pub fn spawn_cleanup(self: Arc<Self>, shutdown: CancellationToken) {
        spawn_every_minute(shutdown, move || self.forget_idle());
    }
}

/// A limit of so many a minute all together, whoever asks.
pub struct Overall {
    limiter: DefaultDirectRateLimiter,
}

impl Overall {
    /// `per_minute` a minute, all of which may come at once.
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        Overall { limiter: RateLimiter::direct(Quota::per_minute(per_minute)) }
    }

    /// `Ok` if one more may go on, else how long until it may.
    pub fn check(&self) -> Result<(), Duration> {
        self.limiter.check().map_err(wait)
    }
}

/// The wait until `not_until`, rounded up to whole seconds: Retry-After is
/// in whole seconds and 0 would invite a hammering retry.
fn wait(not_until: NotUntil<<DefaultClock as Clock>::Instant>) -> Duration {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    Duration::from_secs(wait.as_secs() + 1)
}

fn spawn_every_minute(shutdown: CancellationToken, mut work: impl FnMut() + Send + 'static) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
                _ = shutdown.cancelled() => break,
            }
            work();
        }
    });
}

/// Failures per key with a growing wait: `after` failures in a row lock
/// the key out for `first`, each further one for twice the last wait, up
/// to `longest`. A success forgets the key; so does a quiet spell of
/// twice `longest`. At most `MAX_KEYS` keys are followed: past that, new
/// keys go unfollowed until old ones are forgotten, so a flood of distinct
/// keys cannot grow memory without end (the per-address limit still holds
/// such a flood back).
pub struct Backoff<K: Hash + Eq> {
    after: u32,
    first: Duration,
    longest: Duration,
    keys: Mutex<HashMap<K, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    until: Option<Instant>,
}

/// Keys a [`Backoff`] follows at most.
pub const MAX_KEYS: usize = 100_000;

impl<K: Hash + Eq + Clone + Send + 'static> Backoff<K> {
    /// Locks out after `after` failures (at least 1), for `first` doubling to `longest`.
    pub fn new(after: u32, first: Duration, longest: Duration) -> Self {
        Backoff { after: after.max(1), first, longest: longest.max(first), keys: Mutex::new(HashMap::new()) }
    }

    /// `Ok` if `key` may try now, else how long until it may.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    /// [`Backoff::check`] at `now`.
    pub fn check_at(&self, key: &K, now: Instant) -> Result<(), Duration> {
        match lock(&self.keys).get(key).and_then(|f| f.until) {
            // Whole seconds, rounded up: Retry-After is in seconds.
            Some(until) if until > now => Err(Duration::from_secs(until.duration_since(now).as_secs() + 1)),
            _ => Ok(()),
        }
    }

    /// Counts a failure of `key`.
    pub fn fail(&self, key: K) {
        self.fail_at(key, Instant::now());
    }

    /// [`Backoff::fail`] at `now`.
    pub fn fail_at(&self, key: K, now: Instant) {
        let mut keys = lock(&self.keys);
        if keys.len() >= MAX_KEYS && !keys.contains_key(&key) {
            let quiet = self.longest * 2;
            keys.retain(|_, f| now.saturating_duration_since(f.last) < quiet);
            if keys.len() >= MAX_KEYS {
                return;
            }
        }
        let failures = keys.entry(key).or_insert(Failures { count: 0, last: now, until: None });
        failures.count = failures.count.saturating_add(1);
        failures.last = now;
        if let Some(over) = failures.count.checked_sub(self.after) {
            // 2^over times `first`, capped; the shift is capped first so it cannot overflow.
            let factor = 1u32 << over.min(20);
            failures.until = Some(now + self.first.saturating_mul(factor).min(self.longest));
        }
    }

    /// Forgets `key`: it succeeded.
    pub fn succeed(&self, key: &K) {
        lock(&self.keys).remove(key);
    }

    /// Keys followed now.
    pub fn len(&self) -> usize {
        lock(&self.keys).len()
    }

    /// Whether no key is followed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn forget_quiet(&self, now: Instant) {
        let quiet = self.longest * 2;
        let mut keys = lock(&self.keys);
        keys.retain(|_, f| now.saturating_duration_since(f.last) < quiet);
        keys.shrink_to_fit();
    }

    /// Forgets keys quiet for twice the longest wait, every minute until `shutdown`.
    pub fn spawn_cleanup(self: Arc<Self>, shutdown: CancellationToken)
    where
        K: Sync,
    {
        spawn_every_minute(shutdown, move || self.forget_quiet(Instant::now()));
    }
}

/// Locks a map; a panic elsewhere while holding it leaves plain data that
/// is still consistent, so poisoning is ignored.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::net::{AddrParseError, Ipv4Addr};

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn sources_are_addresses_and_ipv6_blocks() -> Result<(), AddrParseError> {
        let v4: IpAddr = "192.0.2.7".parse()?;
        assert_eq!(source(v4), v4);
        assert_eq!(source("::ffff:192.0.2.7".parse()?), v4, "a dual-stack socket's IPv4 peer is that IPv4 address");
        let (a, b) = (source("2001:db8:1:2:aaaa::1".parse()?), source("2001:db8:1:2:ffff:1:2:3".parse()?));
        assert_eq!(a, b, "one /64 is one source");
        assert_eq!(a, "2001:db8:1:2::".parse::<IpAddr>()?);
        assert_ne!(a, source("2001:db8:1:3::1".parse()?));
        Ok(())
    }

    proptest! {
        /// Any two addresses in one /64 are one source; addresses in
        /// different /64s never are.
        #[test]
        fn a_slash_64_is_one_source(prefix: u64, other_prefix: u64, a: u64, b: u64) {
            let ip = |prefix: u64, host: u64| IpAddr::V6(Ipv6Addr::from_bits((u128::from(prefix) << 64) | u128::from(host)));
            // Skip the IPv4-mapped block, which counts as IPv4.
            prop_assume!(prefix != 0 && other_prefix != 0);
            prop_assert_eq!(source(ip(prefix, a)), source(ip(prefix, b)));
            if prefix != other_prefix {
                prop_assert_ne!(source(ip(prefix, a)), source(ip(other_prefix, b)));
            }
        }

        /// IPv4 addresses are their own sources, mapped or not.
        #[test]
        fn ipv4_is_itself(bits: u32) {
            let v4 = Ipv4Addr::from_bits(bits);
            prop_assert_eq!(source(IpAddr::V4(v4)), IpAddr::V4(v4));
            prop_assert_eq!(source(IpAddr::V6(v4.to_ipv6_mapped())), IpAddr::V4(v4));
        }

        /// The limiter itself groups by /64: once one address of a /64 has
        /// used the allowance, every other address of it is refused, and
        /// the next /64 is not.
        #[test]
        fn per_address_limits_count_a_slash_64(prefix in 1u64..u64::MAX, a: u64, b: u64) {
            let ip = |prefix: u64, host: u64| IpAddr::V6(Ipv6Addr::from_bits((u128::from(prefix) << 64) | u128::from(host)));
            let limit = PerAddress::per_minute(NonZeroU32::MIN);
            prop_assert!(limit.check(ip(prefix, a)).is_ok());
            prop_assert!(limit.check(ip(prefix, b)).is_err(), "another address of the /64 shares its allowance");
            prop_assert!(limit.check(ip(prefix + 1, a)).is_ok(), "the next /64 has its own");
        }
    }

    #[test]
    fn backoff_locks_out_after_so_many_failures_and_doubles_up_to_the_longest() {
        let backoff = Backoff::new(3, Duration::from_secs(30), Duration::from_secs(100));
        let t0 = Instant::now();
        for _ in 0..2 {
            backoff.fail_at("k", t0);
            assert!(backoff.check_at(&"k", t0).is_ok(), "the first failures lock nothing");
        }
        backoff.fail_at("k", t0);
        assert_eq!(backoff.check_at(&"k", t0), Err(Duration::from_secs(31)), "the third does");
        assert!(backoff.check_at(&"other", t0).is_ok(), "another key is not affected");
        let t1 = t0 + Duration::from_secs(30);
        assert!(backoff.check_at(&"k", t1).is_ok());
        backoff.fail_at("k", t1);
        assert_eq!(backoff.check_at(&"k", t1), Err(Duration::from_secs(61)), "the wait doubles");
        let t2 = t1 + Duration::from_secs(60);
        backoff.fail_at("k", t2);
        assert_eq!(backoff.check_at(&"k", t2), Err(Duration::from_secs(101)), "up to the longest");
        for _ in 0..100 {
            backoff.fail_at("k", t2);
        }
        assert_eq!(backoff.check_at(&"k", t2), Err(Duration::from_secs(101)), "and no further");
        backoff.succeed(&"k");
        assert!(backoff.check_at(&"k", t2).is_ok(), "a success forgets");
    }

    #[test]
    fn backoff_forgets_quiet_keys_and_stays_bounded() {
        let backoff = Backoff::new(1, Duration::from_secs(1), Duration::from_secs(10));
        let t0 = Instant::now();
        backoff.fail_at(1u32, t0);
        backoff.forget_quiet(t0 + Duration::from_secs(19));
        assert_eq!(backoff.len(), 1);
        backoff.forget_quiet(t0 + Duration::from_secs(20));
        assert!(backoff.is_empty(), "quiet for twice the longest wait: forgotten");
        for key in 0..(MAX_KEYS as u32 + 10) {
            backoff.fail_at(key, t0);
        }
        assert_eq!(backoff.len(), MAX_KEYS, "never more than MAX_KEYS");
        backoff.fail_at(u32::MAX, t0 + Duration::from_secs(20));
        assert_eq!(backoff.len(), 1, "the quiet ones make room");
    }
}
