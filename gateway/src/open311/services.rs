//! Discovery and the service list: what an Open311 client reads first.
//! The services are the service catalogue's topics still offered; none
//! asks for extra attributes, so every definition's list is empty.

use axum::response::Response;
use batline_core::store;

use super::{
    Answer, BASE_PATH, Reading,
    document::{Document, Format, Record, Value},
    ok, refuse,
};
use crate::state::AppState;

/// When this API last changed in a way clients should know of.
const CHANGESET: &str = "2026-12-05T00:00:00+02:00";

/// `GET /open311/v2/discovery.{json,xml}`.
pub async fn discovery(state: &AppState, format: Format) -> Response {
    let base = state.config.public_url.as_str().trim_end_matches('/');
    let endpoint = Record::new()
        .with("specification", Value::Text("http://wiki.open311.org/GeoReport_v2".into()))
        .with("url", Value::Text(format!("{base}{BASE_PATH}")))
        .with("changeset", Value::Text(CHANGESET.into()))
        .with("type", Value::Text("production".into()))
        .with(
            "formats",
            Value::List {
                item: "format",
                items: vec![Value::Text("text/xml".into()), Value::Text("application/json".into())],
            },
        );
    let record = Record::new()
        .with("changeset", Value::Text(CHANGESET.into()))
        .with("contact", Value::Text(format!("{}: {base}", state.config.city_name)))
        .with(
            "key_service",
            Value::Text("An API key for posting requests is issued by the city's Batline administrators.".into()),
        )
        .with("endpoints", Value::List { item: "endpoint", items: vec![Value::Object(endpoint)] });
    ok(format, &Document::Object { root: "discovery", record })
}

/// `GET /open311/v2/services.{json,xml}`.
pub async fn list(state: &AppState, format: Format, reading: &Reading) -> Answer {
    let lang = reading.language;
    let topics = store::topics::all(&state.pool).await.map_err(|e| refuse(format, e))?;
    let items = topics
        .iter()
        .filter(|t| t.offered())
        .map(|t| {
            Record::new()
                .with("service_code", Value::Text(t.code.clone()))
                .with("service_name", Value::Text(t.name(lang).to_owned()))
                .with("description", Value::Text(t.description(lang).to_owned()))
                .with("metadata", Value::Bool(false))
                .with("type", Value::Text("realtime".into()))
                .with("keywords", Value::Null)
                .with("group", Value::Null)
        })
        .collect();
    Ok(ok(format, &Document::List { root: "services", item: "service", items }))
}

/// `GET /open311/v2/services/{code}.{json,xml}`: a service's definition.
pub async fn definition(state: &AppState, code: &str, format: Format) -> Answer {
    let offered = store::topics::is_offered(&state.pool, code).await.map_err(|e| refuse(format, e))?;
    if !offered {
        return Err(refuse(format, not_found()));
    }
    let record = Record::new()
        .with("service_code", Value::Text(code.to_owned()))
        .with("attributes", Value::List { item: "attribute", items: Vec::new() });
    Ok(ok(format, &Document::Object { root: "service_definition", record }))
}

fn not_found() -> batline_core::Error {
    batline_core::Error::NotFound("service with that service_code")
}
