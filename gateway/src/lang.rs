//! The language of a public page: `?lang=` if given, else the browser's
//! `Accept-Language`, else Finnish.

use axum::http::{HeaderMap, header::ACCEPT_LANGUAGE};
use batline_core::{domain::Language, language};

/// Picks the page language.
pub fn pick(query: Option<&str>, headers: &HeaderMap) -> Language {
    query
        .and_then(|l| l.parse::<Language>().ok())
        .or_else(|| language::from_accept_language(headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?))
        .unwrap_or_default()
}
