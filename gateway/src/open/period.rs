//! The period a `/open` address asks for: `from` and `to` as typed, read
//! and checked once, and, when they cannot be used, why ([`BadPeriod`]).
//! The data endpoints answer a bad period with the API's JSON error (the
//! texts they always had, see [`BadPeriod::detail`]); the pages tell a
//! person what to fix in their language, from the same [`BadPeriod`].

use batline_core::figures::{Filter, MAX_DAYS};
use chrono::{Datelike, Duration as Days, NaiveDate};

use crate::error::ApiError;

/// Which end of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// `from`, the first day.
    From,
    /// `to`, the last day.
    To,
}

impl End {
    /// The query parameter's name.
    pub fn name(self) -> &'static str {
        match self {
            End::From => "from",
            End::To => "to",
        }
    }
}

/// Why a period cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadPeriod {
    /// `end` is not a date; `typed` is what was given.
    NotADate {
        /// The end at fault.
        end: End,
        /// What was given for it.
        typed: String,
    },
    /// The first day is after the last.
    Backwards {
        /// The first day given.
        from: NaiveDate,
        /// The last day given.
        to: NaiveDate,
    },
    /// More than [`MAX_DAYS`] days, both ends counted.
    TooLong {
        /// The number of days asked for.
        days: i64,
    },
    /// Real dates in order, yet no Helsinki day can be made of them (a year
    /// far outside the calendar Batline counts in); the reason as
    /// `batline-core` gives it.
    Unusable(String),
}

impl BadPeriod {
    /// The API's `detail` for this problem, as the data endpoints have
    /// always answered it.
    pub fn detail(&self) -> String {
        match self {
            BadPeriod::NotADate { end, .. } => format!("{} must be a date like 2026-10-19", end.name()),
            BadPeriod::Backwards { from, to } => format!("from ({from}) is after to ({to})"),
            BadPeriod::TooLong { .. } => format!("a report covers at most {MAX_DAYS} days"),
            BadPeriod::Unusable(reason) => reason.clone(),
        }
    }
}

impl From<BadPeriod> for ApiError {
    fn from(bad: BadPeriod) -> Self {
        ApiError::Core(batline_core::Error::Invalid(bad.detail()))
    }
}

/// The last four full ISO weeks before the one `today` is in.
pub fn last_four_weeks(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = today - Days::days(i64::from(today.weekday().num_days_from_monday()));
    (monday - Days::days(28), monday - Days::days(1))
}

/// The period `from`–`to` as given (an empty field counts as not given),
/// checked: real dates, in order, at most [`MAX_DAYS`] days. Without
/// either, the last four full weeks before `today`'s; with `to` alone, the
/// 28 days ending on it.
pub fn read(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), BadPeriod> {
    let parse = |end: End, raw: Option<&str>| -> Result<Option<NaiveDate>, BadPeriod> {
        match raw.filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|_| BadPeriod::NotADate { end, typed: s.to_owned() }),
        }
    };
    let (default_from, default_to) = last_four_weeks(today);
    let to_given = parse(End::To, to)?;
    let from_given = parse(End::From, from)?;
    let to = to_given.unwrap_or(default_to);
    let from = from_given.unwrap_or(if to_given.is_some() { to - Days::days(27) } else { default_from });
    if from > to {
        return Err(BadPeriod::Backwards { from, to });
    }
    let days = (to - from).num_days() + 1;
    if days > MAX_DAYS {
        return Err(BadPeriod::TooLong { days });
    }
    // The same check the dashboard's periods pass, which also makes sure
    // each end is a Helsinki day.
    Filter::helsinki_days(from, to).map_err(|e| BadPeriod::Unusable(e.to_string()))?;
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_default_period_is_the_last_four_full_weeks() {
        assert_eq!(last_four_weeks(day("2026-11-22")), (day("2026-10-19"), day("2026-11-15")));
        assert_eq!(last_four_weeks(day("2026-11-23")), (day("2026-10-26"), day("2026-11-22")));
        let today = day("2026-11-23");
        assert_eq!(read(None, Some(""), today), Ok((day("2026-10-26"), day("2026-11-22"))));
        assert_eq!(read(None, Some("2026-10-28"), today), Ok((day("2026-10-01"), day("2026-10-28"))));
    }

    #[test]
    fn each_problem_is_told_apart() {
        let today = day("2026-11-23");
        assert_eq!(
            read(Some("yesterday"), None, today),
            Err(BadPeriod::NotADate { end: End::From, typed: "yesterday".into() })
        );
        assert_eq!(
            read(Some("2026-10-01"), Some("2026-02-30"), today),
            Err(BadPeriod::NotADate { end: End::To, typed: "2026-02-30".into() })
        );
        assert_eq!(
            read(Some("2026-10-26"), Some("2026-10-25"), today),
            Err(BadPeriod::Backwards { from: day("2026-10-26"), to: day("2026-10-25") })
        );
        assert_eq!(read(Some("2025-01-01"), Some("2026-01-02"), today), Err(BadPeriod::TooLong { days: 367 }));
        assert!(read(Some("2025-01-01"), Some("2026-01-01"), today).is_ok(), "366 days, both ends counted");
    }

    #[test]
    fn the_api_keeps_its_texts() {
        let not_a_date = BadPeriod::NotADate { end: End::From, typed: "x".into() };
        assert_eq!(not_a_date.detail(), "from must be a date like 2026-10-19");
        let backwards = BadPeriod::Backwards { from: day("2026-10-26"), to: day("2026-10-25") };
        assert_eq!(backwards.detail(), "from (2026-10-26) is after to (2026-10-25)");
        assert_eq!(BadPeriod::TooLong { days: 400 }.detail(), "a report covers at most 366 days");
    }
}
