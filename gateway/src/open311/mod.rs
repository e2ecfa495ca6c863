//! Open311 GeoReport v2 at `/open311/v2/`: city apps list the services (the
//! topics of the service catalogue), post requests with an API key an admin
//! issued, and read requests back with their status and their handler,
//! who in Batline is the case's named owner.
//!
//! A posted request is a contact like any other: stored with its outbox
//! row in one transaction and handed to the router, which opens a case of
//! its own with a named owner, its topic from `service_code` and its place
//! and district from `lat`/`long` or the address. The answer waits a moment
//! for that filing, so a client usually gets its `service_request_id` (and
//! the owner's name in `service_notice`) at once, and otherwise a `token`
//! to ask `tokens/{token}` with.
//!
//! Every resource comes as XML and as JSON ([`document`]); errors take the
//! specification's form, a list of `error{code, description}`, in the
//! format asked for. Reading is public, as the specification and
//! Helsinki's API have it, and tells nothing about the reporter.

pub mod document;
pub mod published;
pub mod requests;
pub mod schema;
pub mod services;

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use batline_core::domain::Language;

use self::document::{Document, Format};
use crate::{
    error::ApiError,
    http::extract::{Form, Path, Query},
    state::AppState,
};

/// Where the API lives, below `BATLINE_PUBLIC_URL`.
pub const BASE_PATH: &str = "/open311/v2";

/// A query string's or form's parameters, as given (control characters
/// blanked by the extractors, as everywhere).
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// The value of `name`, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    /// The value of `name` in a query string, trimmed: `None` when absent,
    /// refused when given blank (`?start_date=`), since a filter or a
    /// setting that says nothing is a client's mistake worth hearing of.
    pub fn query(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim()) {
            Some("") => Err(invalid(format!("{name} is empty: give it a value or leave it out"))),
            value => Ok(value),
        }
    }

    /// Every parameter, for keeping a request exactly as posted.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (name, value) in &self.0 {
            map.entry(name.clone()).or_insert_with(|| serde_json::Value::String(value.clone()));
        }
        serde_json::Value::Object(map)
    }
}

/// The `locale` and `extensions` every reading resource takes.
#[derive(Debug, Default)]
pub struct Reading {
    /// The language of service names (the Finnish cities' `locale`).
    pub language: Language,
    /// Whether the Finnish cities' fields were asked for (`extensions=true`).
    pub extensions: bool,
}

impl Reading {
    /// Reads `locale` (`fi`, `sv`, `en`, or forms like `sv_FI`; Finnish by
    /// default) and `extensions` (`true` or `false`). Anything else is
    /// refused, so a client learns of its typo.
    pub fn of(params: &Params) -> Result<Reading, ApiError> {
        let language = match params.query("locale")? {
            None => Language::Fi,
            Some(l) => {
                language_of(l).ok_or_else(|| invalid(format!("locale {l:?} is not offered; use fi, sv or en")))?
            }
        };
        let extensions = match params.query("extensions")? {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => return Err(invalid(format!("extensions must be true or false, not {other:?}"))),
        };
        Ok(Reading { language, extensions })
    }
}

/// The language of a locale: `fi`, `sv` or `en`, alone or with a country
/// (`sv_FI`, `en-GB`), in any case.
pub fn language_of(locale: &str) -> Option<Language> {
    let (language, country) = locale.split_once(['_', '-']).unwrap_or((locale, "AA"));
    let country_ok = country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic());
    country_ok.then(|| language.to_ascii_lowercase().parse().ok()).flatten()
}

/// A 400 saying what is wrong with the request.
pub fn invalid(detail: String) -> ApiError {
    ApiError::Core(batline_core::Error::Invalid(detail))
}

fn no_such_resource() -> ApiError {
    ApiError::Core(batline_core::Error::NotFound("Open311 resource (the API serves .xml and .json)"))
}

/// The name and format of the file a path ends in (`requests.json`), or a
/// 404 in XML, the format every client reads.
fn split(uri: &Uri) -> Result<(&str, Format), Refusal> {
    let file = uri.path().rsplit('/').next().unwrap_or_default();
    Format::split(file).ok_or_else(|| Refusal(Format::Xml, no_such_resource()))
}

fn params(query: Result<Query<Vec<(String, String)>>, ApiError>, format: Format) -> Result<Params, Refusal> {
    query.map(|Query(pairs)| Params(pairs)).map_err(|e| Refusal(format, e))
}

/// `GET /open311/v2/{discovery,services,requests}.{xml,json}`.
pub async fn get_file(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    uri: Uri,
    query: Result<Query<Vec<(String, String)>>, ApiError>,
) -> Answer {
    let (name, format) = split(&uri)?;
    state.open311_reads.check(client.ip()).map_err(|wait| refuse(format, ApiError::TooManyRequests(wait)))?;
    let params = params(query, format)?;
    let reading = Reading::of(&params).map_err(|e| refuse(format, e))?;
    match name {
        "discovery" => Ok(services::discovery(&state, format).await),
        "services" => services::list(&state, format, &reading).await,
        "requests" => requests::list(&state, format, &reading, &params).await,
        _ => Err(refuse(format, no_such_resource())),
    }
}

/// `POST /open311/v2/requests.{xml,json}`.
pub async fn post_file(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, ApiError>,
) -> Answer {
    let (name, format) = split(&uri)?;
    if name != "requests" {
        return Err(refuse(format, no_such_resource()));
    }
    let key = requests::idempotency_key(&headers).map_err(|e| refuse(format, e))?;
    let form = form.map(|Form(pairs)| Params(pairs)).map_err(|e| refuse(format, e))?;
    requests::post(&state, format, client.ip(), &form, key).await
}

/// `GET /open311/v2/{services,requests,tokens}/{id}.{xml,json}`: one
/// service's definition, one request, or what a token became.
pub async fn get_one(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(kind): Path<(String, String)>,
    query: Result<Query<Vec<(String, String)>>, ApiError>,
) -> Answer {
    let (kind, file) = kind;
    let Some((id, format)) = Format::split(&file) else {
        return Err(Refusal(Format::Xml, no_such_resource()));
    };
    state.open311_reads.check(client.ip()).map_err(|wait| refuse(format, ApiError::TooManyRequests(wait)))?;
    let params = params(query, format)?;
    let reading = Reading::of(&params).map_err(|e| refuse(format, e))?;
    match kind.as_str() {
        "services" => services::definition(&state, id, format).await,
        "requests" => requests::one(&state, id, format, &reading).await,
        "tokens" => requests::token(&state, id, format).await,
        _ => Err(refuse(format, no_such_resource())),
    }
}

/// A refusal in the specification's error format.
#[derive(Debug)]
pub struct Refusal(pub Format, pub ApiError);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let Refusal(format, error) = self;
        let status = error.status();
        let description = if status.is_server_error() {
            tracing::error!(error = %error, source = ?error, "Open311 request failed");
            "something went wrong on our side; it has been logged".to_owned()
        } else {
            error.to_string()
        };
        let mut response = format.answer(status, &Document::errors(status, &description));
        if let Some(wait) = error.retry_after() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, wait);
        }
        response
    }
}

/// Shorthand: a handler's result, answered in its format either way.
pub type Answer = Result<Response, Refusal>;

/// `error` in `format`.
pub fn refuse(format: Format, error: impl Into<ApiError>) -> Refusal {
    Refusal(format, error.into())
}

/// A 200 with `doc` in `format`.
pub fn ok(format: Format, doc: &Document) -> Response {
    format.answer(StatusCode::OK, doc)
}
