//! W3C trace context (`traceparent`) carried from an HTTP request through
//! the outbox and RabbitMQ to whichever service handles the message, and on
//! to what that service publishes in turn. Every log line inside carries
//! the `trace_id`, so one resident's SMS can be followed through gateway,
//! router and sender in the JSON logs.
//!
//! Hand-written rather than OpenTelemetry: Batline exports no spans (there
//! is no collector to send them to), and the header format is a few lines.
//! Moving to `opentelemetry`'s propagator later changes only this module.

use std::future::Future;

use rand::RngCore;

/// The header and AMQP property name.
pub const HEADER: &str = "traceparent";

/// A trace and the span within it that caused what comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    trace_id: u128,
    span_id: u64,
}

tokio::task_local! {
    static CURRENT: TraceContext;
}

impl TraceContext {
    /// A new trace.
    pub fn new_root() -> Self {
        let mut rng = rand::thread_rng();
        let mut trace = [0u8; 16];
        rng.fill_bytes(&mut trace);
        // All-zero ids are invalid; the odds are nil, but be exact.
        let trace_id = u128::from_be_bytes(trace).max(1);
        TraceContext { trace_id, span_id: rng.next_u64().max(1) }
    }

    /// The next span of the same trace.
    pub fn child(self) -> Self {
        TraceContext { trace_id: self.trace_id, span_id: rand::thread_rng().next_u64().max(1) }
    }

    /// Reads a `traceparent` value; `None` if it is not a valid version-00
    /// (or later, as the spec allows) header.
    pub fn parse(header: &str) -> Option<Self> {
        let mut parts = header.trim().split('-');
        let (version, trace, span, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let hex =
            |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex(version, 2) || version == "ff" || !hex(trace, 32) || !hex(span, 16) || !hex(flags, 2) {
            return None;
        }
        if version == "00" && parts.next().is_some() {
            return None;
        }
        let trace_id = u128::from_str_radix(trace, 16).ok().filter(|&t| t != 0)?;
        let span_id = u64::from_str_radix(span, 16).ok().filter(|&s| s != 0)?;
        Some(TraceContext { trace_id, span_id })
    }

    /// The `traceparent` value (sampled).
    pub fn header(&self) -> String {
        format!("00-{:032x}-{:016x}-01", self.trace_id, self.span_id)
    }

    /// The trace id as logged.
    pub fn trace_id(&self) -> String {
        format!("{:032x}", self.trace_id)
    }

    /// The context of the task running now, if it runs inside [`scope`].
    pub fn current() -> Option<Self> {
        CURRENT.try_with(|c| *c).ok()
    }

    /// The context to continue from `header`, or a new trace.
    pub fn continue_from(header: Option<&str>) -> Self {
        header.and_then(Self::parse).map(Self::child).unwrap_or_else(Self::new_root)
    }
}

/// Runs `fut` with `ctx` as the current trace context.
pub async fn scope<F: Future>(ctx: TraceContext, fut: F) -> F::Output {
    CURRENT.scope(ctx, fut).await
}

/// Axum middleware for every service's router: continues the caller's
/// trace (from its `traceparent` header) or starts one, runs the request
/// inside it and inside a `request` span carrying its `trace_id`, and
/// answers with the `traceparent` of the request's span so a caller can
/// find its logs.
pub async fn middleware(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use tracing::Instrument;
    let incoming = request.headers().get(HEADER).and_then(|v| v.to_str().ok());
    let ctx = TraceContext::continue_from(incoming);
    let span = tracing::info_span!("request", trace_id = %ctx.trace_id(), method = %request.method(), path = %request.uri().path());
    let mut response = scope(ctx, next.run(request)).instrument(span).await;
    if let Ok(value) = axum::http::HeaderValue::from_str(&ctx.header()) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_malformed_headers() {
        let ctx = TraceContext::new_root();
        assert_eq!(TraceContext::parse(&ctx.header()), Some(ctx));
        let child = ctx.child();
        assert_eq!(child.trace_id(), ctx.trace_id());
        assert_ne!(child.header(), ctx.header());
        let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(
            TraceContext::parse(valid).map(|c| c.trace_id()).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ] {
            assert_eq!(TraceContext::parse(bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn the_current_context_lives_for_its_scope() {
        assert_eq!(TraceContext::current(), None);
        let ctx = TraceContext::new_root();
        assert_eq!(scope(ctx, async { TraceContext::current() }).await, Some(ctx));
    }
}
