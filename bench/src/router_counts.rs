//! What the router counted during a phase, read from its Prometheus
//! endpoint before and after: filing groups rolled back (each of their
//! contacts filed again alone) and filings that waited for a responder
//! another filing held. Either delays a contact by up to the group's 40 ms
//! lock timeout; set beside the slowest contacts, the counts say whether
//! that is where they came from. A few series of one text format, read by
//! hand.

use std::net::SocketAddr;

use batline_core::metrics::{FILING_GROUPS_TOTAL, GROUPED_FILINGS_TOTAL, RESPONDER_WAIT_SECONDS};

/// The router's counts so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RouterCounts {
    /// Filing groups rolled back.
    pub groups_rolled_back: u64,
    /// Filings in them, each filed again alone.
    pub filings_refiled: u64,
    /// Filings that waited for a responder another filing held.
    pub responder_waits: u64,
    /// Seconds they waited, together.
    pub responder_wait_seconds: f64,
}

impl RouterCounts {
    /// What happened between `self` and `later`.
    pub fn until(&self, later: &RouterCounts) -> RouterCounts {
        RouterCounts {
            groups_rolled_back: later.groups_rolled_back.saturating_sub(self.groups_rolled_back),
            filings_refiled: later.filings_refiled.saturating_sub(self.filings_refiled),
            responder_waits: later.responder_waits.saturating_sub(self.responder_waits),
            responder_wait_seconds: (later.responder_wait_seconds - self.responder_wait_seconds).max(0.0),
        }
    }
}

/// The router's counts, from the first of `addrs` whose metrics carry them:
/// a router run apart serves them at its own address, `batline up` at the
/// gateway's operations address (one process, one set of metrics). `None`
/// when no address does.
pub async fn read(http: &reqwest::Client, addrs: &[SocketAddr]) -> Option<RouterCounts> {
    for addr in addrs {
        let Ok(response) = http.get(format!("http://{addr}/metrics")).send().await else { continue };
        let Ok(response) = response.error_for_status() else { continue };
        let Ok(text) = response.text().await else { continue };
        if let Some(counts) = parse(&text) {
            return Some(counts);
        }
    }
    None
}

/// The series in Prometheus's text format; `None` when the text has no
/// filing groups at all (not a router's). A series not yet written (nothing
/// rolled back or waited for so far) counts nothing.
fn parse(text: &str) -> Option<RouterCounts> {
    if !text.lines().any(|line| line.starts_with(&format!("{FILING_GROUPS_TOTAL}{{"))) {
        return None;
    }
    let value = |series: &str| {
        text.lines()
            .filter_map(|line| line.strip_prefix(series))
            .filter_map(|rest| rest.strip_prefix(' ')?.split_whitespace().next()?.parse::<f64>().ok())
            .next()
            .unwrap_or(0.0)
    };
    let rolled_back = |name: &str| value(&format!("{name}{{outcome=\"rolled_back\"}}")) as u64;
    Some(RouterCounts {
        groups_rolled_back: rolled_back(FILING_GROUPS_TOTAL),
        filings_refiled: rolled_back(GROUPED_FILINGS_TOTAL),
        responder_waits: value(&format!("{RESPONDER_WAIT_SECONDS}_count")) as u64,
        responder_wait_seconds: value(&format!("{RESPONDER_WAIT_SECONDS}_sum")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rolled_back_groups_and_the_waits_are_read_and_the_others_left() {
        let text = "# TYPE batline_filing_groups_total counter\n\
                    batline_filing_groups_total{outcome=\"committed\"} 5177\n\
                    batline_filing_groups_total{outcome=\"rolled_back\"} 14\n\
                    batline_grouped_filings_total{outcome=\"committed\"} 7260\n\
                    batline_grouped_filings_total{outcome=\"rolled_back\"} 20\n\
                    batline_responder_wait_seconds{quantile=\"0.5\"} 0.012\n\
                    batline_responder_wait_seconds_sum 1.5\n\
                    batline_responder_wait_seconds_count 74\n";
        let counts = RouterCounts {
            groups_rolled_back: 14,
            filings_refiled: 20,
            responder_waits: 74,
            responder_wait_seconds: 1.5,
        };
        assert_eq!(parse(text), Some(counts));
        // Nothing rolled back or waited for yet: those series are not written at all.
        let quiet = parse("batline_filing_groups_total{outcome=\"committed\"} 3\n");
        assert_eq!(quiet, Some(RouterCounts::default()));
        // A gateway's metrics alone hold no filing groups: not a router's.
        assert_eq!(parse("batline_intake_total{channel=\"sms\"} 3\n"), None);
        let later = RouterCounts {
            groups_rolled_back: 18,
            filings_refiled: 28,
            responder_waits: 80,
            responder_wait_seconds: 1.75,
        };
        let between = counts.until(&later);
        assert_eq!((between.groups_rolled_back, between.filings_refiled, between.responder_waits), (4, 8, 6));
        assert!((between.responder_wait_seconds - 0.25).abs() < 1e-9);
    }
}
