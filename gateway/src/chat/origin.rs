//! Which pages may open the chat. Browsers always send `Origin` on a
//! WebSocket handshake and a page cannot forge it, so checking it stops
//! another site from opening a resident's chat behind their back (the
//! cookie-less token lives in the chat page's own storage, but the check
//! costs nothing and keeps the socket to the pages the city chose). Allowed:
//! the gateway's own pages (its public URL, or the host the browser reached
//! it by) and the city sites in `BATLINE_CHAT_ORIGINS`.

use axum::http::{HeaderMap, header};
use batline_core::Config;
use url::Url;

/// `Ok` when the handshake's `Origin` may open the chat, else why not.
pub fn check(config: &Config, headers: &HeaderMap) -> Result<(), String> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .ok_or("the handshake has no Origin header; the chat opens only from a web page")?;
    let own = config.public_url.origin().ascii_serialization();
    if origin == own || config.chat.origins.iter().any(|o| o == origin) || same_host(origin, headers) {
        return Ok(());
    }
    Err(format!(
        "pages from {origin} may not open the chat; the gateway's operators list allowed sites in BATLINE_CHAT_ORIGINS"
    ))
}

/// True when `origin` names the host and port the request was sent to: a
/// page this gateway served itself.
fn same_host(origin: &str, headers: &HeaderMap) -> bool {
    let (Ok(origin), Some(host)) = (Url::parse(origin), headers.get(header::HOST).and_then(|v| v.to_str().ok())) else {
        return false;
    };
    let Ok(requested) = Url::parse(&format!("{}://{host}", origin.scheme())) else {
        return false;
    };
    origin.host_str().is_some()
        && origin.host_str() == requested.host_str()
        && origin.port_or_known_default() == requested.port_or_known_default()
}

/// The `frame-ancestors` of the chat page: itself and the allowed sites.
pub fn frame_ancestors(config: &Config) -> String {
    let mut value = String::from("frame-ancestors 'self'");
    for origin in &config.chat.origins {
        value.push(' ');
        value.push_str(origin);
    }
    value
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn config() -> batline_core::Result<Config> {
        Config::from_lookup(|name| match name {
            "BATLINE_PUBLIC_URL" => Some("https://batline.hel.fi".into()),
            "BATLINE_CHAT_ORIGINS" => Some("https://www.hel.fi".into()),
            _ => None,
        })
    }

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_static(o));
        }
        h.insert(header::HOST, HeaderValue::from_static(host));
        h
    }

    #[test]
    fn own_listed_and_same_host_origins_pass() -> batline_core::Result<()> {
        let c = config()?;
        assert!(check(&c, &headers(Some("https://batline.hel.fi"), "batline.hel.fi")).is_ok());
        assert!(check(&c, &headers(Some("https://www.hel.fi"), "batline.hel.fi")).is_ok());
        assert!(check(&c, &headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080")).is_ok());
        assert!(check(&c, &headers(Some("http://localhost"), "localhost:80")).is_ok());
        Ok(())
    }

    #[test]
    fn others_and_missing_origins_fail() -> batline_core::Result<()> {
        let c = config()?;
        assert!(check(&c, &headers(Some("https://evil.example"), "batline.hel.fi")).is_err());
        assert!(check(&c, &headers(Some("http://127.0.0.1:9999"), "127.0.0.1:8080")).is_err());
        assert!(check(&c, &headers(Some("https://www.hel.fi.evil.example"), "batline.hel.fi")).is_err());
        assert!(check(&c, &headers(None, "batline.hel.fi")).is_err());
        assert_eq!(frame_ancestors(&c), "frame-ancestors 'self' https://www.hel.fi");
        Ok(())
    }
}
