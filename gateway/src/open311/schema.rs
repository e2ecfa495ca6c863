//! The OpenAPI description of the JSON forms, so API clients read what the
//! API takes and schemathesis checks every answer against it. Open311's
//! paths end in their format (`services.json`), which a route cannot
//! capture beside a parameter, so the route table serves
//! `/open311/v2/{file}` and `/open311/v2/{kind}/{file}`, and the operations
//! are declared here instead, on the functions below that exist only to
//! carry them. The XML forms (`.xml`) mirror these field for field.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The Open311 operations, merged into the gateway's document.
#[derive(OpenApi)]
#[openapi(
    paths(discovery, services, service_definition, post_request, requests, request, token),
    tags((name = "open311", description = "Open311 GeoReport v2, with the Finnish cities' extensions behind \
        `extensions=true`. Every resource also comes as XML (`.xml`). Errors are a list of `{code, description}`. \
        Reading is public and tells nothing about the reporter; posting needs an `api_key` an admin issued."))
)]
pub struct Open311Doc;

/// One error.
#[derive(Serialize, ToSchema)]
pub struct Open311Error {
    /// The HTTP status.
    pub code: u16,
    /// What went wrong, for a person.
    pub description: String,
}

/// An endpoint in the discovery document.
#[derive(Serialize, ToSchema)]
pub struct Endpoint {
    /// The specification's address.
    pub specification: String,
    /// The endpoint's base address.
    pub url: String,
    /// When it last changed.
    pub changeset: String,
    /// `production`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `text/xml`, `application/json`.
    pub formats: Vec<String>,
}

/// The discovery document.
#[derive(Serialize, ToSchema)]
pub struct Discovery {
    /// When the API last changed.
    pub changeset: String,
    /// Who to ask.
    pub contact: String,
    /// How to get an API key.
    pub key_service: String,
    /// The endpoints.
    pub endpoints: Vec<Endpoint>,
}

/// A service: a topic of the service catalogue.
#[derive(Serialize, ToSchema)]
pub struct Service {
    /// The topic's code.
    pub service_code: String,
    /// Its name in `locale`.
    pub service_name: String,
    /// Its description in `locale`.
    pub description: String,
    /// Always false: no service asks for attributes.
    pub metadata: bool,
    /// `realtime`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Not used.
    pub keywords: Option<String>,
    /// Not used.
    pub group: Option<String>,
}

/// A service's definition.
#[derive(Serialize, ToSchema)]
pub struct ServiceDefinition {
    /// The topic's code.
    pub service_code: String,
    /// Its attributes: none.
    pub attributes: Vec<serde_json::Value>,
}

/// A change in a request's history (extension).
#[derive(Serialize, ToSchema)]
pub struct StatusChange {
    /// `received`, `allocated`, `handling` or `done`.
    pub status: String,
    /// When.
    pub datetime: String,
    /// The named owner, from allocation on.
    pub handler: Option<String>,
}

/// A request as read back.
#[derive(Serialize, ToSchema)]
pub struct ServiceRequest {
    /// Its id.
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    /// The resolution summary once closed, else the owner's latest reply.
    pub status_notes: Option<String>,
    /// The service's name in `locale`.
    pub service_name: Option<String>,
    /// The service.
    pub service_code: String,
    /// What the reporter wrote.
    pub description: String,
    /// The case's named owner.
    pub agency_responsible: String,
    /// Not used here.
    pub service_notice: Option<String>,
    /// When it was received (W3C, with time zone).
    pub requested_datetime: String,
    /// When anything last happened to it.
    pub updated_datetime: String,
    /// When it should be resolved by, by its SLA.
    pub expected_datetime: Option<String>,
    /// The address given, or the place found.
    pub address: Option<String>,
    /// Not used.
    pub address_id: Option<String>,
    /// Not used.
    pub zipcode: Option<String>,
    /// WGS 84 latitude.
    pub lat: Option<f64>,
    /// WGS 84 longitude.
    pub long: Option<f64>,
    /// A picture of it.
    pub media_url: Option<String>,
    /// Extension: the title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Option<String>>,
    /// Extension: the pictures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_urls: Option<Vec<String>>,
    /// Extension: `allocated`, `handling` or `done`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detailed_status: Option<String>,
    /// Extension: how it got here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_history: Option<Vec<StatusChange>>,
}

/// What a post answers: an id once filed, else a token.
#[derive(Serialize, ToSchema)]
pub struct Posted {
    /// The request's id, once it is filed with a named owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_request_id: Option<String>,
    /// Ask `tokens/{token}` with it when there is no id yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Who handles it and where to follow it.
    pub service_notice: String,
    /// Not used.
    pub account_id: Option<String>,
}

/// What a token became.
#[derive(Serialize, ToSchema)]
pub struct Token {
    /// The request's id, once filed.
    pub service_request_id: Option<String>,
    /// The token asked about.
    pub token: String,
}

/// The form a request is posted with (`application/x-www-form-urlencoded`).
#[derive(Serialize, ToSchema)]
pub struct RequestForm {
    /// The application's key.
    pub api_key: String,
    /// A service from `services.json`.
    pub service_code: String,
    /// WGS 84 latitude; with `long`, or give `address_string`.
    pub lat: Option<f64>,
    /// WGS 84 longitude.
    pub long: Option<f64>,
    /// The address, when there is no point.
    #[schema(max_length = 500)]
    pub address_string: Option<String>,
    /// Not known here.
    pub address_id: Option<String>,
    /// What is wrong (required here: the owner needs words to act on).
    #[schema(min_length = 1, max_length = 4000)]
    pub description: String,
    /// Extension: a title.
    #[schema(max_length = 500)]
    pub title: Option<String>,
    /// A picture, as an http or https address.
    #[schema(max_length = 2000)]
    pub media_url: Option<String>,
    /// The reporter's email, shown to the owner only.
    #[schema(max_length = 500)]
    pub email: Option<String>,
    /// The reporter's phone, shown to the owner only.
    #[schema(max_length = 500)]
    pub phone: Option<String>,
    /// The reporter's first name, shown to the owner only.
    #[schema(max_length = 500)]
    pub first_name: Option<String>,
    /// The reporter's last name, shown to the owner only.
    #[schema(max_length = 500)]
    pub last_name: Option<String>,
    /// The device's id.
    #[schema(max_length = 500)]
    pub device_id: Option<String>,
    /// The reporter's account id in the app.
    #[schema(max_length = 500)]
    pub account_id: Option<String>,
    /// `fi`, `sv` or `en`: the language of the answer.
    #[schema(pattern = "^\\s*([Ff][Ii]|[Ss][Vv]|[Ee][Nn])([_-][A-Za-z]{2})?\\s*$")]
    pub locale: Option<String>,
}

/// `locale` and `extensions`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadingParams {
    /// `fi` (default), `sv` or `en`, alone or with a country (`sv_FI`).
    #[param(pattern = "^\\s*([Ff][Ii]|[Ss][Vv]|[Ee][Nn])([_-][A-Za-z]{2})?\\s*$")]
    pub locale: Option<String>,
    /// `true` adds the Finnish cities' fields.
    pub extensions: Option<bool>,
}

/// The filters of `GET requests.json`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestFilters {
    /// Ids, separated by commas (at most 100).
    #[param(pattern = "^\\s*[0-9]{1,18}\\s*(,\\s*[0-9]{1,18}\\s*){0,99}$")]
    pub service_request_id: Option<String>,
    /// One service.
    pub service_code: Option<String>,
    /// Received at or after (W3C, with time zone); by default 90 days before `end_date` or now.
    pub start_date: Option<chrono::DateTime<chrono::Utc>>,
    /// Received at or before; at most 90 days after `start_date`.
    pub end_date: Option<chrono::DateTime<chrono::Utc>>,
    /// `open`, `closed`, or both separated by a comma.
    #[param(pattern = "^\\s*(open|closed)\\s*(,\\s*(open|closed)\\s*)*$")]
    pub status: Option<String>,
    /// Extension: changed at or after.
    pub updated_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Extension: changed at or before.
    pub updated_before: Option<chrono::DateTime<chrono::Utc>>,
}

/// `GET /open311/v2/discovery.json`.
#[utoipa::path(get, path = "/open311/v2/discovery.json", tag = "open311",
    responses((status = 200, description = "Where the API is and how to get a key", body = Discovery),
        (status = 429, description = "Too many requests from this address; `Retry-After` says when to try again", body = Vec<Open311Error>)))]
fn discovery() {}

/// `GET /open311/v2/services.json`.
#[utoipa::path(get, path = "/open311/v2/services.json", tag = "open311", params(ReadingParams),
    responses((status = 200, description = "The services: the topics offered", body = Vec<Service>),
        (status = 400, description = "`locale` or `extensions` not understood", body = Vec<Open311Error>),
        (status = 429, description = "Too many requests from this address; `Retry-After` says when to try again", body = Vec<Open311Error>)))]
fn services() {}

/// `GET /open311/v2/services/{service_code}.json`.
#[utoipa::path(get, path = "/open311/v2/services/{service_code}.json", tag = "open311",
    params(("service_code" = String, Path, description = "A service's code"), ReadingParams),
    responses((status = 200, description = "The service's definition", body = ServiceDefinition),
        (status = 400, description = "`locale` or `extensions` not understood", body = Vec<Open311Error>),
        (status = 404, description = "No such service", body = Vec<Open311Error>),
        (status = 429, description = "Too many requests from this address; `Retry-After` says when to try again", body = Vec<Open311Error>)))]
fn service_definition() {}

/// `POST /open311/v2/requests.json`.
#[utoipa::path(post, path = "/open311/v2/requests.json", tag = "open311",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = "1 to 200 visible \
        ASCII characters (a UUID, say): a retry with the same key is the same request, answered alike")),
    request_body(content = RequestForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Received: its id once filed with a named owner, else a token", body = Vec<Posted>),
        (status = 400, description = "A field or the `Idempotency-Key` is missing or not valid; the description says which", body = Vec<Open311Error>),
        (status = 403, description = "`api_key` missing, not valid or revoked", body = Vec<Open311Error>),
        (status = 415, description = "Not a form", body = Vec<Open311Error>),
        (status = 422, description = "The form could not be read", body = Vec<Open311Error>),
        (status = 429, description = "Too many requests from this address; `Retry-After` says when to try again", body = Vec<Open311Error>)))]
fn post_request() {}

/// `GET /open311/v2/requests.json`.
#[utoipa::path(get, path = "/open311/v2/requests.json", tag = "open311", params(RequestFilters, ReadingParams),
    responses((status = 200, description = "Requests, newest first, at most 1,000", body = Vec<ServiceRequest>),
        (status = 400, description = "A filter is not valid; the description says which", body = Vec<Open311Error>),
        (status = 429, description = "Too many requests from this address; `Retry-After` says when to try again", body = Vec<Open311Error>)))]
fn requests() {}

/// `GET /open311/v2/requests/{service_request_id}.json`.
#[utoipa::path(get, path = "/open311/v2/requests/{service_request_id}.json", tag = "open311",
    params(("service_request_id" = String, Path, description = "The request's id"), ReadingParams),
    responses((status = 200, description = "A list of the one request", body = Vec<ServiceRequest>),
        (status = 400, description = "`locale` or `extensions` not understood", body = Vec<Open311Error>),
        (status = 404, description = "No such request", body = Vec<Open311Error>),
        (status = 429, description = "Too many requests from this address; `Retry-After` says when to try again", body = Vec<Open311Error>)))]
fn request() {}

/// `GET /open311/v2/tokens/{token}.json`.
#[utoipa::path(get, path = "/open311/v2/tokens/{token}.json", tag = "open311",
    params(("token" = String, Path, description = "A token a post answered with"), ReadingParams),
    responses((status = 200, description = "The request's id, once filed", body = Vec<Token>),
        (status = 400, description = "`locale` or `extensions` not understood", body = Vec<Open311Error>),
        (status = 404, description = "No such token", body = Vec<Open311Error>),
        (status = 429, description = "Too many requests from this address; `Retry-After` says when to try again", body = Vec<Open311Error>)))]
fn token() {}
