//! `GET /area`: the form, or the answer for an address or postal code
//! typed in it; `POST /area`: the answer for a location the browser shared
//! (only when the resident pressed the button; the page's script posts the
//! one point and nothing else). Bad or unknown input gets the form again in
//! the resident's language, saying what to fix and keeping what they typed.
//! Both count against the same per-address limit as `/open`.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use batline_core::{
    place::{CityMap, Districts, LocatedBy, LonLat},
    store,
};
use serde::Deserialize;

use super::page::{self, Answer, Nearest, Problem};
use crate::{
    error::ApiError,
    http::extract::{Form, Query},
    state::AppState,
};

/// Longest address or postal code read: an address is far shorter, and a
/// longer text is not looked at.
pub const MAX_TYPED_CHARS: usize = 200;

/// Longest coordinate read: "60.1846912345678" is 16.
const MAX_COORDINATE_CHARS: usize = 32;

/// Query of `GET /area`.
#[derive(Debug, Deserialize)]
pub struct AreaQuery {
    /// An address or a postal code, as typed.
    q: Option<String>,
    lang: Option<String>,
}

/// Form of `POST /area`: the point the browser gave, as text so a bad one
/// gets a page, not an error body.
#[derive(Debug, Deserialize)]
pub struct SharedLocation {
    lat: Option<String>,
    lon: Option<String>,
    lang: Option<String>,
}

/// `GET /area[?q=…]`.
pub async fn find(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<AreaQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = crate::lang::pick(query.lang.as_deref(), &headers);
    let line = &state.twilio_config.from_number;
    let Some(typed) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(page::render(lang, line, "", Err(None), StatusCode::OK));
    };
    if let Err(wait) = state.open_limit.check(client.ip()) {
        let problem = Problem::TooMany(wait.as_secs().max(1));
        return Ok(page::render(lang, line, typed, Err(Some(problem)), StatusCode::TOO_MANY_REQUESTS));
    }
    if typed.chars().count() > MAX_TYPED_CHARS {
        let problem = Problem::TooLong(MAX_TYPED_CHARS);
        return Ok(page::render(lang, line, typed, Err(Some(problem)), StatusCode::UNPROCESSABLE_ENTITY));
    }
    let city = state.city.get(&state.pool).await?;
    if city.is_empty() {
        return Ok(page::render(lang, line, typed, Err(Some(Problem::NotLoaded)), StatusCode::SERVICE_UNAVAILABLE));
    }
    let Some(located) = city.locate_text(typed) else {
        let problem = if is_postal_code(typed) { Problem::NotOurPostalCode } else { Problem::NotFound };
        return Ok(page::render(lang, line, typed, Err(Some(problem)), StatusCode::UNPROCESSABLE_ENTITY));
    };
    let from = located.point.or_else(|| city.district_centre(&located.districts.district.code));
    let answer = Answer {
        nearest: nearest_point(&state, &city, &located.districts, from).await?,
        based_on: Some(located.label.get(lang).to_owned()),
        postal_code: located.by == LocatedBy::PostalCode,
        districts: located.districts,
    };
    Ok(page::render(lang, line, typed, Ok(answer), StatusCode::OK))
}

/// `POST /area` with `lat` and `lon`.
pub async fn shared(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SharedLocation>,
) -> Result<Response, ApiError> {
    let lang = crate::lang::pick(form.lang.as_deref(), &headers);
    let line = &state.twilio_config.from_number;
    if let Err(wait) = state.open_limit.check(client.ip()) {
        let problem = Problem::TooMany(wait.as_secs().max(1));
        return Ok(page::render(lang, line, "", Err(Some(problem)), StatusCode::TOO_MANY_REQUESTS));
    }
    let Some(point) = coordinates(form.lon.as_deref(), form.lat.as_deref()) else {
        return Ok(page::render(lang, line, "", Err(Some(Problem::BadLocation)), StatusCode::BAD_REQUEST));
    };
    let city = state.city.get(&state.pool).await?;
    if city.is_empty() {
        return Ok(page::render(lang, line, "", Err(Some(Problem::NotLoaded)), StatusCode::SERVICE_UNAVAILABLE));
    }
    let Some(districts) = city.district_at(point.lon, point.lat) else {
        return Ok(page::render(lang, line, "", Err(Some(Problem::OutsideCity)), StatusCode::UNPROCESSABLE_ENTITY));
    };
    let answer = Answer {
        nearest: nearest_point(&state, &city, &districts, Some(point)).await?,
        based_on: None,
        postal_code: false,
        districts,
    };
    Ok(page::render(lang, line, "", Ok(answer), StatusCode::OK))
}

/// A WGS84 point from the browser's text, or none if either is missing,
/// not a number, too long or off the globe.
fn coordinates(lon: Option<&str>, lat: Option<&str>) -> Option<LonLat> {
    let read = |text: Option<&str>, limit: f64| {
        let text = text?.trim();
        let value: f64 = (text.len() <= MAX_COORDINATE_CHARS).then(|| text.parse().ok()).flatten()?;
        (value.is_finite() && value.abs() <= limit).then_some(value)
    };
    Some(LonLat { lon: read(lon, 180.0)?, lat: read(lat, 90.0)? })
}

fn is_postal_code(typed: &str) -> bool {
    typed.len() == 5 && typed.chars().all(|c| c.is_ascii_digit())
}

/// The walk-in point nearest to `from` (or to the district's middle), one
/// in the resident's own district first. A point's place is its address
/// if the map can read it, else the middle of its district.
async fn nearest_point(
    state: &AppState,
    city: &CityMap,
    districts: &Districts,
    from: Option<LonLat>,
) -> Result<Option<Nearest>, ApiError> {
    let points = store::walk_in_points::list(&state.pool).await?;
    let mut best: Option<(bool, f64, Nearest)> = None;
    for point in points {
        let at = city.locate_text(&point.address).and_then(|l| l.point).or_else(|| city.district_centre(&point.area));
        let same = point.area == districts.district.code;
        let metres = match (from, at) {
            (Some(a), Some(b)) => a.metres_to(b),
            _ => f64::INFINITY,
        };
        let better = match &best {
            None => true,
            Some((best_same, best_metres, _)) => (same, -metres) > (*best_same, -*best_metres),
        };
        if better {
            let area_name = city.districts_of(&point.area).map(|d| d.district);
            best = Some((
                same,
                metres,
                Nearest {
                    name: point.public_name,
                    address: point.address,
                    area: area_name,
                    hours: point.opening_hours.0,
                    metres: metres.is_finite().then_some(metres),
                    same_district: same,
                },
            ));
        }
    }
    Ok(best.map(|(_, _, n)| n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_read_carefully() {
        assert_eq!(coordinates(Some("24.95"), Some("60.18")), Some(LonLat { lon: 24.95, lat: 60.18 }));
        assert_eq!(coordinates(Some("24.95"), None), None);
        assert_eq!(coordinates(Some("x"), Some("60.18")), None);
        assert_eq!(coordinates(Some("NaN"), Some("60.18")), None);
        assert_eq!(coordinates(Some("24.95"), Some("95")), None);
        assert_eq!(coordinates(Some(&"1".repeat(40)), Some("60.18")), None);
    }
}
