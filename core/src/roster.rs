//! Duty rosters: shifts written in Europe/Helsinki local time, imported from
//! CSV, and the coverage check that finds every stretch with nobody on duty
//! for a language or an area.
//!
//! CSV, with a header row:
//!
//! ```text
//! date,start,end,area,lead,members
//! 2026-11-23,08:00,16:00,Kallio,linnea,aino;mikko
//! 2026-11-23,22:00,06:00,,james,
//! ```
//!
//! An empty area is a city-wide shift; an end at or before the start is on
//! the next day. Local times are converted with the time-zone database, so a
//! shift across a daylight-saving change lasts as long as it really does.
//! A start or end in the hour that does not exist (clocks going forward) is
//! refused with the row named; in the hour that happens twice (clocks going
//! back), starts take the first occurrence and ends the second, so coverage
//! errs on the long side.
//!
//! An import is checked whole before anything is stored, every problem
//! naming its row:
//! - Dates more than [`WINDOW_DAYS`] from today, either way, are refused:
//!   1900-01-01 or year 9999 is a typo, not a plan.
//! - A row repeating another (same area, start, end and lead) is refused,
//!   not merged: a repeated line is usually a copy-paste slip where another
//!   day was meant, and the lead should see it rather than have it guessed.
//! - Leads and members must have a role that owns cases (responder or lead,
//!   [`Role::may_own_cases`]): the backstop chain gives a shift's lead cases.
//!
//! A shift already over when it is imported is history: it is stored for
//! the record and coverage, but changes nobody's duty (see
//! `store::shifts::insert`). One running now puts its people on duty.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc, offset::LocalResult};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::{
    Result, account_names,
    domain::{Language, Role},
    store::{self, shifts::ShiftCover},
};

/// The roster's time zone.
pub const TZ: Tz = chrono_tz::Europe::Helsinki;

/// A shift read from a roster file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedShift {
    /// The row it came from (1 = the first after the header).
    pub row: usize,
    /// District, or `None` for city-wide.
    pub area: Option<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// The lead's username.
    pub lead: String,
    /// Members' usernames.
    pub members: Vec<String>,
}

/// The columns a roster CSV has, in its header line.
const COLUMNS: [&str; 6] = ["date", "start", "end", "area", "lead", "members"];

/// What is wrong with a roster, naming the row (1 = the first after the
/// header) so the lead can put it right. The JSON API answers these in
/// English (their `Display`); the admin page says them in the reader's
/// language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterProblem {
    /// The text does not read as CSV at all; the CSV reader says why.
    #[error("the roster is not CSV: {0}")]
    NotCsv(String),
    /// The header line lacks a column.
    #[error("the first line must name the columns date,start,end,area,lead,members; it has no {0} column")]
    MissingColumn(&'static str),
    /// A row does not fit the columns (too few or too many fields).
    #[error("row {row}: {detail} (columns: date,start,end,area,lead,members)")]
    BadRow {
        /// The row.
        row: usize,
        /// What the CSV reader found.
        detail: String,
    },
    /// A date not written like 2026-11-23.
    #[error("row {row}: date {value:?} is not like 2026-11-23")]
    BadDate {
        /// The row.
        row: usize,
        /// As written.
        value: String,
    },
    /// A time not written like 08:00.
    #[error("row {row}: {field} {value:?} is not like 08:00")]
    BadTime {
        /// The row.
        row: usize,
        /// `start` or `end`.
        field: &'static str,
        /// As written.
        value: String,
    },
    /// A time skipped when the clocks go forward.
    #[error("row {row}: {time} does not exist in Helsinki on {date} (the clocks go forward); use the hour after")]
    NoSuchTime {
        /// The row.
        row: usize,
        /// The day.
        date: NaiveDate,
        /// The missing time.
        time: NaiveTime,
    },
    /// A shift without a lead.
    #[error("row {row}: every shift needs a lead")]
    NoLead {
        /// The row.
        row: usize,
    },
    /// A shift starting more than [`WINDOW_DAYS`] from today.
    #[error("row {row}: the shift starts on {date}, more than {WINDOW_DAYS} days from today; check the date")]
    OutOfWindow {
        /// The row.
        row: usize,
        /// The day it starts, in Helsinki.
        date: NaiveDate,
    },
    /// The same shift twice.
    #[error("row {row}: repeats row {first} (same area, start, end and lead); remove one of them")]
    Repeats {
        /// The later row.
        row: usize,
        /// The row it repeats.
        first: usize,
    },
    /// An area that is none of the city's districts.
    #[error("row {row}: {area:?} is not one of the city's districts; leave the area empty for a city-wide shift")]
    NoSuchArea {
        /// The row.
        row: usize,
        /// As written.
        area: String,
    },
    /// A username nobody has.
    #[error("row {row}: there is no responder {username:?}")]
    NoSuchResponder {
        /// The row.
        row: usize,
        /// As written (folded).
        username: String,
    },
    /// A lead or member whose role owns no cases.
    #[error(
        "row {row}: {username:?} cannot be a shift's {}: {role} accounts do not own cases (only {} and {} accounts do)",
        if *.lead { "lead" } else { "member" }, Role::Responder, Role::Lead
    )]
    CannotOwnCases {
        /// The row.
        row: usize,
        /// Who.
        username: String,
        /// Named as the lead (else as a member).
        lead: bool,
        /// Their role.
        role: Role,
    },
}

#[derive(Debug, Deserialize)]
struct Row {
    date: String,
    start: String,
    end: String,
    area: String,
    lead: String,
    members: String,
}

#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

fn local_instant(row: usize, date: NaiveDate, time: NaiveTime, edge: Edge) -> Result<DateTime<Utc>> {
    match TZ.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, second) => Ok(match edge {
            Edge::Start => first,
            Edge::End => second,
        }
        .with_timezone(&Utc)),
        LocalResult::None => Err(RosterProblem::NoSuchTime { row, date, time }.into()),
    }
}

/// Reads a roster CSV. Every problem names its row.
pub fn parse_csv(text: &str) -> Result<Vec<PlannedShift>> {
    // The rule for every text Batline accepts: no control characters.
    let text = crate::plain_text::clean(text);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    // Without rows nothing else looks at the header, and a file that is not
    // a roster at all would import as "0 shifts".
    let headers = reader.headers().map_err(|e| RosterProblem::NotCsv(e.to_string()))?;
    if let Some(missing) = COLUMNS.iter().find(|c| !headers.iter().any(|h| h == **c)) {
        return Err(RosterProblem::MissingColumn(missing).into());
    }
    let mut shifts = Vec::new();
    for (i, record) in reader.deserialize::<Row>().enumerate() {
        let row = i + 1;
        let r = record.map_err(|e| RosterProblem::BadRow { row, detail: e.to_string() })?;
        let date = NaiveDate::parse_from_str(&r.date, "%Y-%m-%d")
            .map_err(|_| RosterProblem::BadDate { row, value: r.date.clone() })?;
        let time = |field: &'static str, value: &str| {
            NaiveTime::parse_from_str(value, "%H:%M").map_err(|_| RosterProblem::BadTime {
                row,
                field,
                value: value.to_owned(),
            })
        };
        let (start, end) = (time("start", &r.start)?, time("end", &r.end)?);
        let end_date = if end <= start { date.succ_opt().unwrap_or(date) } else { date };
        let starts_at = local_instant(row, date, start, Edge::Start)?;
        let ends_at = local_instant(row, end_date, end, Edge::End)?;
        if r.lead.is_empty() {
            return Err(RosterProblem::NoLead { row }.into());
        }
        shifts.push(PlannedShift {
            row,
            area: Some(r.area).filter(|a| !a.is_empty()),
            starts_at,
            ends_at,
            // Folded as usernames are kept, so `AINO` is aino, here and in the
            // repeated-row check below.
            lead: account_names::fold(&r.lead),
            members: r.members.split(';').map(account_names::fold).filter(|m| !m.is_empty()).collect(),
        });
    }
    Ok(shifts)
}

/// How far from today, either way, a roster's shifts may start.
pub const WINDOW_DAYS: i64 = 366;

/// Refuses shifts starting more than [`WINDOW_DAYS`] from `now` and rows
/// repeating an earlier one, naming the row.
pub fn check_plausible(shifts: &[PlannedShift], now: DateTime<Utc>) -> Result<()> {
    let window = chrono::Duration::days(WINDOW_DAYS);
    // What makes two rows the same shift, and the first row that had it.
    type SameShift<'a> = (Option<&'a str>, DateTime<Utc>, DateTime<Utc>, &'a str);
    let mut seen: BTreeMap<SameShift<'_>, usize> = BTreeMap::new();
    for shift in shifts {
        if shift.starts_at < now - window || shift.starts_at > now + window {
            let date = shift.starts_at.with_timezone(&TZ).date_naive();
            return Err(RosterProblem::OutOfWindow { row: shift.row, date }.into());
        }
        let key = (shift.area.as_deref(), shift.starts_at, shift.ends_at, shift.lead.as_str());
        if let Some(first) = seen.insert(key, shift.row) {
            return Err(RosterProblem::Repeats { row: shift.row, first }.into());
        }
    }
    Ok(())
}

/// Stores parsed shifts in one transaction, imported now: all or nothing.
/// See the module header for what is refused.
pub async fn import(pool: &PgPool, shifts: &[PlannedShift]) -> Result<usize> {
    import_at(pool, shifts, Utc::now()).await
}

/// [`import`] as of `now`: what is past, and so history, is judged by it.
pub async fn import_at(pool: &PgPool, shifts: &[PlannedShift], now: DateTime<Utc>) -> Result<usize> {
    check_plausible(shifts, now)?;
    let mut tx = pool.begin().await?;
    for shift in shifts {
        // An area is held to the city's districts, as responders' areas are,
        // so a shift for "kallio" or "Berghäll" covers Kallio's cases.
        let area = match &shift.area {
            None => None,
            Some(area) => Some(
                crate::districts::code_of(&mut tx, area)
                    .await?
                    .ok_or_else(|| RosterProblem::NoSuchArea { row: shift.row, area: area.clone() })?,
            ),
        };
        let mut ids = Vec::with_capacity(shift.members.len() + 1);
        for (i, username) in std::iter::once(&shift.lead).chain(&shift.members).enumerate() {
            let responder = store::responders::by_username(&mut *tx, username)
                .await?
                .ok_or_else(|| RosterProblem::NoSuchResponder { row: shift.row, username: username.clone() })?;
            if !responder.role.may_own_cases() {
                let (row, username, role) = (shift.row, username.clone(), responder.role);
                return Err(RosterProblem::CannotOwnCases { row, username, lead: i == 0, role }.into());
            }
            ids.push(responder.id);
        }
        store::shifts::insert(&mut tx, area.as_deref(), shift.starts_at, shift.ends_at, ids[0], &ids[1..], now).await?;
    }
    tx.commit().await?;
    Ok(shifts.len())
}

/// A stretch with nobody on duty for a language or an area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    /// `language` or `area`.
    pub kind: &'static str,
    /// Which language or district.
    pub value: String,
    /// From.
    pub from: DateTime<Utc>,
    /// To.
    pub to: DateTime<Utc>,
}

/// Every gap in `[from, to)`. A language is covered while someone on a
/// running shift speaks it; an area while a shift for it, or a city-wide
/// shift, runs.
pub fn coverage_gaps(shifts: &[ShiftCover], areas: &[String], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Gap> {
    let mut edges: BTreeSet<DateTime<Utc>> = [from, to].into();
    for s in shifts {
        for t in [s.starts_at, s.ends_at] {
            if t > from && t < to {
                edges.insert(t);
            }
        }
    }
    let edges: Vec<_> = edges.into_iter().collect();
    let mut open: BTreeMap<(&'static str, String), DateTime<Utc>> = BTreeMap::new();
    let mut gaps = Vec::new();
    for window in edges.windows(2) {
        let (a, b) = (window[0], window[1]);
        let running: Vec<&ShiftCover> = shifts.iter().filter(|s| s.starts_at <= a && s.ends_at >= b).collect();
        let city_wide = running.iter().any(|s| s.area.is_none());
        let mut missing: BTreeSet<(&'static str, String)> = BTreeSet::new();
        for lang in [Language::Fi, Language::Sv, Language::En] {
            if !running.iter().any(|s| s.languages.iter().any(|l| l == lang.as_str())) {
                missing.insert(("language", lang.as_str().to_owned()));
            }
        }
        for area in areas {
            if !city_wide && !running.iter().any(|s| s.area.as_deref() == Some(area.as_str())) {
                missing.insert(("area", area.clone()));
            }
        }
        let closed: Vec<_> = open.keys().filter(|k| !missing.contains(*k)).cloned().collect();
        for key in closed {
            if let Some(start) = open.remove(&key) {
                gaps.push(Gap { kind: key.0, value: key.1, from: start, to: a });
            }
        }
        for key in missing {
            open.entry(key).or_insert(a);
        }
    }
    for (key, start) in open {
        gaps.push(Gap { kind: key.0, value: key.1, from: start, to });
    }
    gaps.sort_by(|x, y| (x.from, x.kind, &x.value).cmp(&(y.from, y.kind, &y.value)));
    gaps
}

/// The coverage check for the `days` from `now`.
pub async fn check(pool: &PgPool, now: DateTime<Utc>, days: u32) -> Result<Vec<Gap>> {
    let to = now + chrono::Duration::days(i64::from(days));
    let shifts = store::shifts::covering(pool, now, to).await?;
    let areas = store::shifts::known_areas(pool).await?;
    Ok(coverage_gaps(&shifts, &areas, now, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn local_times_become_instants_across_daylight_saving() -> Result<()> {
        let csv = "date,start,end,area,lead,members\n\
                   2026-10-24,22:00,06:00,,linnea,aino;mikko\n\
                   2026-10-25,22:00,06:00,Kallio,linnea,\n\
                   2027-03-27,22:00,06:00,,linnea,\n";
        let shifts = parse_csv(csv)?;
        // Summer time (UTC+3) to winter time (UTC+2): the night is nine hours long.
        assert_eq!(shifts[0].starts_at, utc("2026-10-24T19:00:00Z"));
        assert_eq!(shifts[0].ends_at, utc("2026-10-25T04:00:00Z"));
        assert_eq!(shifts[0].members, ["aino", "mikko"]);
        assert_eq!(shifts[0].area, None);
        // A plain winter night: eight hours.
        assert_eq!(shifts[1].ends_at - shifts[1].starts_at, chrono::Duration::hours(8));
        assert_eq!(shifts[1].area.as_deref(), Some("Kallio"));
        // Winter to summer time: seven hours.
        assert_eq!(shifts[2].ends_at - shifts[2].starts_at, chrono::Duration::hours(7));
        Ok(())
    }

    #[test]
    fn nonexistent_and_repeated_hours() -> Result<()> {
        let gap = parse_csv("date,start,end,area,lead,members\n2027-03-28,03:30,08:00,,linnea,\n");
        assert!(gap.is_err_and(|e| e.to_string().contains("row 1") && e.to_string().contains("does not exist")));
        // 03:30 happens twice on 2026-10-25: a shift starting then starts at the first.
        let twice = parse_csv("date,start,end,area,lead,members\n2026-10-25,03:30,08:00,,linnea,\n")?;
        assert_eq!(twice[0].starts_at, utc("2026-10-25T00:30:00Z"));
        Ok(())
    }

    #[test]
    fn bad_rows_are_named() {
        let e = parse_csv("date,start,end,area,lead,members\n2026-11-23,8am,16:00,,linnea,\n").err();
        assert!(e.is_some_and(|e| e.to_string().contains("row 1") && e.to_string().contains("start")));
        let e = parse_csv("date,start,end,area,lead,members\n2026-11-23,08:00,16:00,,,\n").err();
        assert!(e.is_some_and(|e| e.to_string().contains("lead")));
        let e = parse_csv("date,start\n2026-11-23,08:00\n").err();
        assert!(e.is_some_and(|e| e.to_string().contains("columns")));
        // Not a roster at all, even without rows.
        let e = parse_csv("{}").err();
        assert!(e.is_some_and(|e| e.to_string().contains("no date column")));
    }

    fn shift(area: Option<&str>, from: &str, to: &str, langs: &[&str]) -> ShiftCover {
        ShiftCover {
            id: uuid::Uuid::new_v4(),
            area: area.map(str::to_owned),
            starts_at: utc(from),
            ends_at: utc(to),
            languages: langs.iter().map(|l| (*l).to_owned()).collect(),
        }
    }

    #[test]
    fn coverage_finds_every_stretch_with_nobody_for_a_language_or_area() {
        let shifts = [
            shift(None, "2026-11-23T06:00:00Z", "2026-11-23T14:00:00Z", &["fi", "sv", "en"]),
            shift(Some("Kallio"), "2026-11-23T14:00:00Z", "2026-11-23T22:00:00Z", &["fi"]),
        ];
        let areas = vec!["Kallio".to_owned(), "Vuosaari".to_owned()];
        let gaps = coverage_gaps(&shifts, &areas, utc("2026-11-23T00:00:00Z"), utc("2026-11-24T00:00:00Z"));
        let g = |kind, value: &str, from, to| Gap { kind, value: value.to_owned(), from: utc(from), to: utc(to) };
        assert_eq!(
            gaps,
            vec![
                g("area", "Kallio", "2026-11-23T00:00:00Z", "2026-11-23T06:00:00Z"),
                g("area", "Vuosaari", "2026-11-23T00:00:00Z", "2026-11-23T06:00:00Z"),
                g("language", "en", "2026-11-23T00:00:00Z", "2026-11-23T06:00:00Z"),
                g("language", "fi", "2026-11-23T00:00:00Z", "2026-11-23T06:00:00Z"),
                g("language", "sv", "2026-11-23T00:00:00Z", "2026-11-23T06:00:00Z"),
                g("area", "Vuosaari", "2026-11-23T14:00:00Z", "2026-11-24T00:00:00Z"),
                g("language", "en", "2026-11-23T14:00:00Z", "2026-11-24T00:00:00Z"),
                g("language", "sv", "2026-11-23T14:00:00Z", "2026-11-24T00:00:00Z"),
                g("area", "Kallio", "2026-11-23T22:00:00Z", "2026-11-24T00:00:00Z"),
                g("language", "fi", "2026-11-23T22:00:00Z", "2026-11-24T00:00:00Z"),
            ]
        );
    }
}
