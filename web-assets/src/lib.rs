//! The styles and scripts every Batline page loads, built into the binary
//! (see `web-assets/build.rs`): the Helsinki Design System from npm, htmx, and
//! Batline's own files in `web/src/`. Services mount [`serve`] at
//! `/assets/{name}`; pages link them with [`url`], whose `?v=` changes with
//! the content, so browsers may cache them for good.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

/// One file served under `/assets/`.
#[derive(Debug)]
pub struct Asset {
    /// File name, the last part of its URL.
    pub name: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: &'static [u8],
    /// A short hash of `body`, used as ETag and cache-busting version.
    pub version: String,
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    let files: &[(&'static str, &'static str, &'static [u8])] = &[
        ("hds.css", CSS, include_bytes!(concat!(env!("OUT_DIR"), "/hds.css"))),
        ("htmx.min.js", JS, include_bytes!(concat!(env!("OUT_DIR"), "/htmx.min.js"))),
        ("batline.css", CSS, include_bytes!("../../web/src/batline.css")),
        // The public figures pages, /open.
        ("open.css", CSS, include_bytes!("../../web/src/open.css")),
        ("console.js", JS, include_bytes!("../../web/src/console.js")),
        // The resident chat, the script city pages embed it with, and the
        // tracking page's conversation view.
        ("chat.css", CSS, include_bytes!("../../web/src/chat.css")),
        ("chat.js", JS, include_bytes!("../../web/src/chat.js")),
        ("chat-embed.js", JS, include_bytes!("../../web/src/chat-embed.js")),
        ("track.js", JS, include_bytes!("../../web/src/track.js")),
        // The "which area am I in" page, /area.
        ("area.css", CSS, include_bytes!("../../web/src/area.css")),
        ("area.js", JS, include_bytes!("../../web/src/area.js")),
        // The console's printable walk-in ticket.
        ("ticket.css", CSS, include_bytes!("../../web/src/ticket.css")),
        ("ticket.js", JS, include_bytes!("../../web/src/ticket.js")),
    ];
    files
        .iter()
        .map(|&(name, content_type, body)| {
            let digest = Sha256::digest(body);
            let version = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
            Asset { name, content_type, body, version }
        })
        .collect()
});

/// The asset called `name`, if there is one.
pub fn get(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// The URL a page links `name` with; `name` must be one of the assets.
pub fn url(name: &str) -> String {
    match get(name) {
        Some(asset) => format!("/assets/{}?v={}", asset.name, asset.version),
        None => {
            tracing::error!(name, "a page links an asset that is not built in");
            format!("/assets/{name}")
        }
    }
}

/// `GET /assets/{name}`: the asset, cacheable for a year (its URL changes
/// with its content), or 304 when the browser already has this version.
pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = get(&name) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let etag = format!("\"{}\"", asset.version);
    let cache = [(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"))];
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, cache, [(header::ETAG, etag)]).into_response();
    }
    (cache, [(header::CONTENT_TYPE, asset.content_type.to_owned()), (header::ETAG, etag)], asset.body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_built_in_and_versioned() {
        for name in [
            "hds.css",
            "htmx.min.js",
            "batline.css",
            "console.js",
            "chat.css",
            "chat.js",
            "chat-embed.js",
            "track.js",
            "ticket.css",
            "ticket.js",
        ] {
            let asset = get(name).expect("asset is listed");
            assert!(!asset.body.is_empty(), "{name} is empty");
            assert_eq!(asset.version.len(), 12);
            assert!(url(name).starts_with(&format!("/assets/{name}?v=")));
        }
        let hds = std::str::from_utf8(get("hds.css").expect("hds").body).expect("utf-8");
        assert!(hds.contains("--color-bus"), "HDS base styles are bundled");
        assert!(hds.contains(".hds-button"), "HDS component styles are bundled");
        assert!(!hds.contains("makasiini.hel.fi"), "nothing is loaded from the city's CDN");
    }
}
