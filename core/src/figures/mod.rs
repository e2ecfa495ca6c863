//! Reporting: the figures behind the mayor's SLA dashboard and the public
//! `/open` page, how fast and how well the line answered, for the cases
//! opened in a period ([`Filter`]), optionally narrowed to one channel,
//! topic or area, grouped ([`Grouping`], [`ReportRow`]), with the breach
//! list ([`BreachList`]). Everything reporting is in this module; its two
//! queries are in the store ([`store::case_facts`], [`store::breaches`]).
//! What the public `/open` page withholds so that no small count can be
//! worked out from the others is decided here too ([`suppress`]).
//!
//! The figures are computed in memory from one compact row per case.
//! A year of a big city is a million cases, and every figure is an exact
//! median or 90th percentile over whichever cases a period and filter pick:
//! nothing to add up in advance, so each report reads every case it covers.
//! PostgreSQL needs seconds for that (it sorts each measure's million
//! values in a single process); held here as 72-byte rows, a report takes
//! tens of milliseconds (`batline-bench dashboard` measures both the load
//! and the reports).
//!
//! The copy never goes stale: each report first reads the cases changed
//! since the last one (every write to a case stamps it with its transaction,
//! migration 19, and [`store::case_facts::changed_since`] returns those
//! rows and a horizon that misses no late commit). It is loaded on the first
//! report, so a process that never reports holds nothing.
//!
//! Every figure is about cases *opened* in the period, so the grouped
//! figures, the weekly trend and the breach list always describe the same
//! cases and add up. Percentiles are PostgreSQL's `percentile_cont`: the
//! linear interpolation between the two nearest values (position
//! `p × (n − 1)` in the sorted values, counting from 0), so the median of
//! an even count is the mean of the middle two. Durations are exact
//! instants subtracted, so a case spanning a daylight-saving change lasts
//! what it really lasted; weeks and hours of day are Helsinki time. A
//! first-response or resolution clock counts as breached once its deadline
//! has passed unmet, or when it was met late, whether or not a router has
//! swept it yet.

mod percentile;
mod period;
mod rows;
mod suppression;

use std::{
    collections::HashMap,
    sync::{Arc, PoisonError, RwLock},
};

use chrono::{DateTime, Datelike, Timelike, Utc};
use sqlx::PgPool;
use uuid::Uuid;

pub use self::{
    percentile::percentile_cont,
    period::{Filter, MAX_DAYS, helsinki_midnight, iso_weeks},
    rows::{BreachList, Grouping, ReportRow},
    suppression::{MIN_CASES, Suppression, suppress},
};
use crate::{
    Error, Result,
    domain::{Channel, SlaTarget},
    roster::TZ,
    store::{self, case_facts::CaseFact},
};

/// Rows converted per write lock while loading, so reports already running
/// are held up for microseconds, not for the whole first load.
const BATCH: usize = 4096;

/// Cases opened per Helsinki weekday (Monday first) and hour of day.
pub type WeekdayHours = [[u32; 24]; 7];

/// The channels in the order their index is stored.
const CHANNELS: [Channel; 6] =
    [Channel::Sms, Channel::Voice, Channel::Chat, Channel::WalkIn, Channel::Open311, Channel::Email];

/// An instant or deadline that is not there.
const NONE: i64 = i64::MIN;

/// The figures of every case, kept current; share one per process.
#[derive(Debug)]
pub struct Figures {
    pool: PgPool,
    /// Held while refreshing, so one refresh runs at a time; the horizon to
    /// ask for changes from.
    horizon: tokio::sync::Mutex<i64>,
    cases: Arc<RwLock<Cases>>,
}

impl Figures {
    /// Figures read from `pool`; nothing is loaded until the first report.
    pub fn new(pool: PgPool) -> Self {
        Figures { pool, horizon: tokio::sync::Mutex::new(0), cases: Arc::default() }
    }

    /// The report for the cases `filter` covers, grouped by `by`; `now`
    /// dates the open cases' age and the deadlines passed.
    pub async fn report(&self, filter: &Filter, by: Grouping, now: DateTime<Utc>) -> Result<Vec<ReportRow>> {
        let names = match by {
            Grouping::Responder => store::case_facts::responder_names(&self.pool).await?.into_iter().collect(),
            _ => HashMap::new(),
        };
        self.refresh().await?;
        let cases = self.cases.clone();
        let filter = filter.clone();
        // A million rows take tens of milliseconds: off the async workers.
        tokio::task::spawn_blocking(move || {
            cases.read().unwrap_or_else(PoisonError::into_inner).report(&filter, by, now, &names)
        })
        .await
        .map_err(|e| Error::Task(format!("computing a report: {e}")))
    }

    /// The breached clocks (deadline passed unmet by `now`, or met late) of
    /// the cases `filter` covers: how many, and the `limit` with the latest
    /// deadlines (ties by case id, then target), with their details.
    pub async fn breaches(&self, filter: &Filter, limit: usize, now: DateTime<Utc>) -> Result<BreachList> {
        self.refresh().await?;
        let cases = self.cases.clone();
        let filter = filter.clone();
        let (total, latest) = tokio::task::spawn_blocking(move || {
            cases.read().unwrap_or_else(PoisonError::into_inner).breaches(&filter, limit, now)
        })
        .await
        .map_err(|e| Error::Task(format!("listing breaches: {e}")))?;
        let rows = store::breaches::breaches_of(&self.pool, &latest).await?;
        Ok(BreachList { total, rows })
    }

    /// How many of the cases `filter` covers opened on each Helsinki weekday
    /// (Monday first) in each hour of the day: where staff are needed.
    pub async fn weekday_hours(&self, filter: &Filter) -> Result<WeekdayHours> {
        self.refresh().await?;
        let cases = self.cases.clone();
        let filter = filter.clone();
        tokio::task::spawn_blocking(move || cases.read().unwrap_or_else(PoisonError::into_inner).weekday_hours(&filter))
            .await
            .map_err(|e| Error::Task(format!("counting contacts by weekday and hour: {e}")))
    }

    /// How many cases are held, and roughly how many bytes they take.
    pub fn held(&self) -> (usize, usize) {
        let cases = self.cases.read().unwrap_or_else(PoisonError::into_inner);
        (cases.facts.len(), cases.bytes())
    }

    /// Brings the copy up to date with every committed change.
    pub async fn refresh(&self) -> Result<()> {
        let mut horizon = self.horizon.lock().await;
        let mut batch = Vec::with_capacity(BATCH);
        let cases = &self.cases;
        let next = store::case_facts::changed_since(&self.pool, *horizon, |row| {
            batch.push(row);
            if batch.len() >= BATCH {
                cases.write().unwrap_or_else(PoisonError::into_inner).apply(&mut batch);
            }
        })
        .await?;
        cases.write().unwrap_or_else(PoisonError::into_inner).apply(&mut batch);
        *horizon = next;
        Ok(())
    }
}

/// One case, compactly: instants in microseconds since the epoch.
#[derive(Debug, Clone, Copy)]
struct Fact {
    opened: i64,
    owned: i64,
    first_response: i64,
    resolved: i64,
    first_response_due: i64,
    resolution_due: i64,
    /// Index into `Cases::owners`.
    owner: u32,
    /// Indexes into `Cases::texts`; 0 for none.
    topic: u32,
    area: u32,
    /// The Helsinki ISO week it opened in, as `year * 100 + week`.
    week: u32,
    acks_missed: u16,
    handoffs: u16,
    /// The Helsinki hour it opened in.
    hour: u8,
    /// The Helsinki weekday it opened on, Monday 0 to Sunday 6.
    weekday: u8,
    /// Index into [`CHANNELS`].
    channel: u8,
    /// 1–5, or 0 for no answer.
    satisfaction: u8,
    open: bool,
    reopened: bool,
}

/// Every case's [`Fact`], with the owners and texts they point to.
#[derive(Debug)]
struct Cases {
    facts: HashMap<Uuid, Fact>,
    owners: Vec<Uuid>,
    owner_index: HashMap<Uuid, u32>,
    /// Topics and areas; index 0 is "none".
    texts: Vec<String>,
    text_index: HashMap<String, u32>,
}

impl Default for Cases {
    fn default() -> Self {
        Cases {
            facts: HashMap::new(),
            owners: Vec::new(),
            owner_index: HashMap::new(),
            texts: vec![String::new()],
            text_index: HashMap::new(),
        }
    }
}

fn micros(t: Option<DateTime<Utc>>) -> i64 {
    t.map_or(NONE, |t| t.timestamp_micros())
}

fn seconds_between(from: i64, to: i64) -> f64 {
    // Both exact integers below 2^53; one correctly rounded division, as
    // PostgreSQL's `extract(epoch FROM …)::float8` gives.
    (to - from) as f64 / 1_000_000.0
}

impl Cases {
    fn apply(&mut self, batch: &mut Vec<CaseFact>) {
        for row in batch.drain(..) {
            // A merged case is one matter with the case it was merged into,
            // counted there; undone, it comes back with its own figures.
            if row.merged {
                self.facts.remove(&row.id);
                continue;
            }
            let fact = self.compact(&row);
            self.facts.insert(row.id, fact);
        }
    }

    fn compact(&mut self, row: &CaseFact) -> Fact {
        let local = row.opened_at.with_timezone(&TZ);
        let week = local.iso_week();
        Fact {
            opened: row.opened_at.timestamp_micros(),
            owned: row.owned_at.timestamp_micros(),
            first_response: micros(row.first_response_at),
            resolved: micros(row.resolved_at),
            first_response_due: micros(row.first_response_due_at),
            resolution_due: micros(row.resolution_due_at),
            owner: self.owner(row.owner_id),
            topic: self.text(row.topic.as_deref()),
            area: self.text(row.area.as_deref()),
            week: (week.year().max(0) as u32) * 100 + week.week(),
            acks_missed: u16::try_from(row.acks_missed).unwrap_or(u16::MAX),
            handoffs: u16::try_from(row.handoffs_accepted).unwrap_or(u16::MAX),
            hour: local.hour() as u8,
            weekday: local.weekday().num_days_from_monday() as u8,
            channel: CHANNELS.iter().position(|c| *c == row.channel).unwrap_or(0) as u8,
            satisfaction: row.satisfaction_score.and_then(|s| u8::try_from(s).ok()).unwrap_or(0),
            open: row.open,
            reopened: row.reopened,
        }
    }

    fn owner(&mut self, id: Uuid) -> u32 {
        if let Some(index) = self.owner_index.get(&id) {
            return *index;
        }
        let index = self.owners.len() as u32;
        self.owners.push(id);
        self.owner_index.insert(id, index);
        index
    }

    fn text(&mut self, text: Option<&str>) -> u32 {
        let Some(text) = text else { return 0 };
        if let Some(index) = self.text_index.get(text) {
            return *index;
        }
        let index = self.texts.len() as u32;
        self.texts.push(text.to_owned());
        self.text_index.insert(text.to_owned(), index);
        index
    }

    fn bytes(&self) -> usize {
        // A hash map slot holds the key and value, at most 7/8 full.
        let slot = size_of::<Uuid>() + size_of::<Fact>() + 1;
        self.facts.capacity() * slot + self.texts.iter().map(String::capacity).sum::<usize>()
    }

    /// Which facts `filter` covers, in their own terms; `None` when no case can
    /// match (a topic or area no case has).
    fn selection(&self, filter: &Filter) -> Option<Selection> {
        let wanted = |text: &Option<String>| match text {
            None => Some(None),
            Some(t) => self.text_index.get(t).map(|i| Some(*i)),
        };
        Some(Selection {
            from: filter.from.timestamp_micros(),
            to: filter.to.timestamp_micros(),
            channel: filter.channel.and_then(|c| CHANNELS.iter().position(|x| *x == c)).map(|i| i as u8),
            topic: wanted(&filter.topic)?,
            area: wanted(&filter.area)?,
        })
    }

    fn weekday_hours(&self, filter: &Filter) -> WeekdayHours {
        let mut counts = [[0_u32; 24]; 7];
        let Some(selection) = self.selection(filter) else { return counts };
        for fact in self.facts.values().filter(|f| selection.covers(f)) {
            if let Some(cell) =
                counts.get_mut(usize::from(fact.weekday)).and_then(|d| d.get_mut(usize::from(fact.hour)))
            {
                *cell += 1;
            }
        }
        counts
    }

    fn breaches(&self, filter: &Filter, limit: usize, now: DateTime<Utc>) -> (i64, Vec<(Uuid, SlaTarget)>) {
        let Some(selection) = self.selection(filter) else { return (0, Vec::new()) };
        let now = now.timestamp_micros();
        let mut found: Vec<(i64, Uuid, SlaTarget)> = Vec::new();
        for (id, fact) in &self.facts {
            if !selection.covers(fact) {
                continue;
            }
            if breached(fact.first_response, fact.first_response_due, now) {
                found.push((fact.first_response_due, *id, SlaTarget::FirstResponse));
            }
            if breached(fact.resolved, fact.resolution_due, now) {
                found.push((fact.resolution_due, *id, SlaTarget::Resolution));
            }
        }
        let total = found.len() as i64;
        // Latest deadline first; ties by case id (PostgreSQL's uuid order is
        // byte order, as here), then target.
        let order = |a: &(i64, Uuid, SlaTarget), b: &(i64, Uuid, SlaTarget)| {
            b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)).then_with(|| a.2.as_str().cmp(b.2.as_str()))
        };
        if limit == 0 {
            found.clear();
        } else if found.len() > limit {
            found.select_nth_unstable_by(limit - 1, order);
            found.truncate(limit);
        }
        found.sort_unstable_by(order);
        (total, found.into_iter().map(|(_, id, target)| (id, target)).collect())
    }

    fn report(
        &self,
        filter: &Filter,
        by: Grouping,
        now: DateTime<Utc>,
        names: &HashMap<Uuid, String>,
    ) -> Vec<ReportRow> {
        let Some(selection) = self.selection(filter) else { return Vec::new() };
        let now = now.timestamp_micros();
        // Responders group by display name, as two with one name look the same on a chart.
        let mut name_groups: Vec<String> = Vec::new();
        let owner_group: Vec<u32> = match by {
            Grouping::Responder => {
                let mut seen: HashMap<&str, u32> = HashMap::new();
                self.owners
                    .iter()
                    .map(|id| {
                        let name = names.get(id).map_or("(unknown)", String::as_str);
                        *seen.entry(name).or_insert_with(|| {
                            name_groups.push(name.to_owned());
                            (name_groups.len() - 1) as u32
                        })
                    })
                    .collect()
            }
            _ => Vec::new(),
        };

        let mut groups: HashMap<u32, Group> = HashMap::new();
        for fact in self.facts.values() {
            if !selection.covers(fact) {
                continue;
            }
            let key = match by {
                Grouping::Area => fact.area,
                Grouping::Topic => fact.topic,
                Grouping::Channel => u32::from(fact.channel),
                Grouping::Responder => owner_group.get(fact.owner as usize).copied().unwrap_or(0),
                Grouping::Hour => u32::from(fact.hour),
                Grouping::Week => fact.week,
                Grouping::All => 0,
            };
            groups.entry(key).or_default().add(fact, now);
        }

        let label = |key: u32| -> String {
            match by {
                Grouping::Area | Grouping::Topic if key == 0 => "(none)".to_owned(),
                Grouping::Area | Grouping::Topic => self.texts.get(key as usize).cloned().unwrap_or_default(),
                Grouping::Channel => CHANNELS.get(key as usize).map_or("sms", |c| c.as_str()).to_owned(),
                Grouping::Responder => name_groups.get(key as usize).cloned().unwrap_or_default(),
                Grouping::Hour => format!("{key:02}"),
                Grouping::Week => format!("{}-W{:02}", key / 100, key % 100),
                Grouping::All => "all".to_owned(),
            }
        };
        let mut rows: Vec<ReportRow> = groups.into_iter().map(|(key, group)| group.row(label(key))).collect();
        match by {
            Grouping::Hour | Grouping::Week => rows.sort_by(|a, b| a.group.cmp(&b.group)),
            _ => rows.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.group.cmp(&b.group))),
        }
        rows
    }
}

/// A [`Filter`] in a fact's terms.
#[derive(Debug, Clone, Copy)]
struct Selection {
    from: i64,
    to: i64,
    channel: Option<u8>,
    topic: Option<u32>,
    area: Option<u32>,
}

impl Selection {
    fn covers(&self, fact: &Fact) -> bool {
        fact.opened >= self.from
            && fact.opened < self.to
            && self.channel.is_none_or(|c| c == fact.channel)
            && self.topic.is_none_or(|t| t == fact.topic)
            && self.area.is_none_or(|a| a == fact.area)
    }
}

/// Whether a clock with deadline `due`, met at `met_at` (or not), counts as
/// breached at `now`: its deadline passed unmet, or it was met late.
fn breached(met_at: i64, due: i64, now: i64) -> bool {
    due != NONE && (if met_at == NONE { now } else { met_at }) > due
}

/// One group's running totals.
#[derive(Debug, Default)]
struct Group {
    cases: i64,
    to_owner: Vec<f64>,
    to_response: Vec<f64>,
    to_resolution: Vec<f64>,
    open_ages: Vec<f64>,
    first_response: Clock,
    resolution: Clock,
    acks_missed: i64,
    handoffs: i64,
    reopened: i64,
    satisfaction_sum: i64,
    satisfaction_answers: i64,
}

/// How a group's clocks of one target ended up.
#[derive(Debug, Default)]
struct Clock {
    met: i64,
    breached: i64,
}

impl Clock {
    /// Met in time, or breached: deadline passed unmet, or met late.
    fn add(&mut self, met_at: i64, due: i64, now: i64) {
        if due == NONE {
            return;
        }
        if met_at != NONE && met_at <= due {
            self.met += 1;
        } else if breached(met_at, due, now) {
            self.breached += 1;
        }
    }

    fn decided(&self) -> i64 {
        self.met + self.breached
    }

    fn within(&self) -> Option<f64> {
        (self.decided() > 0).then(|| self.met as f64 / self.decided() as f64)
    }
}

impl Group {
    fn add(&mut self, fact: &Fact, now: i64) {
        self.cases += 1;
        self.to_owner.push(seconds_between(fact.opened, fact.owned));
        if fact.first_response != NONE {
            self.to_response.push(seconds_between(fact.opened, fact.first_response));
        }
        if fact.resolved != NONE {
            self.to_resolution.push(seconds_between(fact.opened, fact.resolved));
        }
        if fact.open {
            self.open_ages.push(seconds_between(fact.opened, now));
        }
        self.first_response.add(fact.first_response, fact.first_response_due, now);
        self.resolution.add(fact.resolved, fact.resolution_due, now);
        self.acks_missed += i64::from(fact.acks_missed);
        self.handoffs += i64::from(fact.handoffs);
        self.reopened += i64::from(fact.reopened);
        if fact.satisfaction > 0 {
            self.satisfaction_sum += i64::from(fact.satisfaction);
            self.satisfaction_answers += 1;
        }
    }

    fn row(mut self, group: String) -> ReportRow {
        let both = |values: &mut Vec<f64>| (percentile_cont(values, 0.5), percentile_cont(values, 0.9));
        let (time_to_owner_p50, time_to_owner_p90) = both(&mut self.to_owner);
        let (first_response_p50, first_response_p90) = both(&mut self.to_response);
        let (resolution_p50, resolution_p90) = both(&mut self.to_resolution);
        ReportRow {
            group,
            cases: self.cases,
            time_to_owner_p50,
            time_to_owner_p90,
            responded: self.to_response.len() as i64,
            first_response_p50,
            first_response_p90,
            resolved: self.to_resolution.len() as i64,
            resolution_p50,
            resolution_p90,
            first_response_decided: self.first_response.decided(),
            first_response_breaches: self.first_response.breached,
            first_response_within_sla: self.first_response.within(),
            resolution_decided: self.resolution.decided(),
            resolution_breaches: self.resolution.breached,
            resolution_within_sla: self.resolution.within(),
            missed_acknowledgements: self.acks_missed,
            handoffs_per_case: self.handoffs as f64 / self.cases.max(1) as f64,
            reopened: self.reopened,
            open: self.open_ages.len() as i64,
            open_age_p50: percentile_cont(&mut self.open_ages, 0.5),
            satisfaction_avg: (self.satisfaction_answers > 0)
                .then(|| self.satisfaction_sum as f64 / self.satisfaction_answers as f64),
            satisfaction_answers: self.satisfaction_answers,
        }
    }
}
