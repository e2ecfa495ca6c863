//! How many of the router's filing groups were rolled back and refiled one
//! by one, read from its Prometheus endpoint before and after a phase. A
//! group that waits out its lock timeout for a responder another group
//! holds is rolled back, and its contacts are filed again alone some 40 ms
//! late: set beside the slowest contacts, the count says whether that is
//! where they came from. Two counters of one text format, read by hand.

use std::net::SocketAddr;

use batline_core::metrics::{FILING_GROUPS_TOTAL, GROUPED_FILINGS_TOTAL};

/// The router's rolled-back groups so far, and the filings in them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refiled {
    /// Groups rolled back.
    pub groups: u64,
    /// Filings in them, each filed again alone.
    pub filings: u64,
}

impl Refiled {
    /// What happened between `self` and `later`.
    pub fn until(&self, later: &Refiled) -> Refiled {
        Refiled {
            groups: later.groups.saturating_sub(self.groups),
            filings: later.filings.saturating_sub(self.filings),
        }
    }
}

/// The router's counts, from the first of `addrs` whose metrics carry them:
/// a router run apart serves them at its own address, `batline up` at the
/// gateway's operations address (one process, one set of metrics). `None`
/// when no address does.
pub async fn read(http: &reqwest::Client, addrs: &[SocketAddr]) -> Option<Refiled> {
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

/// The two counters in Prometheus's text format; `None` when the text has
/// no filing groups at all (not a router's). A counter not yet written (no
/// group rolled back so far) counts nothing.
fn parse(text: &str) -> Option<Refiled> {
    if !text.lines().any(|line| line.starts_with(&format!("{FILING_GROUPS_TOTAL}{{"))) {
        return None;
    }
    let value = |name: &str| {
        let series = format!("{name}{{outcome=\"rolled_back\"}}");
        text.lines()
            .filter_map(|line| line.strip_prefix(&series))
            .filter_map(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .next()
            .map_or(0, |v| v as u64)
    };
    Some(Refiled { groups: value(FILING_GROUPS_TOTAL), filings: value(GROUPED_FILINGS_TOTAL) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rolled_back_series_are_read_and_the_others_left() {
        let text = "# TYPE batline_filing_groups_total counter\n\
                    batline_filing_groups_total{outcome=\"committed\"} 5177\n\
                    batline_filing_groups_total{outcome=\"rolled_back\"} 14\n\
                    batline_grouped_filings_total{outcome=\"committed\"} 7260\n\
                    batline_grouped_filings_total{outcome=\"rolled_back\"} 20\n";
        assert_eq!(parse(text), Some(Refiled { groups: 14, filings: 20 }));
        // Nothing rolled back yet: the series is not written at all.
        assert_eq!(parse("batline_filing_groups_total{outcome=\"committed\"} 3\n"), Some(Refiled::default()));
        // A gateway's metrics alone hold no filing groups: not a router's.
        assert_eq!(parse("batline_intake_total{channel=\"sms\"} 3\n"), None);
        let before = Refiled { groups: 10, filings: 12 };
        assert_eq!(before.until(&Refiled { groups: 14, filings: 20 }), Refiled { groups: 4, filings: 8 });
    }
}
