//! The sockets this gateway process holds, by chat session, and the
//! per-address connection count (an address is its source: IPv6 by its
//! /64, as every per-address limit counts it). A bus notification for a session pokes
//! its sockets here; each socket then reads what changed from PostgreSQL
//! itself, so a poke carries nothing that could be lost or reordered.
//! Nothing here is held across an await.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use batline_core::rate_limit::source;
use tokio::sync::Notify;
use uuid::Uuid;

/// One socket's doorbell.
#[derive(Debug, Default)]
pub struct Doorbell {
    /// Rung when the session's conversation or case changed.
    pub notify: Notify,
    /// Set with a ring when the owner is typing.
    pub typing: AtomicBool,
}

/// The sockets of this process.
#[derive(Debug, Default)]
pub struct Hub {
    sessions: Mutex<HashMap<Uuid, Vec<Arc<Doorbell>>>>,
    addresses: Mutex<HashMap<IpAddr, usize>>,
}

impl Hub {
    /// Registers a socket of `session`; it stays until [`Hub::leave`].
    pub fn join(&self, session: Uuid, bell: Arc<Doorbell>) {
        lock(&self.sessions).entry(session).or_default().push(bell);
    }

    /// Unregisters a socket.
    pub fn leave(&self, session: Uuid, bell: &Arc<Doorbell>) {
        let mut sessions = lock(&self.sessions);
        if let Some(bells) = sessions.get_mut(&session) {
            bells.retain(|b| !Arc::ptr_eq(b, bell));
            if bells.is_empty() {
                sessions.remove(&session);
            }
        }
    }

    /// Rings every socket of `session` held here; `typing` marks the ring
    /// as "the owner is typing".
    pub fn ring(&self, session: Uuid, typing: bool) {
        if let Some(bells) = lock(&self.sessions).get(&session) {
            for bell in bells {
                if typing {
                    bell.typing.store(true, Ordering::SeqCst);
                }
                bell.notify.notify_one();
            }
        }
    }

    /// Rings every socket: after a reconnection to RabbitMQ, when
    /// notifications may have been missed.
    pub fn ring_all(&self) {
        for bells in lock(&self.sessions).values() {
            for bell in bells {
                bell.notify.notify_one();
            }
        }
    }

    /// Counts a new connection from `ip`, unless its source (IPv6: its
    /// /64) already has `max`.
    pub fn connect(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<AddressSlot> {
        let ip = source(ip);
        let mut addresses = lock(&self.addresses);
        let count = addresses.entry(ip).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(AddressSlot { hub: self.clone(), ip })
    }

    /// Sockets open from `ip`'s source.
    pub fn connections_from(&self, ip: IpAddr) -> usize {
        lock(&self.addresses).get(&source(ip)).copied().unwrap_or(0)
    }
}

/// One counted connection; dropping it frees the slot.
#[derive(Debug)]
pub struct AddressSlot {
    hub: Arc<Hub>,
    ip: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut addresses = lock(&self.hub.addresses);
        if let Some(count) = addresses.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                addresses.remove(&self.ip);
            }
        }
    }
}

/// Locks a map; a panic elsewhere while holding it leaves plain data that
/// is still consistent, so poisoning is ignored.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_slots_are_counted_and_freed() {
        let hub = Arc::new(Hub::default());
        let ip: IpAddr = [10, 0, 0, 1].into();
        let a = hub.connect(ip, 2);
        let b = hub.connect(ip, 2);
        assert!(a.is_some() && b.is_some());
        assert!(hub.connect(ip, 2).is_none());
        drop(a);
        assert_eq!(hub.connections_from(ip), 1);
        assert!(hub.connect(ip, 2).is_some());
    }

    #[test]
    fn a_slash_64_is_one_address() -> Result<(), std::net::AddrParseError> {
        let hub = Arc::new(Hub::default());
        let a = hub.connect("2001:db8:1:2::1".parse()?, 1);
        assert!(a.is_some());
        assert!(hub.connect("2001:db8:1:2:ffff::9".parse()?, 1).is_none(), "another address of the /64 is refused");
        assert!(hub.connect("2001:db8:1:3::1".parse()?, 1).is_some(), "another /64 is not");
        drop(a);
        assert!(hub.connect("2001:db8:1:2::2".parse()?, 1).is_some(), "the slot is freed for the /64");
        Ok(())
    }

    #[test]
    fn rings_reach_only_the_session() {
        let hub = Hub::default();
        let (s1, s2) = (Uuid::new_v4(), Uuid::new_v4());
        let (b1, b2) = (Arc::new(Doorbell::default()), Arc::new(Doorbell::default()));
        hub.join(s1, b1.clone());
        hub.join(s2, b2.clone());
        hub.ring(s1, true);
        assert!(b1.typing.load(Ordering::SeqCst));
        assert!(!b2.typing.load(Ordering::SeqCst));
        hub.leave(s1, &b1);
        hub.ring(s1, true);
        assert!(lock(&hub.sessions).get(&s1).is_none());
    }
}
