//! The period and filters a report covers: cases *opened* in `[from, to)`,
//! in Helsinki days, and the ISO weeks a trend shows.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::{Error, Result, domain::Channel, roster::TZ};

/// Longest period a report covers, in days.
pub const MAX_DAYS: i64 = 366;

/// Which cases a report covers: those opened in `[from, to)`, and of those
/// only the ones matching every filter given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// First instant of the period.
    pub from: DateTime<Utc>,
    /// First instant after the period.
    pub to: DateTime<Utc>,
    /// Only cases whose first contact came by this channel.
    pub channel: Option<Channel>,
    /// Only cases with this topic.
    pub topic: Option<String>,
    /// Only cases in this area (district).
    pub area: Option<String>,
}

impl Filter {
    /// Every case opened in `[from, to)`.
    pub fn period(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Filter { from, to, channel: None, topic: None, area: None }
    }

    /// Every case opened on the Helsinki days `from` to `to`, both included:
    /// from the midnight starting `from` to the one ending `to`, so a day
    /// with a daylight-saving change lasts its 23 or 25 hours. At most
    /// [`MAX_DAYS`] days.
    pub fn helsinki_days(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        if from > to {
            return Err(Error::Invalid(format!("from ({from}) is after to ({to})")));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(Error::Invalid(format!("a report covers at most {MAX_DAYS} days")));
        }
        Ok(Filter::period(helsinki_midnight(from)?, helsinki_midnight(to + Duration::days(1))?))
    }
}

/// The instant the Helsinki day `day` starts.
pub fn helsinki_midnight(day: NaiveDate) -> Result<DateTime<Utc>> {
    let local = day.and_hms_opt(0, 0, 0).ok_or_else(|| Error::Invalid(format!("{day} has no midnight")))?;
    // Helsinki never skips midnight, but `earliest` keeps this total.
    TZ.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Error::Invalid(format!("{day} is out of range")))
}

/// The ISO weeks (`2026-W43`) the days `from` to `to` fall in, in order:
/// the labels [`super::Grouping::Week`] groups by, so a trend can show the weeks
/// without cases too.
pub fn iso_weeks(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut weeks: Vec<String> = Vec::new();
    let mut day = from;
    while day <= to {
        let week = day.iso_week();
        let label = format!("{}-W{:02}", week.year(), week.week());
        if weeks.last() != Some(&label) {
            weeks.push(label);
        }
        day += Duration::days(1);
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn helsinki_days_last_as_long_as_they_really_do() -> Result<()> {
        // 2026-10-25: clocks go back from 04:00 EEST to 03:00 EET.
        let f = Filter::helsinki_days(day("2026-10-25"), day("2026-10-25"))?;
        assert_eq!(f.from.to_rfc3339(), "2026-10-24T21:00:00+00:00");
        assert_eq!((f.to - f.from).num_hours(), 25);
        let f = Filter::helsinki_days(day("2026-03-29"), day("2026-03-29"))?;
        assert_eq!((f.to - f.from).num_hours(), 23);
        assert!(Filter::helsinki_days(day("2026-10-26"), day("2026-10-25")).is_err());
        // At most 366 days, both ends counted.
        assert!(Filter::helsinki_days(day("2025-01-01"), day("2026-01-01")).is_ok());
        assert!(Filter::helsinki_days(day("2025-01-01"), day("2026-01-02")).is_err());
        Ok(())
    }

    #[test]
    fn iso_weeks_cross_the_year() {
        assert_eq!(iso_weeks(day("2026-12-27"), day("2027-01-05")), ["2026-W52", "2026-W53", "2027-W01"]);
        assert_eq!(iso_weeks(day("2026-10-19"), day("2026-10-19")), ["2026-W43"]);
    }
}
