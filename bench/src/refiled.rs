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

/// The counts of the router serving metrics at `addr`; `None` when it does
/// not answer (a router run apart, on another address).
pub async fn read(http: &reqwest::Client, addr: SocketAddr) -> Option<Refiled> {
    let response = http.get(format!("http://{addr}/metrics")).send().await.ok()?;
    let text = response.error_for_status().ok()?.text().await.ok()?;
    Some(parse(&text))
}

/// The two counters in Prometheus's text format; a counter not yet
/// written (no group rolled back so far) counts nothing.
fn parse(text: &str) -> Refiled {
    let value = |name: &str| {
        let series = format!("{name}{{outcome=\"rolled_back\"}}");
        text.lines()
            .filter_map(|line| line.strip_prefix(&series))
            .filter_map(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .next()
            .map_or(0, |v| v as u64)
    };
    Refiled { groups: value(FILING_GROUPS_TOTAL), filings: value(GROUPED_FILINGS_TOTAL) }
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
        assert_eq!(parse(text), Refiled { groups: 14, filings: 20 });
        // Nothing rolled back yet: the series is not written at all.
        assert_eq!(parse("batline_filing_groups_total{outcome=\"committed\"} 3\n"), Refiled::default());
        let before = Refiled { groups: 10, filings: 12 };
        assert_eq!(before.until(&Refiled { groups: 14, filings: 20 }), Refiled { groups: 4, filings: 8 });
    }
}
