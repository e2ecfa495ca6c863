//! A filed request as the public reads it back: the specification's
//! fields, and with `extensions=true` the Finnish cities' `title`,
//! `media_urls`, `detailed_status` and `request_history`. The handler in
//! the history and `agency_responsible` is the case's named owner; nothing
//! about the reporter is ever here.

use std::collections::HashMap;

use batline_core::{
    domain::{CaseStatus, Language},
    store::{
        open311::{Allocation, Published},
        topics::Topic,
    },
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::document::{Record, Value};

/// How far a request has come, in the words of the Finnish cities'
/// `detailed_status` and history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Stored, not yet with an owner (only ever seen in the history).
    Received,
    /// A named owner has it.
    Allocated,
    /// The owner has answered or acknowledged it.
    Handling,
    /// Resolved.
    Done,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Allocated => "allocated",
            Stage::Handling => "handling",
            Stage::Done => "done",
        }
    }

    /// Where `request` stands now.
    pub fn of(request: &Published) -> Stage {
        match (request.status, request.handled_at) {
            (CaseStatus::Resolved, _) => Stage::Done,
            (_, Some(_)) => Stage::Handling,
            _ => Stage::Allocated,
        }
    }
}

/// What one reading needs beside the requests: names of services in the
/// reader's language, and whether the extensions were asked for.
pub struct Reader<'a> {
    /// The catalogue, by code.
    pub topics: HashMap<&'a str, &'a Topic>,
    /// The language of service names.
    pub language: Language,
    /// Whether the Finnish cities' fields are wanted.
    pub extensions: bool,
}

impl<'a> Reader<'a> {
    /// A reader over `topics`.
    pub fn new(topics: &'a [Topic], language: Language, extensions: bool) -> Self {
        Reader { topics: topics.iter().map(|t| (t.code.as_str(), t)).collect(), language, extensions }
    }

    /// `request` as the specification's `request`; `owners` are the
    /// owners named on its case, in order (read only with extensions).
    pub fn record(&self, request: &Published, owners: &[&Allocation]) -> Record {
        let service_name = self.topics.get(request.service_code.as_str()).map(|t| t.name(self.language).to_owned());
        let status = match request.status {
            CaseStatus::Resolved => "closed",
            _ => "open",
        };
        let mut record = Record::new()
            .with("service_request_id", Value::Text(request.number.to_string()))
            .with("status", Value::Text(status.into()))
            .with("status_notes", Value::text(request.status_notes.clone()))
            .with("service_name", Value::text(service_name))
            .with("service_code", Value::Text(request.service_code.clone()))
            .with("description", Value::Text(request.description.clone()))
            .with("agency_responsible", Value::Text(request.owner_name.clone()))
            .with("service_notice", Value::Null)
            .with("requested_datetime", Value::date(Some(request.requested_at)))
            .with("updated_datetime", Value::date(Some(request.updated_at)))
            .with("expected_datetime", Value::date(request.expected_at))
            .with("address", Value::text(request.address.clone().or_else(|| request.location_label.clone())))
            .with("address_id", Value::Null)
            .with("zipcode", Value::Null)
            .with("lat", Value::number(request.lat))
            .with("long", Value::number(request.lon))
            .with("media_url", Value::text(request.media_url.clone()));
        if self.extensions {
            let media: Vec<Value> = request.media_url.iter().map(|url| Value::Text(url.clone())).collect();
            let history = history(request, owners)
                .into_iter()
                .map(|(stage, at, handler)| {
                    Value::Object(
                        Record::new()
                            .with("status", Value::Text(stage.as_str().into()))
                            .with("datetime", Value::date(Some(at)))
                            .with("handler", Value::text(handler)),
                    )
                })
                .collect();
            record = record
                .with("title", Value::text(request.title.clone()))
                .with("media_urls", Value::List { item: "media_url", items: media })
                .with("detailed_status", Value::Text(Stage::of(request).as_str().into()))
                .with("request_history", Value::List { item: "status_change", items: history });
        }
        record
    }
}

/// The request's history: received, each owner named (up to the owner the
/// reporter has been told of: a move not yet taken up is not yet news),
/// handled, done.
fn history(request: &Published, owners: &[&Allocation]) -> Vec<(Stage, DateTime<Utc>, Option<String>)> {
    let mut history = vec![(Stage::Received, request.requested_at, None)];
    let told = owners.iter().rposition(|a| a.owner_id == request.owner_id).map_or(owners.len(), |i| i + 1);
    history.extend(owners[..told].iter().map(|a| (Stage::Allocated, a.at, Some(a.owner_name.clone()))));
    let handler = Some(request.owner_name.clone());
    if let Some(at) = request.handled_at {
        history.push((Stage::Handling, at, handler.clone()));
    }
    if let (CaseStatus::Resolved, Some(at)) = (request.status, request.resolved_at) {
        history.push((Stage::Done, at, handler));
    }
    history.sort_by_key(|(_, at, _)| *at);
    history
}

/// `allocations` grouped by case.
pub fn by_case(allocations: &[Allocation]) -> HashMap<Uuid, Vec<&Allocation>> {
    let mut map: HashMap<Uuid, Vec<&Allocation>> = HashMap::new();
    for a in allocations {
        map.entry(a.case_id).or_default().push(a);
    }
    map
}
