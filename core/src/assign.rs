//! Choosing a case's owner, and saying why.
//!
//! Eligible means on duty, under capacity and speaking the case's language.
//! Among the eligible, prefer someone on site at the walk-in point the
//! resident came to (for a walk-in ticket), then the case's area and topic,
//! then the resident's previous responder, then the least load, then whoever has waited longest
//! since their last case. With nobody eligible the search widens step by
//! step: a speaker of the language over capacity, then anyone on duty, and
//! finally the designated backstop. The decision, the rule that made it and
//! the candidates considered go on the case timeline, so a lead can always
//! ask why this person got this case.
//!
//! Moving a case on when its owner misses a deadline or goes off duty is in
//! [`move_on`]: the same rules, excluding the owner.

pub mod move_on;

use std::cmp::Ordering;

use crate::{
    Error, Result,
    store::{
        self,
        responders::{Candidate, Needs},
    },
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// Which rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "rule", content = "decided_by")]
pub enum Rule {
    /// An eligible responder, chosen by the preference named.
    Eligible(Preference),
    /// Nobody eligible had room: the least-loaded speaker of the language.
    OverCapacity,
    /// Nobody on duty speaks the language: the least-loaded one on duty.
    OtherLanguage,
    /// Nobody is on duty: the lead of a shift running for the case's area.
    ShiftLead,
    /// Nor that: the lead of the city-wide shift running now.
    CityLead,
    /// Nobody is on duty and no shift lead is reachable: the designated
    /// backstop (the participation mayor).
    Backstop,
}

impl Rule {
    /// The rule's name as a metric label: `eligible`, `over_capacity`,
    /// `other_language`, `shift_lead`, `city_lead` or `backstop`.
    pub fn label(self) -> &'static str {
        match self {
            Rule::Eligible(_) => "eligible",
            Rule::OverCapacity => "over_capacity",
            Rule::OtherLanguage => "other_language",
            Rule::ShiftLead => "shift_lead",
            Rule::CityLead => "city_lead",
            Rule::Backstop => "backstop",
        }
    }
}

/// Which preference separated the winner from the runner-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Preference {
    /// The only eligible responder.
    OnlyCandidate,
    /// At their console now, for a live channel (chat, phone) where the
    /// resident is waiting there and then.
    Present,
    /// On duty at the walk-in point where the resident is standing: someone
    /// who can come to the desk beats any district knowledge.
    AtWalkInPoint,
    /// Knows the case's area and topic better than the others.
    AreaAndTopic,
    /// Owned the resident's previous case.
    PreviousResponder,
    /// Fewest open cases.
    LeastLoad,
    /// Longest since their last case.
    LongestIdle,
    /// Nothing told them apart; the lowest id decided.
    Tie,
    /// As well suited as those ranked ahead, who were each being given
    /// another case by a concurrent filing at that instant.
    NotMidAssignment,
}

/// An owner and why.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The new owner.
    pub owner_id: Uuid,
    /// Their display name.
    pub owner_name: String,
    /// The rule that decided.
    pub rule: Rule,
    /// Who else was considered (all on duty, at most [`MAX_LISTED`]).
    pub candidates: Vec<Candidate>,
}

/// Candidates listed in a stored reason.
pub const MAX_LISTED: usize = 20;

/// Times the rules run when the chosen responder filled up before their row
/// was locked.
const MAX_ATTEMPTS: usize = 50;

impl Decision {
    /// The reason as stored on the timeline.
    pub fn reason(&self) -> serde_json::Value {
        let mut reason = serde_json::json!({
            "owner_id": self.owner_id,
            "owner_name": self.owner_name,
            "candidates": self.candidates,
        });
        if let (Some(map), Ok(serde_json::Value::Object(rule))) =
            (reason.as_object_mut(), serde_json::to_value(self.rule))
        {
            map.extend(rule);
        }
        reason
    }
}

fn area_topic_score(c: &Candidate) -> u8 {
    u8::from(c.in_area) + u8::from(c.knows_topic)
}

/// Whether presence counts as a preference: only for a live channel.
fn presence_score(c: &Candidate, prefer_present: bool) -> bool {
    prefer_present && c.present
}

/// Most preferred first.
fn preference_order(a: &Candidate, b: &Candidate, prefer_present: bool) -> Ordering {
    presence_score(b, prefer_present)
        .cmp(&presence_score(a, prefer_present))
        .then(b.at_point.cmp(&a.at_point))
        .then(area_topic_score(b).cmp(&area_topic_score(a)))
        .then(b.previous.cmp(&a.previous))
        .then(a.load.cmp(&b.load))
        // None (never assigned) is the longest idle of all.
        .then(a.last_assigned_at.cmp(&b.last_assigned_at))
        .then(a.id.cmp(&b.id))
}

fn deciding_preference(winner: &Candidate, runner_up: Option<&Candidate>, prefer_present: bool) -> Preference {
    let Some(next) = runner_up else {
        return Preference::OnlyCandidate;
    };
    if presence_score(winner, prefer_present) != presence_score(next, prefer_present) {
        Preference::Present
    } else if winner.at_point != next.at_point {
        Preference::AtWalkInPoint
    } else if area_topic_score(winner) != area_topic_score(next) {
        Preference::AreaAndTopic
    } else if winner.previous != next.previous {
        Preference::PreviousResponder
    } else if winner.load != next.load {
        Preference::LeastLoad
    } else if winner.last_assigned_at != next.last_assigned_at {
        Preference::LongestIdle
    } else {
        Preference::Tie
    }
}

/// Least over capacity first, then by preference.
fn by_overload(a: &Candidate, b: &Candidate, prefer_present: bool) -> Ordering {
    let over = |c: &Candidate| c.load - i64::from(c.capacity);
    over(a).cmp(&over(b)).then(preference_order(a, b, prefer_present))
}

/// Applies the rules to responders on duty; `None` means the backstop.
/// With `prefer_present` (a live channel) those at their console come
/// before every other preference.
pub fn rank(candidates: &[Candidate], prefer_present: bool) -> Option<(&Candidate, Rule)> {
    let has_room = |c: &&Candidate| c.load < i64::from(c.capacity);
    let mut eligible: Vec<&Candidate> = candidates.iter().filter(|c| c.speaks).filter(has_room).collect();
    if !eligible.is_empty() {
        eligible.sort_by(|a, b| preference_order(a, b, prefer_present));
        let decided = deciding_preference(eligible[0], eligible.get(1).copied(), prefer_present);
        return Some((eligible[0], Rule::Eligible(decided)));
    }
    let overload = |a: &&Candidate, b: &&Candidate| by_overload(a, b, prefer_present);
    if let Some(c) = candidates.iter().filter(|c| c.speaks).min_by(overload) {
        return Some((c, Rule::OverCapacity));
    }
    candidates.iter().min_by(overload).map(|c| (c, Rule::OtherLanguage))
}

/// Who may take a case whose owner missed the acknowledgement deadline:
/// only someone eligible (on duty, with room, speaking the language) who is
/// at their console now. Moving it to someone away would only move it again
/// a window later, and tell the resident of a name that never answers.
pub fn rank_present(candidates: &[Candidate]) -> Option<(&Candidate, Rule)> {
    let present: Vec<Candidate> = candidates.iter().filter(|c| c.present).cloned().collect();
    let (chosen, rule) = rank(&present, false)?;
    let chosen = candidates.iter().find(|c| c.id == chosen.id)?;
    matches!(rule, Rule::Eligible(_)).then_some((chosen, rule))
}

/// How [`choose_owner`] widens when nobody eligible has room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Widening {
    /// Over capacity, another language, then the backstop chain: a case
    /// must have an owner.
    ToTheBackstop,
    /// Not at all: only someone eligible and present (a case that has an
    /// owner already and may stay with them).
    NoneButPresent,
}

/// Picks the owner inside the caller's transaction. The chosen responder's
/// row is locked and their load re-counted, so concurrent routers cannot
/// overfill them; if someone else took their last slot, the rules run again.
pub async fn choose_owner(
    conn: &mut PgConnection,
    needs: &Needs<'_>,
    exclude: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Decision> {
    let considered = match pick(conn, needs, exclude, Widening::ToTheBackstop).await? {
        Ok(decision) => return Ok(decision),
        Err(considered) => considered,
    };
    // The backstop chain's reasons list who was on duty too, so "the
    // backstop only when nobody else could take it" can be checked after
    // the fact.
    let leads = [(needs.area, Rule::ShiftLead), (None, Rule::CityLead)];
    for (area, rule) in leads {
        if rule == Rule::ShiftLead && area.is_none() {
            continue;
        }
        if let Some((owner_id, owner_name)) = store::shifts::current_lead(conn, area, now).await?
            && !exclude.contains(&owner_id)
        {
            store::responders::lock_load(conn, owner_id).await?;
            return Ok(Decision { owner_id, owner_name, rule, candidates: considered });
        }
    }
    let backstop = store::responders::backstop(&mut *conn).await?.ok_or(Error::NoBackstop)?;
    Ok(Decision {
        owner_id: backstop.id,
        owner_name: backstop.display_name,
        rule: Rule::Backstop,
        candidates: considered,
    })
}

/// Picks someone eligible and present at their console ([`rank_present`]),
/// locked like [`choose_owner`]'s choice; `Err` with the responders
/// considered (at most [`MAX_LISTED`]) when nobody is.
pub async fn choose_present(
    conn: &mut PgConnection,
    needs: &Needs<'_>,
    exclude: &[Uuid],
) -> Result<std::result::Result<Decision, Vec<Candidate>>> {
    pick(conn, needs, exclude, Widening::NoneButPresent).await
}

/// The rules over the responders on duty, with the chosen one locked;
/// `Err` with those considered when the rules name nobody.
async fn pick(
    conn: &mut PgConnection,
    needs: &Needs<'_>,
    exclude: &[Uuid],
    widening: Widening,
) -> Result<std::result::Result<Decision, Vec<Candidate>>> {
    let mut considered = Vec::new();
    // Each retry re-reads fresh loads and sees the responder that filled up
    // meanwhile as full, so this converges; the bound only guards against
    // loads flapping forever under extreme contention.
    for _ in 0..MAX_ATTEMPTS {
        let candidates = store::responders::on_duty_candidates(conn, needs, exclude).await?;
        let ranked = match widening {
            Widening::ToTheBackstop => rank(&candidates, needs.prefer_present),
            Widening::NoneButPresent => rank_present(&candidates),
        };
        let Some((chosen, rule)) = ranked else {
            considered = candidates;
            break;
        };
        let others = match widening {
            Widening::ToTheBackstop => &candidates[..],
            Widening::NoneButPresent => &candidates[..0],
        };
        // An eligible owner must have room, re-checked on the locked row.
        let needs_room = matches!(rule, Rule::Eligible(_));
        let taken = match lock_first_free(conn, others, chosen, rule, needs.prefer_present, needs_room).await? {
            Some(taken) => taken,
            None => {
                // Every one as suited is held by another filing (or full):
                // wait for `chosen`. Under a savepoint, so a responder found
                // full once the wait is over can be unlocked again
                // (PostgreSQL releases locks taken after a savepoint rolled
                // back to). Keeping them locked while trying the next one
                // would let two routers each hold the one the other tries
                // next: a deadlock.
                let mut attempt = conn.begin().await?;
                let waiting = std::time::Instant::now();
                let locked = store::responders::lock_load(&mut attempt, chosen.id).await;
                crate::metrics::waited_for_responder(waiting.elapsed());
                let (capacity, load) = locked?;
                if needs_room && load >= i64::from(capacity) {
                    attempt.rollback().await?;
                    considered = candidates;
                    continue;
                }
                attempt.commit().await?;
                chosen
            }
        };
        let (owner_id, owner_name) = (taken.id, taken.name.clone());
        let rule = match rule {
            Rule::Eligible(_) if taken.id != chosen.id => Rule::Eligible(Preference::NotMidAssignment),
            _ => rule,
        };
        let mut listed = candidates;
        listed.truncate(MAX_LISTED);
        return Ok(Ok(Decision { owner_id, owner_name, rule, candidates: listed }));
    }
    considered.truncate(MAX_LISTED);
    Ok(Err(considered))
}

/// Locks the first of `chosen` and those as well suited to the case as it
/// (differing only by load, idle time or id) whose row no other transaction
/// holds and, with `needs_room`, who has room, judged on the row as locked.
/// Every concurrent filing ranks the same responder first; waiting for that
/// one row would file cases one at a time however many responders are on
/// duty, while the one skipped is being given a case at that very moment
/// anyway. `None` when each of them is held or full.
async fn lock_first_free<'c>(
    conn: &mut PgConnection,
    candidates: &'c [Candidate],
    chosen: &'c Candidate,
    rule: Rule,
    prefer_present: bool,
    needs_room: bool,
) -> Result<Option<&'c Candidate>> {
    let suited = equally_suited(candidates, chosen, rule, prefer_present);
    let ids: Vec<Uuid> = suited.iter().map(|c| c.id).collect();
    let free = store::responders::lock_first_unheld(conn, &ids, needs_room).await?;
    Ok(free.and_then(|id| suited.into_iter().find(|c| c.id == id)))
}

/// `chosen` first, then the candidates the rules would take in its place if
/// it were busy: in the same class of `rule`, equal on every preference
/// stronger than load, in preference order.
fn equally_suited<'c>(
    candidates: &'c [Candidate],
    chosen: &'c Candidate,
    rule: Rule,
    prefer_present: bool,
) -> Vec<&'c Candidate> {
    let same_class = |c: &&Candidate| match rule {
        Rule::Eligible(_) => {
            c.speaks
                && c.load < i64::from(c.capacity)
                && presence_score(c, prefer_present) == presence_score(chosen, prefer_present)
                && c.at_point == chosen.at_point
                && area_topic_score(c) == area_topic_score(chosen)
                && c.previous == chosen.previous
        }
        Rule::OverCapacity => c.speaks,
        _ => true,
    };
    let mut others: Vec<&Candidate> = candidates.iter().filter(same_class).filter(|c| c.id != chosen.id).collect();
    match rule {
        Rule::Eligible(_) => others.sort_by(|a, b| preference_order(a, b, prefer_present)),
        _ => others.sort_by(|a, b| by_overload(a, b, prefer_present)),
    }
    std::iter::once(chosen).chain(others).collect()
}

/// Who would get each of `cases` if `leaving` went off duty now, by the
/// same rules, without locking or changing anything: the duty page shows it
/// before the responder confirms. Cases earlier in the list count towards
/// the load of whoever they would go to, as they would when moved one by
/// one. Returns (case id, new owner's name, rule) in the order given.
pub async fn preview(
    conn: &mut PgConnection,
    cases: &[crate::store::cases::Case],
    leaving: Uuid,
    now: DateTime<Utc>,
    presence_window: std::time::Duration,
) -> Result<Vec<(Uuid, String, Rule)>> {
    let mut extra: std::collections::HashMap<Uuid, i64> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(cases.len());
    for case in cases {
        let at_point = match case.channel {
            crate::domain::Channel::WalkIn => store::walk_in_tickets::point_for_case(&mut *conn, case.id).await?,
            _ => None,
        };
        let needs = Needs {
            language: case.language,
            area: case.area.as_deref(),
            topic: case.topic.as_deref(),
            previous_owner: None,
            at_point,
            prefer_present: true,
            presence_window,
        };
        let mut candidates = store::responders::on_duty_candidates(conn, &needs, &[leaving]).await?;
        for c in &mut candidates {
            c.load += extra.get(&c.id).copied().unwrap_or(0);
        }
        let (id, name, rule) = match rank(&candidates, needs.prefer_present) {
            Some((chosen, rule)) => (chosen.id, chosen.name.clone(), rule),
            None => fallback(conn, needs.area, leaving, now).await?,
        };
        *extra.entry(id).or_default() += 1;
        out.push((case.id, name, rule));
    }
    Ok(out)
}

/// Whom a case in `area` is raised to (an SLA breach, nobody present to
/// take a missed acknowledgement): the lead of a shift running for the
/// area, else of the city-wide shift, else the backstop.
pub async fn lead_for(
    conn: &mut PgConnection,
    area: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<(Uuid, String)>> {
    if let Some(lead) = store::shifts::current_lead(&mut *conn, area, now).await? {
        return Ok(Some(lead));
    }
    if let Some(lead) = store::shifts::current_lead(&mut *conn, None, now).await? {
        return Ok(Some(lead));
    }
    Ok(store::responders::backstop(&mut *conn).await?.map(|b| (b.id, b.display_name)))
}

/// The backstop chain without locks: shift lead, city lead, backstop.
async fn fallback(
    conn: &mut PgConnection,
    area: Option<&str>,
    leaving: Uuid,
    now: DateTime<Utc>,
) -> Result<(Uuid, String, Rule)> {
    if let Some(area) = area
        && let Some((id, name)) = store::shifts::current_lead(&mut *conn, Some(area), now).await?
        && id != leaving
    {
        return Ok((id, name, Rule::ShiftLead));
    }
    if let Some((id, name)) = store::shifts::current_lead(&mut *conn, None, now).await?
        && id != leaving
    {
        return Ok((id, name, Rule::CityLead));
    }
    let backstop = store::responders::backstop(&mut *conn).await?.ok_or(Error::NoBackstop)?;
    Ok((backstop.id, backstop.display_name, Rule::Backstop))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn candidate(n: u128) -> Candidate {
        Candidate {
            id: Uuid::from_u128(n),
            name: format!("r{n}"),
            load: 0,
            capacity: 5,
            speaks: true,
            in_area: false,
            knows_topic: false,
            previous: false,
            at_point: false,
            last_assigned_at: None,
            present: false,
        }
    }

    fn winner(cs: &[Candidate]) -> Option<(u128, Rule)> {
        rank(cs, false).map(|(c, r)| (c.id.as_u128(), r))
    }

    #[test]
    fn rules_have_snake_case_labels() {
        let labels = [
            Rule::Eligible(Preference::LeastLoad),
            Rule::OverCapacity,
            Rule::OtherLanguage,
            Rule::ShiftLead,
            Rule::CityLead,
            Rule::Backstop,
        ]
        .map(Rule::label);
        assert_eq!(labels, ["eligible", "over_capacity", "other_language", "shift_lead", "city_lead", "backstop"]);
    }

    #[test]
    fn a_live_channel_goes_first_to_those_present() {
        let mut expert = candidate(1);
        expert.in_area = true;
        expert.previous = true;
        let mut here = candidate(2);
        here.present = true;
        here.load = 3;
        let both = [expert.clone(), here.clone()];
        // A chat or a call: the one at the console, whatever else the other knows.
        assert_eq!(rank(&both, true).map(|(c, r)| (c.id.as_u128(), r)), Some((2, Rule::Eligible(Preference::Present))));
        // An SMS: presence is no preference.
        assert_eq!(winner(&both), Some((1, Rule::Eligible(Preference::AreaAndTopic))));
        // Presence does not make a full responder eligible.
        here.load = 5;
        assert_eq!(rank(&[expert, here], true).map(|(c, _)| c.id.as_u128()), Some(1));
    }

    #[test]
    fn a_missed_acknowledgement_goes_only_to_someone_present_and_eligible() {
        let away = candidate(1);
        let mut full = candidate(2);
        full.present = true;
        full.load = 5;
        let mut foreign = candidate(3);
        foreign.present = true;
        foreign.speaks = false;
        assert!(rank_present(&[away.clone(), full.clone(), foreign.clone()]).is_none());
        let mut here = candidate(4);
        here.present = true;
        here.load = 4;
        let all = [away, full, foreign, here];
        let chosen = rank_present(&all).map(|(c, r)| (c.id.as_u128(), r));
        assert_eq!(chosen, Some((4, Rule::Eligible(Preference::OnlyCandidate))));
    }

    #[test]
    fn nobody_on_duty_means_the_backstop() {
        assert_eq!(winner(&[]), None);
    }

    #[test]
    fn area_and_topic_beat_previous_and_load() {
        let mut a = candidate(1);
        a.previous = true;
        let mut b = candidate(2);
        b.in_area = true;
        b.load = 3;
        assert_eq!(winner(&[a, b]), Some((2, Rule::Eligible(Preference::AreaAndTopic))));
    }

    #[test]
    fn on_site_at_the_walk_in_point_beats_area_topic_previous_and_load() {
        let mut here = candidate(1);
        here.at_point = true;
        here.load = 4;
        let mut expert = candidate(2);
        expert.in_area = true;
        expert.knows_topic = true;
        expert.previous = true;
        assert_eq!(winner(&[expert.clone(), here.clone()]), Some((1, Rule::Eligible(Preference::AtWalkInPoint))));
        // Two on site: the usual preferences decide between them.
        let mut also_here = expert;
        also_here.at_point = true;
        assert_eq!(winner(&[here.clone(), also_here]), Some((2, Rule::Eligible(Preference::AreaAndTopic))));
        // Being on site does not make a full responder eligible.
        here.load = 5;
        assert_eq!(winner(&[here, candidate(3)]), Some((3, Rule::Eligible(Preference::OnlyCandidate))));
    }

    #[test]
    fn the_walk_in_point_preference_is_named_in_the_reason() {
        let d = Decision {
            owner_id: Uuid::from_u128(1),
            owner_name: "Aino".into(),
            rule: Rule::Eligible(Preference::AtWalkInPoint),
            candidates: vec![],
        };
        assert_eq!(d.reason()["decided_by"], "at_walk_in_point");
    }

    #[test]
    fn previous_responder_beats_lower_load() {
        let mut a = candidate(1);
        a.previous = true;
        a.load = 4;
        let b = candidate(2);
        assert_eq!(winner(&[a, b]), Some((1, Rule::Eligible(Preference::PreviousResponder))));
    }

    #[test]
    fn then_least_load_then_longest_idle() {
        let mut a = candidate(1);
        a.load = 2;
        let mut b = candidate(2);
        b.load = 1;
        assert_eq!(winner(&[a.clone(), b.clone()]), Some((2, Rule::Eligible(Preference::LeastLoad))));
        b.load = 2;
        a.last_assigned_at = Utc.timestamp_opt(1_000, 0).single();
        b.last_assigned_at = Utc.timestamp_opt(2_000, 0).single();
        assert_eq!(winner(&[a, b]), Some((1, Rule::Eligible(Preference::LongestIdle))));
    }

    #[test]
    fn capacity_and_language_make_eligibility() {
        let mut full = candidate(1);
        full.load = 5;
        let mut foreign = candidate(2);
        foreign.speaks = false;
        let ok = candidate(3);
        assert_eq!(winner(&[full.clone(), foreign.clone(), ok]), Some((3, Rule::Eligible(Preference::OnlyCandidate))));
        // Widening: a full speaker before anyone who cannot speak the language.
        assert_eq!(winner(&[full.clone(), foreign.clone()]), Some((1, Rule::OverCapacity)));
        assert_eq!(winner(&[foreign]), Some((2, Rule::OtherLanguage)));
        let mut fuller = candidate(4);
        fuller.load = 9;
        assert_eq!(winner(&[fuller, full]), Some((1, Rule::OverCapacity)));
    }

    #[test]
    fn only_those_equal_on_every_stronger_preference_may_stand_in() {
        let chosen = candidate(1);
        let mut busier = candidate(2);
        busier.load = 3;
        let mut idle = candidate(3);
        idle.load = 1;
        let mut expert = candidate(4);
        expert.in_area = true;
        let mut full = candidate(5);
        full.load = 5;
        let mut previous = candidate(6);
        previous.previous = true;
        let all = [chosen.clone(), busier, idle, expert, full.clone(), previous];
        let order =
            |rule| equally_suited(&all, &all[0], rule, false).iter().map(|c| c.id.as_u128()).collect::<Vec<_>>();
        // The chosen first, then the least loaded; the one knowing the area,
        // the full one and the resident's previous responder are not the same
        // class of choice.
        assert_eq!(order(Rule::Eligible(Preference::LeastLoad)), [1, 3, 2]);
        // Over capacity, anyone speaking the language, least over first.
        assert_eq!(order(Rule::OverCapacity), [1, 4, 6, 3, 2, 5]);
        let mut mute = full;
        mute.speaks = false;
        let others = [chosen, mute];
        assert_eq!(equally_suited(&others, &others[0], Rule::OverCapacity, false).len(), 1);
        assert_eq!(equally_suited(&others, &others[0], Rule::OtherLanguage, false).len(), 2);
    }

    #[test]
    fn reason_names_rule_preference_and_candidates() {
        let d = Decision {
            owner_id: Uuid::from_u128(1),
            owner_name: "Aino".into(),
            rule: Rule::Eligible(Preference::LeastLoad),
            candidates: vec![candidate(1)],
        };
        let reason = d.reason();
        assert_eq!(reason["rule"], "eligible");
        assert_eq!(reason["decided_by"], "least_load");
        assert_eq!(reason["owner_name"], "Aino");
        assert_eq!(reason["candidates"][0]["name"], "r1");
        let backstop = Decision { rule: Rule::Backstop, candidates: vec![], ..d };
        assert_eq!(backstop.reason()["rule"], "backstop");
    }
}
