//! The security headers every answer of the gateway and the console
//! carries, filled in by one layer in each service so that no page, error
//! or download can be served without them:
//!
//! - `X-Content-Type-Options: nosniff` on everything, so a browser never
//!   reads JSON, CSV or an error's text as a page or a script;
//! - `Content-Security-Policy`: the service's page policy (no inline
//!   script, `frame-ancestors 'none'`) unless the handler chose a stricter
//!   or differently framed one (the chat page, which the city's sites may
//!   frame; `/open`, which runs no script at all). It goes on every answer,
//!   not only HTML: an error answered as text is a document too when a
//!   browser opens it, and the header costs a few bytes on an API answer;
//! - `Referrer-Policy`: `no-referrer` unless the handler chose another,
//!   since tracking codes and ticket ids sit in the pages' addresses;
//! - `X-Frame-Options: DENY` wherever the policy forbids framing, for
//!   browsers that predate `frame-ancestors`.
//!
//! A handler's own header always wins, so a page that needs something else
//! says so where it is built and this layer only fills the gaps.

use axum::{
    http::{
        HeaderMap, HeaderValue,
        header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS},
    },
    response::Response,
};

/// Adds to `response` whichever of the security headers it lacks, with
/// `page_csp` as the policy when the handler set none.
pub fn fill(response: &mut Response, page_csp: &'static str) {
    fill_headers(response.headers_mut(), page_csp);
}

/// As [`fill`], on the headers alone.
pub fn fill_headers(headers: &mut HeaderMap, page_csp: &'static str) {
    headers.entry(X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    headers.entry(REFERRER_POLICY).or_insert(HeaderValue::from_static("no-referrer"));
    let unframed =
        headers.entry(CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(page_csp)).to_str().is_ok_and(
            |csp| csp.split(';').any(|directive| directive.split_whitespace().eq(["frame-ancestors", "'none'"])),
        );
    if unframed {
        headers.entry(X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "default-src 'none'; script-src 'self'; frame-ancestors 'none'";

    #[test]
    fn fills_what_is_missing() {
        let mut headers = HeaderMap::new();
        fill_headers(&mut headers, POLICY);
        assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[REFERRER_POLICY], "no-referrer");
        assert_eq!(headers[CONTENT_SECURITY_POLICY], POLICY);
        assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
    }

    #[test]
    fn a_handlers_own_choice_stands() {
        let mut headers = HeaderMap::new();
        let framed = "default-src 'none'; frame-ancestors 'self' https://www.hel.fi";
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(framed));
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        fill_headers(&mut headers, POLICY);
        assert_eq!(headers[CONTENT_SECURITY_POLICY], framed);
        assert_eq!(headers[REFERRER_POLICY], "same-origin");
        assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(headers.get(X_FRAME_OPTIONS).is_none(), "a page others may frame is not denied to them");
    }
}
