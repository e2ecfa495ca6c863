//! Prometheus metrics: the names, one small function per thing counted, and
//! [`scrape`], which the operations listeners' `GET /metrics`
//! ([`crate::ops_server`]) answers with.
//!
//! Built on the `metrics` facade with `metrics-exporter-prometheus` rather
//! than the `prometheus` crate with a registry in each service's state: the
//! counting happens deep in shared code (the Twilio client, the router's
//! filing, the deadline sweeps) that has no service state at hand, and a
//! facade lets that code count without threading a registry through every
//! call. The price is one process-wide recorder. `batline up` and the test
//! harness run several services in one process, so [`handle`] installs the
//! recorder at most once and every service renders the same numbers: in one
//! process, every `/metrics` shows the gateway's, the router's and the
//! console's metrics together. If something else installed a global
//! recorder first, every count goes to that recorder; [`handle`] then falls
//! back to a private one nobody records into, so `/metrics` still answers
//! (with an empty page) instead of failing, and says why once, at warn.
//!
//! Recording functions install the recorder themselves, so nothing counted
//! before the first scrape is lost.
//!

use std::{sync::OnceLock, time::Duration};

use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;

use crate::{
    bus::Bus,
    domain::{Channel, SlaTarget},
    store,
};

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Contacts stored by the gateway or the console, by channel.
pub const INTAKE_TOTAL: &str = "batline_intake_total";
/// Seconds from a contact's arrival to its filing with a named owner.
pub const TIME_TO_OWNER_SECONDS: &str = "batline_time_to_owner_seconds";
/// Cases opened by the router, by channel.
pub const CASES_OPENED_TOTAL: &str = "batline_cases_opened_total";
/// Owners chosen by the rules, by the rule that decided.
pub const ASSIGNMENTS_TOTAL: &str = "batline_assignments_total";
/// Groups of filings the router committed or rolled back, by outcome.
pub const FILING_GROUPS_TOTAL: &str = "batline_filing_groups_total";
/// Deliveries in those groups, by the group's outcome: with the groups,
/// the mean group size.
pub const GROUPED_FILINGS_TOTAL: &str = "batline_grouped_filings_total";
/// Seconds a filing waited for a responder's row another filing held
/// (every responder as suited to the case was held by another filing, or
/// full): a summary, whose count is how many waited.
pub const RESPONDER_WAIT_SECONDS: &str = "batline_responder_wait_seconds";
/// Acknowledgement deadlines missed.
pub const ACK_MISSED_TOTAL: &str = "batline_ack_missed_total";
/// Call-back deadlines missed.
pub const CALL_BACKS_MISSED_TOTAL: &str = "batline_call_backs_missed_total";
/// SLA clocks that reached their warning or their deadline, by target.
pub const SLA_TOTAL: &str = "batline_sla_total";
/// Outbox rows waiting to be published.
pub const OUTBOX_DEPTH: &str = "batline_outbox_depth";
/// Messages ready in each RabbitMQ queue of the namespace.
pub const QUEUE_MESSAGES: &str = "batline_queue_messages";
/// Dead letters waiting for a lead: recorded and not yet retried, plus any
/// still in the dead-letter queue that the recorder has not taken yet.
pub const DEAD_LETTERS: &str = "batline_dead_letters";
/// Messages a consumer rejected to the dead-letter queue, by queue.
pub const MESSAGES_DEAD_LETTERED_TOTAL: &str = "batline_messages_dead_lettered_total";
/// Requests to Twilio's REST API, by resource and outcome.
pub const TWILIO_REQUESTS_TOTAL: &str = "batline_twilio_requests_total";
/// Twilio webhooks refused, by reason.
pub const WEBHOOKS_REJECTED_TOTAL: &str = "batline_webhooks_rejected_total";

/// HTTP responses of the gateway and the console, by service and status.
pub const HTTP_REQUESTS_TOTAL: &str = "batline_http_requests_total";
/// Chat sockets open on this gateway.
pub const CHAT_SOCKETS: &str = "batline_chat_sockets";
/// Chat frames and connections refused, by the error code the socket was told.
pub const CHAT_REFUSED_TOTAL: &str = "batline_chat_refused_total";

/// Bucket bounds of [`TIME_TO_OWNER_SECONDS`]: filing usually takes a few
/// milliseconds; seconds mean the router is behind.
pub const TIME_TO_OWNER_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The dead-letter queue's label in [`QUEUE_MESSAGES`] (see `Names::queues`).
const DEAD_LETTER_QUEUE_LABEL: &str = "dead-letters";

/// How long a scrape waits for RabbitMQ's queue depths.
const QUEUE_DEPTH_TIMEOUT: Duration = Duration::from_secs(2);

/// The process's Prometheus handle, installing the recorder on first use.
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(install).clone()
}

fn install() -> PrometheusHandle {
    let builder = match PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(TIME_TO_OWNER_SECONDS.into()), &TIME_TO_OWNER_BUCKETS)
    {
        Ok(builder) => builder,
        Err(e) => {
            tracing::warn!(error = %e, "time-to-owner buckets refused; reporting it as a summary");
            PrometheusBuilder::new()
        }
    };
    let recorder = builder.build_recorder();
    let handle = recorder.handle();
    if let Err(e) = metrics::set_global_recorder(recorder) {
        tracing::warn!(error = %e, "another metrics recorder is installed; counts go there and /metrics stays empty");
        return handle;
    }
    describe();
    handle
}

/// Help texts, registered once with the recorder.
fn describe() {
    describe_counter!(INTAKE_TOTAL, "Contacts stored (counted once, not on retried webhooks), by channel.");
    describe_histogram!(
        TIME_TO_OWNER_SECONDS,
        Unit::Seconds,
        "Seconds from a contact's arrival to its filing into a case with a named owner, by channel."
    );
    describe_counter!(CASES_OPENED_TOTAL, "Cases opened by the router, by channel.");
    describe_counter!(ASSIGNMENTS_TOTAL, "Owners chosen by the assignment rules, by the rule that decided.");
    describe_counter!(
        FILING_GROUPS_TOTAL,
        "Groups of contacts the router filed in one transaction, by outcome (committed, or rolled_back and each filed alone)."
    );
    describe_counter!(GROUPED_FILINGS_TOTAL, "Contacts in the router's filing groups, by the group's outcome.");
    describe_histogram!(
        RESPONDER_WAIT_SECONDS,
        Unit::Seconds,
        "Seconds a filing waited for a responder another filing held, every one as suited being held or full."
    );
    describe_counter!(
        ACK_MISSED_TOTAL,
        "Acknowledgement deadlines that passed; the case moved to someone present, or stayed with its owner and the lead was alerted."
    );
    describe_counter!(CALL_BACKS_MISSED_TOTAL, "Call-back deadlines that passed; the case moved on.");
    describe_counter!(
        SLA_TOTAL,
        "SLA clocks that reached their warning or passed their deadline, by target and event."
    );
    describe_gauge!(OUTBOX_DEPTH, "Outbox rows waiting to be published to RabbitMQ.");
    describe_gauge!(QUEUE_MESSAGES, "Messages ready in each RabbitMQ queue; -1 while RabbitMQ cannot be asked.");
    describe_gauge!(
        DEAD_LETTERS,
        "Dead letters waiting for a lead (recorded and not retried, plus those still in the dead-letter queue)."
    );
    describe_counter!(
        MESSAGES_DEAD_LETTERED_TOTAL,
        "Messages a consumer of this process could not handle and rejected to the dead-letter queue, by queue."
    );
    describe_counter!(
        TWILIO_REQUESTS_TOTAL,
        "Twilio REST requests by resource and outcome (ok, retried, rejected, unavailable)."
    );
    describe_counter!(WEBHOOKS_REJECTED_TOTAL, "Twilio webhooks refused, by reason.");
    describe_counter!(HTTP_REQUESTS_TOTAL, "HTTP responses by service (gateway, console) and status code.");
    describe_gauge!(CHAT_SOCKETS, "Chat WebSockets open on this gateway.");
    describe_counter!(CHAT_REFUSED_TOTAL, "Chat frames and connections refused, by the error code sent on the socket.");
}

/// A chat socket opened (`+1.0`) or closed (`-1.0`).
pub fn chat_socket(delta: f64) {
    handle();
    gauge!(CHAT_SOCKETS).increment(delta);
}

/// A chat frame or connection was refused with error `code`.
pub fn chat_refused(code: &'static str) {
    handle();
    counter!(CHAT_REFUSED_TOTAL, "code" => code).increment(1);
}

/// A contact was stored for the first time.
pub fn intake_stored(channel: Channel) {
    handle();
    counter!(INTAKE_TOTAL, "channel" => channel.as_str()).increment(1);
}

/// A contact was filed `latency` after it arrived; `opened` when it opened
/// a new case rather than joining the resident's open one.
pub fn filed(channel: Channel, latency: Duration, opened: bool) {
    handle();
    histogram!(TIME_TO_OWNER_SECONDS, "channel" => channel.as_str()).record(latency.as_secs_f64());
    if opened {
        counter!(CASES_OPENED_TOTAL, "channel" => channel.as_str()).increment(1);
    }
}

/// The rules chose an owner; `rule` names the rule that decided.
pub fn assigned(rule: &'static str) {
    handle();
    counter!(ASSIGNMENTS_TOTAL, "rule" => rule).increment(1);
}

/// A filing waited `waited` for a responder's row another filing held
/// (and got it, or gave up at its lock timeout).
pub fn waited_for_responder(waited: std::time::Duration) {
    handle();
    histogram!(RESPONDER_WAIT_SECONDS).record(waited.as_secs_f64());
}

/// The router committed (or rolled back, to file each alone) a group of
/// `size` filings.
pub fn filing_group(size: usize, committed: bool) {
    handle();
    let outcome = if committed { "committed" } else { "rolled_back" };
    counter!(FILING_GROUPS_TOTAL, "outcome" => outcome).increment(1);
    counter!(GROUPED_FILINGS_TOTAL, "outcome" => outcome).increment(u64::try_from(size).unwrap_or(u64::MAX));
}

/// `n` acknowledgement deadlines passed.
pub fn acks_missed(n: u64) {
    handle();
    counter!(ACK_MISSED_TOTAL).increment(n);
}

/// `n` call-back deadlines passed.
pub fn call_backs_missed(n: u64) {
    handle();
    counter!(CALL_BACKS_MISSED_TOTAL).increment(n);
}

/// `n` SLA clocks for `target` reached `event` (`warning` or `breach`).
pub fn sla(target: SlaTarget, event: &'static str, n: u64) {
    handle();
    counter!(SLA_TOTAL, "target" => target.as_str(), "event" => event).increment(n);
}

/// A consumer rejected a message from `queue` (its label without the
/// namespace) to the dead-letter queue.
pub fn dead_lettered(queue: &str) {
    handle();
    counter!(MESSAGES_DEAD_LETTERED_TOTAL, "queue" => queue.to_owned()).increment(1);
}

/// One Twilio request ended (or will be retried) with `outcome`.
pub fn twilio_request(resource: &'static str, outcome: &'static str) {
    handle();
    counter!(TWILIO_REQUESTS_TOTAL, "resource" => resource, "outcome" => outcome).increment(1);
}

/// A webhook was refused for `reason`.
pub fn webhook_rejected(reason: &'static str) {
    handle();
    counter!(WEBHOOKS_REJECTED_TOTAL, "reason" => reason).increment(1);
}

/// `service` answered an HTTP request with `status`. Status codes are few,
/// so the label stays small.
pub fn http_response(service: &'static str, status: u16) {
    handle();
    counter!(HTTP_REQUESTS_TOTAL, "service" => service, "status" => status.to_string()).increment(1);
}

/// Refreshes the gauges that are read rather than counted (the outbox depth,
/// the queue depths and the dead letters waiting), then renders every metric
/// of the process. A part that cannot be read is logged at debug and left
/// out (the outbox, the recorded dead letters) or shown as -1 (the queues),
/// so a scrape still answers while PostgreSQL or RabbitMQ is down.
pub async fn scrape(pool: &PgPool, bus: &Bus) -> String {
    let handle = handle();
    match store::outbox::depth(pool).await {
        // An f64 holds every row count PostgreSQL can reach in practice.
        Ok(depth) => gauge!(OUTBOX_DEPTH).set(depth as f64),
        Err(e) => tracing::debug!(error = %e, "cannot read the outbox depth for /metrics"),
    }
    let depths = tokio::time::timeout(QUEUE_DEPTH_TIMEOUT, bus.queue_depths()).await;
    let mut unrecorded = 0;
    match depths {
        Ok(Ok(depths)) => {
            for (queue, ready) in depths {
                gauge!(QUEUE_MESSAGES, "queue" => queue).set(f64::from(ready));
                if queue == DEAD_LETTER_QUEUE_LABEL {
                    unrecorded = ready;
                }
            }
        }
        Ok(Err(e)) => queues_unknown(bus, &e),
        Err(_) => queues_unknown(bus, &"timed out"),
    }
    // With RabbitMQ away the recorded ones are still worth showing.
    match store::dead_letters::waiting_count(pool).await {
        Ok(recorded) => gauge!(DEAD_LETTERS).set(recorded as f64 + f64::from(unrecorded)),
        Err(e) => tracing::debug!(error = %e, "cannot count the dead letters for /metrics"),
    }
    handle.run_upkeep();
    handle.render()
}

fn queues_unknown(bus: &Bus, why: &dyn std::fmt::Display) {
    tracing::debug!(error = %why, "cannot read RabbitMQ queue depths for /metrics");
    for queue in bus.names().queue_labels() {
        gauge!(QUEUE_MESSAGES, "queue" => queue).set(-1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_ascend_and_cover_five_ms_to_ten_s() {
        assert!(TIME_TO_OWNER_BUCKETS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(TIME_TO_OWNER_BUCKETS.first(), Some(&0.005));
        assert_eq!(TIME_TO_OWNER_BUCKETS.last(), Some(&10.0));
    }

    #[test]
    fn counting_installs_once_and_renders_help_and_labels() {
        intake_stored(Channel::Sms);
        webhook_rejected("bad_signature");
        filed(Channel::Voice, Duration::from_millis(7), true);
        let again = handle();
        let text = again.render();
        assert!(text.contains("# HELP batline_intake_total"), "{text}");
        assert!(text.contains("batline_intake_total{channel=\"sms\"}"), "{text}");
        assert!(text.contains("batline_webhooks_rejected_total{reason=\"bad_signature\"}"), "{text}");
        assert!(text.contains("batline_time_to_owner_seconds_bucket{channel=\"voice\",le=\"0.01\"} 1"), "{text}");
        assert!(text.contains("batline_cases_opened_total{channel=\"voice\"} 1"), "{text}");
    }
}
