//! Weekly opening hours of a walk-in point, in Europe/Helsinki local time.
//! Written by people as `mon-fri 08:00-16:00, sat 10:00-14:00`; stored as
//! JSON `{"mon": [["08:00","16:00"]], ...}`.

use std::collections::BTreeMap;

use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// Opening hours: for each day (`mon` … `sun`), the intervals it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, Vec<(String, String)>>", into = "BTreeMap<String, Vec<(String, String)>>")]
pub struct OpeningHours(BTreeMap<u8, Vec<(NaiveTime, NaiveTime)>>);

fn day_index(name: &str) -> Result<u8> {
    DAYS.iter()
        .position(|(d, _)| *d == name)
        .map(|i| i as u8)
        .ok_or_else(|| Error::Invalid(format!("{name:?} is not a day; use mon, tue, wed, thu, fri, sat or sun")))
}

fn time(s: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| Error::Invalid(format!("{s:?} is not a time like 08:00")))
}

impl OpeningHours {
    /// Parses `mon-fri 08:00-16:00, sat 10:00-14:00`.
    pub fn parse(text: &str) -> Result<Self> {
        let mut hours = OpeningHours::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (days, span) = part
                .split_once(' ')
                .ok_or_else(|| Error::Invalid(format!("{part:?} should look like mon-fri 08:00-16:00")))?;
            let (open, close) = span
                .trim()
                .split_once('-')
                .ok_or_else(|| Error::Invalid(format!("{span:?} should look like 08:00-16:00")))?;
            let (first, last) = match days.split_once('-') {
                Some((a, b)) => (day_index(a)?, day_index(b)?),
                None => (day_index(days)?, day_index(days)?),
            };
            if first > last {
                return Err(Error::Invalid(format!("{days:?} runs backwards; write mon-fri, not fri-mon")));
            }
            for day in first..=last {
                hours.add(day, time(open)?, time(close)?)?;
            }
        }
        Ok(hours)
    }

    fn add(&mut self, day: u8, open: NaiveTime, close: NaiveTime) -> Result<()> {
        if close <= open {
            return Err(Error::Invalid(format!("closing {close} must come after opening {open}")));
        }
        let spans = self.0.entry(day).or_default();
        spans.push((open, close));
        spans.sort();
        if spans.windows(2).any(|w| w[1].0 < w[0].1) {
            return Err(Error::Invalid(format!("the hours for {} overlap", DAYS[day as usize].0)));
        }
        Ok(())
    }

    /// The open spans of `weekday`, in order.
    pub fn spans(&self, weekday: Weekday) -> &[(NaiveTime, NaiveTime)] {
        self.0.get(&(weekday.num_days_from_monday() as u8)).map_or(&[], Vec::as_slice)
    }

    /// True when no day has any open span.
    pub fn is_never_open(&self) -> bool {
        self.0.values().all(Vec::is_empty)
    }

    /// True when open on `weekday` at local time `at`.
    pub fn is_open(&self, weekday: Weekday, at: NaiveTime) -> bool {
        let day = weekday.num_days_from_monday() as u8;
        self.0.get(&day).is_some_and(|spans| spans.iter().any(|(o, c)| *o <= at && at < *c))
    }
}

impl TryFrom<BTreeMap<String, Vec<(String, String)>>> for OpeningHours {
    type Error = Error;
    fn try_from(raw: BTreeMap<String, Vec<(String, String)>>) -> Result<Self> {
        let mut hours = OpeningHours::default();
        for (day, spans) in raw {
            let day = day_index(&day)?;
            for (open, close) in spans {
                hours.add(day, time(&open)?, time(&close)?)?;
            }
        }
        Ok(hours)
    }
}

impl From<OpeningHours> for BTreeMap<String, Vec<(String, String)>> {
    fn from(hours: OpeningHours) -> Self {
        hours
            .0
            .into_iter()
            .map(|(day, spans)| {
                let spans =
                    spans.into_iter().map(|(o, c)| (o.format("%H:%M").to_string(), c.format("%H:%M").to_string()));
                (DAYS[day as usize].0.to_owned(), spans.collect())
            })
            .collect()
    }
}

/// What a time of day looks like on the wire.
const TIME_PATTERN: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

// Written by hand: the derive would describe the private map of day
// numbers, not the JSON people send and read.
impl utoipa::PartialSchema for OpeningHours {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Type};
        let time = ObjectBuilder::new().schema_type(Type::String).pattern(Some(TIME_PATTERN)).examples(["08:00"]);
        let span = ArrayBuilder::new()
            .items(time)
            .min_items(Some(2))
            .max_items(Some(2))
            .description(Some("Opening and closing time, Helsinki local time; closing after opening"));
        let day = ArrayBuilder::new()
            .items(span)
            .description(Some("The day's open spans, in any order; they must not overlap"))
            .build();
        let mut hours = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Weekly opening hours in Europe/Helsinki local time: for each day (`mon` … `sun`) the spans it is \
                 open, `{\"mon\": [[\"08:00\", \"16:00\"]]}`; a day left out is closed",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for (name, _) in DAYS {
            hours = hours.property(name, day.clone());
        }
        hours.into()
    }
}

impl utoipa::ToSchema for OpeningHours {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_people_friendly_hours_and_round_trips_json() -> Result<()> {
        let hours = OpeningHours::parse("mon-fri 08:00-16:00, sat 10:00-14:00")?;
        let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap_or_default();
        assert!(hours.is_open(Weekday::Wed, t("08:00")));
        assert!(!hours.is_open(Weekday::Wed, t("16:00")));
        assert!(hours.is_open(Weekday::Sat, t("13:59")));
        assert!(!hours.is_open(Weekday::Sun, t("12:00")));
        let json = serde_json::to_value(&hours)?;
        assert_eq!(json["mon"], serde_json::json!([["08:00", "16:00"]]));
        assert_eq!(serde_json::from_value::<OpeningHours>(json)?, hours);
        Ok(())
    }

    #[test]
    fn refuses_nonsense() {
        for bad in [
            "mon 16:00-08:00",
            "fri-mon 08:00-16:00",
            "funday 08:00-16:00",
            "mon 8-16",
            "mon 08:00-12:00, mon 11:00-13:00",
        ] {
            assert!(OpeningHours::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_value::<OpeningHours>(serde_json::json!({ "mon": [["9", "17"]] })).is_err());
    }
}
