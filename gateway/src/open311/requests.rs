//! Requests: posting one, reading them back, and tokens.

use std::time::Duration;

use batline_core::{
    bus::BusMessage,
    domain::{CaseStatus, Channel, Language},
    language, metrics, open311_keys,
    outbox::Outbox,
    store::{
        self,
        intake::NewIntake,
        open311::{Filter, NewRequest, Published},
    },
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Answer, Params, Reading,
    document::{Document, Format, Record, Value},
    invalid, ok,
    published::{self, Reader},
    refuse,
};
use crate::{error::ApiError, hand_on, state::AppState};

/// The longest `description`, as the specification says.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
/// The longest `title`, `address_string` or contact field.
pub const MAX_FIELD_CHARS: usize = 500;
/// The longest `media_url`.
pub const MAX_URL_CHARS: usize = 2000;
/// The most requests one reading returns, and its default span.
pub const MAX_REQUESTS: i64 = 1000;
/// The longest span between `start_date` and `end_date`.
pub const MAX_SPAN_DAYS: i64 = 90;
/// The most ids `service_request_id` may list.
pub const MAX_IDS: usize = 100;
/// The header that makes a retried post the same request.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The longest `Idempotency-Key`.
pub const MAX_KEY_CHARS: usize = 200;
/// How long a post waits for the router to file the request before it
/// answers with a token instead.
const FILING_WAIT: Duration = Duration::from_secs(2);

/// `POST /open311/v2/requests.{xml,json}`: a city app's report. Answered
/// with its `service_request_id` once it is filed into a case with a named
/// owner (usually within milliseconds), or else with a `token`.
pub async fn post(
    state: &AppState,
    format: Format,
    address: std::net::IpAddr,
    form: &Params,
    idempotency: Option<String>,
) -> Answer {
    let refused = |e: ApiError| refuse(format, e);
    // Without a valid key, the address is what is limited (guessing keys is
    // slow); with one, the application, whatever address it posts from.
    let key = form.get("api_key");
    let client_id = match key {
        Some(key) => store::open311::client_by_key(&state.pool, &open311_keys::digest(key))
            .await
            .map_err(|e| refused(e.into()))?,
        None => None,
    };
    let Some(client_id) = client_id else {
        state.open311_reads.check(address).map_err(|wait| refused(ApiError::TooManyRequests(wait)))?;
        let why = if key.is_some() {
            "api_key is not valid, or it has been revoked"
        } else {
            "api_key is missing: the city issues one to each application"
        };
        return Err(refused(ApiError::Forbidden(why.into())));
    };
    state.open311_posts.check(client_id).map_err(|wait| refused(ApiError::TooManyRequests(wait)))?;
    let report = Report::read(form).map_err(refused)?;
    if !store::topics::is_offered(&state.pool, report.service_code).await.map_err(|e| refused(e.into()))? {
        return Err(refused(invalid(format!(
            "service_code {:?} is not a service here; services.{} lists them",
            report.service_code,
            if format == Format::Xml { "xml" } else { "json" }
        ))));
    }
    // GeoReport v2 gives a post no id of its own; a client that sends an
    // `Idempotency-Key` gets the same request back when it retries.
    let provider_id = idempotency.map(|key| format!("{client_id}:{key}"));
    let intake_id = store_report(state, client_id, form, &report, provider_id).await.map_err(refused)?;
    let language = report.language;
    let filed = wait_for_filing(state, intake_id).await.map_err(refused)?;
    let record = match filed {
        Some(request) => Record::new()
            .with("service_request_id", Value::Text(request.number.to_string()))
            .with("service_notice", Value::Text(notice_filed(state, language, &request)))
            .with("account_id", Value::Null),
        None => Record::new()
            .with("token", Value::Text(intake_id.to_string()))
            .with("service_notice", Value::Text(notice_queued(language).into()))
            .with("account_id", Value::Null),
    };
    Ok(ok(format, &Document::List { root: "service_requests", item: "request", items: vec![record] }))
}

/// What a post says, checked.
struct Report<'a> {
    service_code: &'a str,
    title: Option<&'a str>,
    description: &'a str,
    point: Option<(f64, f64)>,
    address: Option<&'a str>,
    media_url: Option<&'a str>,
    language: Language,
}

impl<'a> Report<'a> {
    fn read(form: &'a Params) -> Result<Report<'a>, ApiError> {
        let service_code = form
            .get("service_code")
            .ok_or_else(|| invalid("service_code is missing; services.json lists them".into()))?;
        let description = form.get("description").ok_or_else(|| {
            invalid("description is missing: say what the request is about, so its owner knows".into())
        })?;
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(invalid(format!("description is longer than {MAX_DESCRIPTION_CHARS} characters")));
        }
        for name in ["title", "address_string", "email", "phone", "first_name", "last_name", "device_id", "account_id"]
        {
            if form.get(name).is_some_and(|v| v.chars().count() > MAX_FIELD_CHARS) {
                return Err(invalid(format!("{name} is longer than {MAX_FIELD_CHARS} characters")));
            }
        }
        let point = match (form.get("lat"), form.get("long")) {
            (Some(lat), Some(lon)) => Some((coordinate("long", lon, 180.0)?, coordinate("lat", lat, 90.0)?)),
            (None, None) => None,
            _ => return Err(invalid("lat and long go together: send both, or neither".into())),
        };
        let address = form.get("address_string");
        if point.is_none() && address.is_none() {
            let also = if form.get("address_id").is_some() { " (address_id is not known here)" } else { "" };
            return Err(invalid(format!("a location is required: lat and long, or address_string{also}")));
        }
        let media_url = form.get("media_url");
        if let Some(url) = media_url {
            let parsed = url::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
            if parsed.is_none() || url.chars().count() > MAX_URL_CHARS {
                return Err(invalid(format!(
                    "media_url must be an http or https address of at most {MAX_URL_CHARS} characters"
                )));
            }
        }
        let title = form.get("title");
        let text = [title.unwrap_or_default(), description].join(" ");
        let language = match form.get("locale") {
            Some(locale) => super::language_of(locale)
                .ok_or_else(|| invalid(format!("locale {locale:?} is not offered; use fi, sv or en")))?,
            None => language::detect(&text).unwrap_or_default(),
        };
        Ok(Report { service_code, title, description, point, address, media_url, language })
    }

    /// What the case's thread shows: the title, then the description.
    fn body(&self) -> String {
        match self.title {
            Some(title) => format!("{title}\n\n{}", self.description),
            None => self.description.to_owned(),
        }
    }
}

fn coordinate(name: &str, value: &str, limit: f64) -> Result<f64, ApiError> {
    value.parse::<f64>().ok().filter(|v| v.is_finite() && v.abs() <= limit).ok_or_else(|| {
        invalid(format!("{name} must be a number from -{limit} to {limit} (WGS 84 degrees), not {value:?}"))
    })
}

/// The `Idempotency-Key` header, checked: 1 to 200 visible ASCII characters.
pub fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(invalid(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters, such as a UUID"
        )));
    }
    Ok(Some(key.to_owned()))
}

/// Stores the report as intake with its fields beside it and its bus
/// message in the outbox, in one transaction, then hands it on. A retry
/// with the same key (`provider_id`) finds the request stored and changes
/// nothing.
async fn store_report(
    state: &AppState,
    client_id: Uuid,
    form: &Params,
    report: &Report<'_>,
    provider_id: Option<String>,
) -> Result<Uuid, ApiError> {
    let mut raw = form.to_json();
    // The key is a secret: it is checked, never kept.
    if let Some(map) = raw.as_object_mut() {
        map.remove("api_key");
    }
    let new = NewIntake {
        channel: Channel::Open311,
        provider_id: provider_id.clone(),
        sender: format!("open311:{client_id}"),
        recipient: None,
        body: report.body(),
        raw,
    };
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let Some(intake_id) = store::intake::insert(&mut tx, &new).await? else {
        tx.commit().await.map_err(batline_core::Error::from)?;
        let stored = match &provider_id {
            Some(id) => store::intake::by_provider_id(&state.pool, Channel::Open311, id).await?,
            None => None,
        };
        let stored = stored.ok_or(batline_core::Error::Conflict("the request was stored twice".into()))?;
        tracing::info!(intake_id = %stored.id, "a retried Open311 post: already stored");
        return Ok(stored.id);
    };
    let request = NewRequest {
        intake_id,
        client_id,
        service_code: report.service_code,
        title: report.title,
        description: report.description,
        point: report.point,
        address: report.address,
        media_url: report.media_url,
    };
    store::open311::insert_request(&mut tx, &request).await?;
    let announcement =
        Outbox::enqueue_written(&mut tx, &BusMessage::IntakeArrived { intake_id, channel: Channel::Open311 }).await?;
    tx.commit().await.map_err(batline_core::Error::from)?;
    tracing::info!(%intake_id, %client_id, service_code = report.service_code, "Open311 request stored");
    metrics::intake_stored(Channel::Open311);
    hand_on::publish_intake(state, intake_id, announcement).await;
    Ok(intake_id)
}

/// The filed request, once the router has filed it; `None` if that takes
/// longer than [`FILING_WAIT`]. Polls quickly at first: filing usually
/// takes a few milliseconds.
async fn wait_for_filing(state: &AppState, intake_id: Uuid) -> Result<Option<Published>, ApiError> {
    let deadline = tokio::time::Instant::now() + FILING_WAIT;
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(Some(number)) = store::open311::token(&state.pool, intake_id).await? {
            let filter = Filter { numbers: Some(vec![number]), limit: 1, ..Filter::default() };
            return Ok(store::open311::published(&state.pool, &filter).await?.into_iter().next());
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// The first answer, as an SMS's: who owns it and where to follow it.
fn notice_filed(state: &AppState, language: Language, request: &Published) -> String {
    let url = state.config.tracking_url(&request.tracking_code);
    let owner = &request.owner_name;
    match language {
        Language::Fi => format!("Kiitos! Pyyntösi on vastaanotettu, ja sen hoitaa {owner}. Seuraa sitä: {url}"),
        Language::Sv => format!("Tack! Din begäran har tagits emot och {owner} sköter den. Följ den: {url}"),
        Language::En => {
            format!("Thank you! Your request has been received and {owner} is handling it. Follow it: {url}")
        }
    }
}

fn notice_queued(language: Language) -> &'static str {
    match language {
        Language::Fi => {
            "Kiitos! Pyyntösi on vastaanotettu. Sen tunniste ja käsittelijä selviävät tokens-osoitteesta hetken kuluttua."
        }
        Language::Sv => {
            "Tack! Din begäran har tagits emot. Dess nummer och handläggare finns under tokens om en stund."
        }
        Language::En => {
            "Thank you! Your request has been received. Its id and handler will be under tokens in a moment."
        }
    }
}

/// `GET /open311/v2/requests.{xml,json}` with the specification's filters
/// (and the Finnish cities' `updated_after`/`updated_before`).
pub async fn list(state: &AppState, format: Format, reading: &Reading, params: &Params) -> Answer {
    let filter = filter(params, Utc::now()).map_err(|e| refuse(format, e))?;
    answer(state, format, reading, &filter).await
}

/// `GET /open311/v2/requests/{id}.{xml,json}`: a list of one.
pub async fn one(state: &AppState, id: &str, format: Format, reading: &Reading) -> Answer {
    let number = id.parse::<i64>().map_err(|_| refuse(format, not_found()))?;
    let filter = Filter { numbers: Some(vec![number]), limit: 1, ..Filter::default() };
    let response = answer(state, format, reading, &filter).await?;
    Ok(response)
}

async fn answer(state: &AppState, format: Format, reading: &Reading, filter: &Filter) -> Answer {
    let failed = |e: batline_core::Error| refuse(format, e);
    let requests = store::open311::published(&state.pool, filter).await.map_err(failed)?;
    if requests.is_empty() && filter.limit == 1 {
        return Err(refuse(format, not_found()));
    }
    let topics = store::topics::all(&state.pool).await.map_err(failed)?;
    let allocations = if reading.extensions {
        let cases: Vec<Uuid> = requests.iter().map(|r| r.case_id).collect();
        store::open311::allocations(&state.pool, &cases).await.map_err(failed)?
    } else {
        Vec::new()
    };
    let owners = published::by_case(&allocations);
    let reader = Reader::new(&topics, reading.language, reading.extensions);
    let items = requests
        .iter()
        .map(|r| reader.record(r, owners.get(&r.case_id).map(Vec::as_slice).unwrap_or_default()))
        .collect();
    Ok(ok(format, &Document::List { root: "service_requests", item: "request", items }))
}

fn not_found() -> batline_core::Error {
    batline_core::Error::NotFound("request with that service_request_id")
}

/// The filters of a reading, checked: dates in W3C form with a time zone,
/// at most [`MAX_SPAN_DAYS`] apart, the last 90 days by default.
fn filter(params: &Params, now: DateTime<Utc>) -> Result<Filter, ApiError> {
    let date = |name: &str| -> Result<Option<DateTime<Utc>>, ApiError> {
        params
            .query(name)?
            .map(|v| {
                DateTime::parse_from_rfc3339(v).map(|d| d.with_timezone(&Utc)).map_err(|_| {
                    invalid(format!(
                        "{name} must be a W3C date and time with a time zone, like 2026-12-01T00:00:00+02:00"
                    ))
                })
            })
            .transpose()
    };
    let numbers = params
        .query("service_request_id")?
        .map(|ids| {
            let numbers: Result<Vec<i64>, _> = ids.split(',').map(|id| id.trim().parse::<i64>()).collect();
            numbers.ok().filter(|n| n.len() <= MAX_IDS).ok_or_else(|| {
                invalid(format!("service_request_id must list at most {MAX_IDS} request ids, separated by commas"))
            })
        })
        .transpose()?;
    let (start, end) = (date("start_date")?, date("end_date")?);
    let span = chrono::Duration::days(MAX_SPAN_DAYS);
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            return Err(invalid("end_date is before start_date".into()));
        }
        if end - start > span {
            return Err(invalid(format!("start_date and end_date may be at most {MAX_SPAN_DAYS} days apart")));
        }
    }
    // By default the last 90 days (of end_date, when given), unless asked
    // for requests by id.
    let start = match (start, &numbers) {
        (None, None) => Some(end.unwrap_or(now) - span),
        (start, _) => start,
    };
    let end = match (start, end) {
        (Some(start), None) if numbers.is_none() => Some(start + span),
        (_, end) => end,
    };
    let status = match params.query("status")? {
        None => None,
        Some(list) => {
            let mut open = false;
            let mut closed = false;
            for s in list.split(',').map(str::trim) {
                match s {
                    "open" => open = true,
                    "closed" => closed = true,
                    other => return Err(invalid(format!("status must be open or closed, not {other:?}"))),
                }
            }
            match (open, closed) {
                (true, false) => Some(CaseStatus::Open),
                (false, true) => Some(CaseStatus::Resolved),
                _ => None,
            }
        }
    };
    Ok(Filter {
        numbers,
        service_code: params.get("service_code").map(str::to_owned),
        start,
        end,
        status,
        updated_after: date("updated_after")?,
        updated_before: date("updated_before")?,
        limit: MAX_REQUESTS,
    })
}

/// `GET /open311/v2/tokens/{token}.{xml,json}`: the request a token
/// became, once filed.
pub async fn token(state: &AppState, token: &str, format: Format) -> Answer {
    let no_token = || refuse(format, batline_core::Error::NotFound("token"));
    let intake_id = token.parse::<Uuid>().map_err(|_| no_token())?;
    let number =
        store::open311::token(&state.pool, intake_id).await.map_err(|e| refuse(format, e))?.ok_or_else(no_token)?;
    let record = Record::new()
        .with("service_request_id", number.map_or(Value::Null, |n| Value::Text(n.to_string())))
        .with("token", Value::Text(intake_id.to_string()));
    Ok(ok(format, &Document::List { root: "service_requests", item: "request", items: vec![record] }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect())
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn by_default_the_last_ninety_days() {
        let now = at("2026-12-05T12:00:00Z");
        let f = filter(&params(&[]), now).ok();
        assert_eq!(f.as_ref().and_then(|f| f.start), Some(now - chrono::Duration::days(90)));
        assert_eq!(f.map(|f| f.limit), Some(MAX_REQUESTS));
    }

    #[test]
    fn a_span_over_ninety_days_is_refused() {
        let now = at("2026-12-05T12:00:00Z");
        let p = params(&[("start_date", "2026-01-01T00:00:00+02:00"), ("end_date", "2026-06-01T00:00:00+02:00")]);
        assert!(filter(&p, now).is_err());
        assert!(filter(&params(&[("start_date", "yesterday")]), now).is_err());
        assert!(filter(&params(&[("status", "pending")]), now).is_err());
        assert!(filter(&params(&[("service_request_id", "1,x")]), now).is_err());
    }

    #[test]
    fn ids_and_statuses_are_read() {
        let now = at("2026-12-05T12:00:00Z");
        let f = filter(&params(&[("service_request_id", "3, 4"), ("status", "closed")]), now).ok();
        assert_eq!(f.as_ref().and_then(|f| f.numbers.clone()), Some(vec![3, 4]));
        assert_eq!(f.as_ref().and_then(|f| f.start), None, "asking by id looks back without limit");
        assert_eq!(f.and_then(|f| f.status), Some(CaseStatus::Resolved));
        let both = filter(&params(&[("status", "open,closed")]), now).ok();
        assert_eq!(both.and_then(|f| f.status), None);
    }

    #[test]
    fn a_report_needs_a_place_and_words() {
        let base = [("service_code", "streets"), ("description", "Katuvalo rikki")];
        assert!(Report::read(&params(&base)).is_err(), "no location");
        let with_point = params(&[base[0], base[1], ("lat", "60.17"), ("long", "24.94")]);
        let report = Report::read(&with_point).ok();
        assert_eq!(report.as_ref().and_then(|r| r.point), Some((24.94, 60.17)));
        assert_eq!(report.map(|r| r.language), Some(Language::Fi));
        assert!(Report::read(&params(&[base[0], base[1], ("lat", "60.17")])).is_err(), "lat alone");
        assert!(Report::read(&params(&[base[0], base[1], ("lat", "91"), ("long", "24")])).is_err());
        assert!(Report::read(&params(&[base[0], base[1], ("lat", "NaN"), ("long", "24")])).is_err());
        let no_words = params(&[base[0], ("address_string", "Fleminginkatu 1")]);
        assert!(Report::read(&no_words).is_err());
        let bad_media = params(&[base[0], base[1], ("address_string", "x"), ("media_url", "javascript:alert(1)")]);
        assert!(Report::read(&bad_media).is_err());
    }
}
