//! SLA clocks. When a case opens, the SLA policy current at that moment and
//! fitting it best (channel, topic, priority) starts two clocks: time to a
//! human's first response and time to resolution. A policy changed later
//! does not touch them: it applies to cases opened after the change. A
//! policy may give weekly hours; then its clocks run only while those hours
//! are open (Helsinki time, so a deadline lands on the right side of a
//! daylight-saving change); otherwise they run around the clock.
//!
//! Routers sweep the clocks (see the router's `deadlines`): a warning to the
//! owner when most of a target has passed, and a breach recorded on the
//! timeline and raised to the shift lead when all of it has.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    Result,
    domain::{Channel, Priority, SlaTarget},
    opening_hours::OpeningHours,
    roster::TZ,
    store::{
        self,
        sla::{ClockTimes, NewClocks},
    },
};

/// Days a deadline search walks before giving up on hours that are never
/// open long enough (a year of Mondays, more than any target needs).
const MAX_DAYS: i64 = 400;

/// The moment `work` of clock time has passed since `start`, counting only
/// open hours when there are any. `None` when the hours are never open.
pub fn deadline(start: DateTime<Utc>, work: Duration, hours: Option<&OpeningHours>) -> Option<DateTime<Utc>> {
    let Some(hours) = hours else {
        return start.checked_add_signed(work);
    };
    if hours.is_never_open() {
        return None;
    }
    let mut left = work;
    let first_day = start.with_timezone(&TZ).date_naive();
    for offset in 0..MAX_DAYS {
        let day = first_day + Duration::days(offset);
        for (open, close) in hours.spans(day.weekday()) {
            let (Some(from), Some(to)) = (local(day, *open), local(day, *close)) else { continue };
            let from = from.max(start);
            if to <= from {
                continue;
            }
            let span = to - from;
            if left <= span {
                return Some(from + left);
            }
            left -= span;
        }
    }
    None
}

/// A Helsinki wall-clock time as an instant. The hour skipped in spring
/// resolves to its end; the repeated hour in autumn to its first pass.
fn local(day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    match TZ.from_local_datetime(&day.and_time(time)) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => {
            TZ.from_local_datetime(&(day.and_time(time) + Duration::hours(1))).earliest().map(|t| t.with_timezone(&Utc))
        }
    }
}

/// A new case's topic, as its plan sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic<'a> {
    /// Not known.
    Unknown,
    /// Given by the channel (a desk's choice), checked when it was given.
    Given(&'a str),
    /// Heard in the resident's words by the classifier, which knows the
    /// catalogue's first codes: kept only while the catalogue offers it.
    Heard(&'a str),
}

/// A new case's plan: its topic, and its clocks by the policy that fits it
/// now.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// The topic the case gets: a heard one the catalogue no longer offers
    /// (an admin retired it) is dropped, since a retired topic is given to
    /// no new case.
    pub topic: Option<&'a str>,
    /// Its clocks, for [`store::cases::insert`] to start with the case;
    /// `None` when no policy fits (an admin removed every catch-all): the
    /// case runs without clocks.
    pub clocks: Option<NewClocks>,
}

/// Plans a new case: its topic checked and its clocks by the policy that
/// fits it now, in one round trip.
pub async fn plan<'a>(
    conn: &mut PgConnection,
    channel: Channel,
    topic: Topic<'a>,
    priority: Priority,
    opened_at: DateTime<Utc>,
) -> Result<Plan<'a>> {
    let (code, heard) = match topic {
        Topic::Unknown => (None, false),
        Topic::Given(code) => (Some(code), false),
        Topic::Heard(code) => (Some(code), true),
    };
    let Some(fitting) = store::sla::current_for(&mut *conn, channel, code, heard, priority).await? else {
        tracing::warn!(?channel, topic = code, "no SLA policy fits the new case; it runs without SLA clocks");
        // Rare enough to ask again for the topic alone.
        let kept = match topic {
            Topic::Heard(code) if !store::topics::is_offered(&mut *conn, code).await? => None,
            _ => code,
        };
        return Ok(Plan { topic: kept, clocks: None });
    };
    let policy = fitting.policy;
    let hours: Option<OpeningHours> = match &policy.hours {
        Some(json) => Some(
            serde_json::from_value::<std::collections::BTreeMap<String, Vec<(String, String)>>>(json.clone())?
                .try_into()?,
        ),
        None => None,
    };
    let times = |seconds: i32| {
        let whole = Duration::seconds(i64::from(seconds));
        let warn_part = whole * policy.warn_at_percent / 100;
        let times = deadline(opened_at, warn_part, hours.as_ref())
            .zip(deadline(opened_at, whole, hours.as_ref()))
            .map(|(warn_at, due_at)| ClockTimes { warn_at, due_at });
        if times.is_none() {
            tracing::warn!(policy_id = %policy.id, "the SLA policy's hours are never open; no clock started");
        }
        times
    };
    Ok(Plan {
        topic: code.filter(|_| fitting.topic_counts),
        clocks: Some(NewClocks {
            policy_id: policy.id,
            first_response: times(policy.first_response_seconds),
            resolution: times(policy.resolution_seconds),
        }),
    })
}

/// A human answered the resident: the case's first response, on the case
/// and its SLA clock.
pub async fn first_response(conn: &mut PgConnection, case_id: Uuid) -> Result<()> {
    store::cases::mark_first_response(conn, case_id).await?;
    store::sla::mark_met(conn, case_id, SlaTarget::FirstResponse).await
}

/// The case was resolved: its resolution clock stops.
pub async fn resolved(conn: &mut PgConnection, case_id: Uuid) -> Result<()> {
    store::sla::mark_met(conn, case_id, SlaTarget::Resolution).await
}

/// The case was reopened: its resolution clock runs again against the same
/// deadline, so the time to resolution counts to the final resolution.
pub async fn reopened(conn: &mut PgConnection, case_id: Uuid) -> Result<()> {
    store::sla::resume(conn, case_id, SlaTarget::Resolution).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap_or_default()
    }

    #[test]
    fn without_hours_the_clock_runs_around_the_clock() {
        let start = at(2026, 11, 20, 22, 0);
        assert_eq!(deadline(start, Duration::hours(5), None), Some(at(2026, 11, 21, 3, 0)));
    }

    #[test]
    fn with_hours_only_open_time_counts() -> Result<()> {
        let hours = OpeningHours::parse("mon-fri 08:00-16:00")?;
        // Friday 15:00 Helsinki (13:00 UTC in November) plus 2 h: one hour on
        // Friday, one on Monday from 08:00 → Monday 09:00 Helsinki = 07:00 UTC.
        let friday = at(2026, 11, 20, 13, 0);
        assert_eq!(deadline(friday, Duration::hours(2), Some(&hours)), Some(at(2026, 11, 23, 7, 0)));
        // Started on a Saturday night: the clock waits for Monday morning.
        let saturday = at(2026, 11, 21, 20, 0);
        assert_eq!(deadline(saturday, Duration::minutes(30), Some(&hours)), Some(at(2026, 11, 23, 6, 30)));
        Ok(())
    }

    #[test]
    fn hours_follow_helsinki_daylight_saving() -> Result<()> {
        let hours = OpeningHours::parse("mon-sun 08:00-16:00")?;
        // Sunday 29 March 2026 clocks go forward: 08:00 is 05:00 UTC that day
        // and after, 06:00 UTC the day before.
        let saturday_close = at(2026, 3, 28, 13, 30); // 15:30 EET
        assert_eq!(deadline(saturday_close, Duration::hours(1), Some(&hours)), Some(at(2026, 3, 29, 5, 30)));
        Ok(())
    }

    #[test]
    fn hours_never_open_give_no_deadline() {
        let never = OpeningHours::default();
        assert_eq!(deadline(at(2026, 1, 1, 0, 0), Duration::hours(1), Some(&never)), None);
    }
}
