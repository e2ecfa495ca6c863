//! The client's address when Batline runs behind the city's proxies.
//!
//! Every per-address limit (new chats, chat sockets, tracking look-ups,
//! `/open`, Open311 reads, sign-ins and their lock-out, webhooks) counts
//! the client's address. Behind HAProxy or nginx the TCP peer is the proxy,
//! so every resident would share one count. A proxy listed in
//! `BATLINE_TRUSTED_PROXIES` is believed about who it forwards for: the
//! client is the right-most address in `X-Forwarded-For` that is not itself
//! a trusted proxy (each proxy appends the address it was reached from, so
//! what a client writes into the header itself is to the left and never
//! read). A peer that is not listed is the client, whatever it claims.
//!
//! [`resolve`] runs first on the gateway's and the console's routes and
//! replaces the connection's [`ConnectInfo`] with the client's address, so
//! every handler and limit that reads `ConnectInfo` counts the client.

use std::{net::IpAddr, net::SocketAddr, sync::Arc};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::HeaderMap,
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;

/// The header each proxy appends the address it was reached from to.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// The proxies whose `X-Forwarded-For` is believed (`BATLINE_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Addresses and networks separated by commas: `10.0.0.11, 10.0.0.0/24, fd00::/8`.
    pub fn parse(raw: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => match item.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(ip),
                    Err(_) => {
                        return Err(format!(
                            "{item:?} is neither an address nor a network (e.g. 10.0.0.11 or 10.0.0.0/24)"
                        ));
                    }
                },
            };
            nets.push(net.trunc());
        }
        Ok(TrustedProxies(nets))
    }

    /// True when no proxy is trusted: the peer is always the client.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`, read from `headers` when `peer` is trusted.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        // Every X-Forwarded-For line, in order, as one list.
        let hops: Vec<&str> = headers
            .get_all(FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            // A hop that is not an address ends the chain: what is left of
            // it was written by someone not trusted.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// An address as proxies write it: `203.0.113.7`, `2001:db8::1`, and the
/// forms with a port, `203.0.113.7:51234` and `[2001:db8::1]:51234`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    hop.parse::<SocketAddr>().ok().map(|addr| addr.ip())
}

/// Middleware: puts the client's address in place of the proxy's in the
/// request's [`ConnectInfo`], keeping the port (it is the proxy's, and
/// nothing reads it).
pub async fn resolve(State(trusted): State<Arc<TrustedProxies>>, mut request: Request, next: Next) -> Response {
    if !trusted.is_empty()
        && let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied()
    {
        let client = trusted.client(peer.ip(), request.headers());
        if client != peer.ip() {
            request.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, peer.port())));
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn forwarded(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            if let Ok(value) = HeaderValue::from_str(line) {
                headers.append(FORWARDED_FOR, value);
            }
        }
        headers
    }

    #[test]
    fn a_peer_not_trusted_is_the_client_whatever_it_claims() -> Result<(), String> {
        let trusted = TrustedProxies::parse("10.0.0.0/24")?;
        assert_eq!(trusted.client(ip("198.51.100.9"), &forwarded(&["203.0.113.7"])), ip("198.51.100.9"));
        let nobody = TrustedProxies::default();
        assert_eq!(nobody.client(ip("10.0.0.11"), &forwarded(&["203.0.113.7"])), ip("10.0.0.11"));
        Ok(())
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() -> Result<(), String> {
        let trusted = TrustedProxies::parse("10.0.0.11, 10.0.0.12 ,fd00::/8")?;
        let proxy = ip("10.0.0.11");
        // One proxy.
        assert_eq!(trusted.client(proxy, &forwarded(&["203.0.113.7"])), ip("203.0.113.7"));
        // A client that forged a header of its own: the proxy appended the real one.
        assert_eq!(trusted.client(proxy, &forwarded(&["1.2.3.4, 203.0.113.7"])), ip("203.0.113.7"));
        // Two proxies, and the header split over two lines.
        assert_eq!(trusted.client(proxy, &forwarded(&["1.2.3.4, 203.0.113.7", "10.0.0.12"])), ip("203.0.113.7"));
        // Ports and IPv6, and an IPv4 peer written as IPv6.
        assert_eq!(trusted.client(proxy, &forwarded(&["[2001:db8::1]:443"])), ip("2001:db8::1"));
        assert_eq!(trusted.client(ip("::ffff:10.0.0.11"), &forwarded(&["203.0.113.7:5123"])), ip("203.0.113.7"));
        // No header, or garbage: the proxy itself, never a guess.
        assert_eq!(trusted.client(proxy, &HeaderMap::new()), proxy);
        assert_eq!(trusted.client(proxy, &forwarded(&["unknown"])), proxy);
        assert_eq!(trusted.client(proxy, &forwarded(&["203.0.113.7, nonsense"])), proxy);
        Ok(())
    }

    #[test]
    fn bad_entries_are_named() {
        let err = TrustedProxies::parse("10.0.0.11, haproxy.local").err().unwrap_or_default();
        assert!(err.contains("haproxy.local"), "{err}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}
