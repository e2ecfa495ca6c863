//! The city's district division and gazetteer: areas with their boundaries,
//! streets, named places and postal codes (migration `…080_areas`). They
//! are written all at once by [`crate::place::load`] (a re-load replaces
//! them) and read once at start-up into a [`crate::place::CityMap`].

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgExecutor, types::Json};

use crate::Result;

/// One area as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AreaRow {
    /// A district's Finnish name ("Kallio"); other levels are prefixed
    /// ("suurpiiri:3", "osa-alue:113").
    pub code: String,
    /// `major_district`, `district` or `sub_district`.
    pub level: String,
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name.
    pub name_sv: String,
    /// The area one level up.
    pub parent: Option<String>,
    /// A GeoJSON Polygon or MultiPolygon, WGS84 longitude/latitude.
    pub boundary: Json<serde_json::Value>,
}

/// A run of house numbers on a street and where they are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HouseRange {
    /// Lowest number in the run; none for a street without numbers.
    pub from: Option<u32>,
    /// Highest number in the run.
    pub to: Option<u32>,
    /// Longitude of the run's middle (WGS84).
    pub lon: f64,
    /// Latitude of the run's middle (WGS84).
    pub lat: f64,
}

/// One street as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StreetRow {
    /// Finnish name, "Fleminginkatu".
    pub name_fi: String,
    /// Swedish name, "Flemingsgatan" (the Finnish one when it has none).
    pub name_sv: String,
    /// The district holding most of its ranges.
    pub district: String,
    /// Its house-number runs, by number.
    pub ranges: Json<Vec<HouseRange>>,
}

/// A named place (park, square, island, hall) as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PlaceRow {
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name.
    pub name_sv: String,
    /// Longitude (WGS84).
    pub lon: f64,
    /// Latitude (WGS84).
    pub lat: f64,
    /// The district it is in.
    pub district: String,
}

/// A postal code and its district, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PostalCodeRow {
    /// Five digits, "00530".
    pub code: String,
    /// The district holding most of its addresses.
    pub district: String,
}

/// Empties the four tables, so a load replaces what was there. In one
/// statement, so no reader between two deletes sees half a city.
#[tracing::instrument(skip(e))]
pub async fn delete_all(e: &mut PgConnection) -> Result<()> {
    sqlx::query("TRUNCATE postal_codes, places, streets, areas").execute(e).await?;
    Ok(())
}

/// Writes `areas` in one statement.
#[tracing::instrument(skip_all, fields(count = areas.len()))]
pub async fn insert_areas(e: &mut PgConnection, areas: &[AreaRow]) -> Result<()> {
    sqlx::query(
        "INSERT INTO areas (code, level, name_fi, name_sv, parent, boundary)
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[])",
    )
    .bind(areas.iter().map(|a| a.code.as_str()).collect::<Vec<_>>())
    .bind(areas.iter().map(|a| a.level.as_str()).collect::<Vec<_>>())
    .bind(areas.iter().map(|a| a.name_fi.as_str()).collect::<Vec<_>>())
    .bind(areas.iter().map(|a| a.name_sv.as_str()).collect::<Vec<_>>())
    .bind(areas.iter().map(|a| a.parent.as_deref()).collect::<Vec<_>>())
    .bind(areas.iter().map(|a| &a.boundary).collect::<Vec<_>>())
    .execute(e)
    .await?;
    Ok(())
}

/// Writes `streets` in one statement.
#[tracing::instrument(skip_all, fields(count = streets.len()))]
pub async fn insert_streets(e: &mut PgConnection, streets: &[StreetRow]) -> Result<()> {
    sqlx::query(
        "INSERT INTO streets (name_fi, name_sv, district, ranges)
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::jsonb[])",
    )
    .bind(streets.iter().map(|s| s.name_fi.as_str()).collect::<Vec<_>>())
    .bind(streets.iter().map(|s| s.name_sv.as_str()).collect::<Vec<_>>())
    .bind(streets.iter().map(|s| s.district.as_str()).collect::<Vec<_>>())
    .bind(streets.iter().map(|s| &s.ranges).collect::<Vec<_>>())
    .execute(e)
    .await?;
    Ok(())
}

/// Writes `places` in one statement.
#[tracing::instrument(skip_all, fields(count = places.len()))]
pub async fn insert_places(e: &mut PgConnection, places: &[PlaceRow]) -> Result<()> {
    sqlx::query(
        "INSERT INTO places (name_fi, name_sv, lon, lat, district)
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::float8[], $4::float8[], $5::text[])",
    )
    .bind(places.iter().map(|p| p.name_fi.as_str()).collect::<Vec<_>>())
    .bind(places.iter().map(|p| p.name_sv.as_str()).collect::<Vec<_>>())
    .bind(places.iter().map(|p| p.lon).collect::<Vec<_>>())
    .bind(places.iter().map(|p| p.lat).collect::<Vec<_>>())
    .bind(places.iter().map(|p| p.district.as_str()).collect::<Vec<_>>())
    .execute(e)
    .await?;
    Ok(())
}

/// Writes `codes` in one statement.
#[tracing::instrument(skip_all, fields(count = codes.len()))]
pub async fn insert_postal_codes(e: &mut PgConnection, codes: &[PostalCodeRow]) -> Result<()> {
    sqlx::query(
        "INSERT INTO postal_codes (code, district)
         SELECT * FROM UNNEST($1::text[], $2::text[])",
    )
    .bind(codes.iter().map(|c| c.code.as_str()).collect::<Vec<_>>())
    .bind(codes.iter().map(|c| c.district.as_str()).collect::<Vec<_>>())
    .execute(e)
    .await?;
    Ok(())
}

/// How many areas are loaded (none before the first `batline areas load`).
#[tracing::instrument(skip(e))]
pub async fn count(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM areas").fetch_one(e).await?)
}

/// Every area, by code.
#[tracing::instrument(skip(e))]
pub async fn list_areas(e: impl PgExecutor<'_>) -> Result<Vec<AreaRow>> {
    Ok(sqlx::query_as("SELECT code, level, name_fi, name_sv, parent, boundary FROM areas ORDER BY code")
        .fetch_all(e)
        .await?)
}

/// The districts (the routing level) with their boundaries, by code.
#[tracing::instrument(skip(e))]
pub async fn list_districts(e: impl PgExecutor<'_>) -> Result<Vec<AreaRow>> {
    Ok(sqlx::query_as(
        "SELECT code, level, name_fi, name_sv, parent, boundary FROM areas WHERE level = 'district' ORDER BY code",
    )
    .fetch_all(e)
    .await?)
}

/// Every street, by Finnish name.
#[tracing::instrument(skip(e))]
pub async fn list_streets(e: impl PgExecutor<'_>) -> Result<Vec<StreetRow>> {
    Ok(sqlx::query_as("SELECT name_fi, name_sv, district, ranges FROM streets ORDER BY name_fi, id")
        .fetch_all(e)
        .await?)
}

/// Every named place, by Finnish name.
#[tracing::instrument(skip(e))]
pub async fn list_places(e: impl PgExecutor<'_>) -> Result<Vec<PlaceRow>> {
    Ok(sqlx::query_as("SELECT name_fi, name_sv, lon, lat, district FROM places ORDER BY name_fi, id")
        .fetch_all(e)
        .await?)
}

/// Every postal code, by code.
#[tracing::instrument(skip(e))]
pub async fn list_postal_codes(e: impl PgExecutor<'_>) -> Result<Vec<PostalCodeRow>> {
    Ok(sqlx::query_as("SELECT code, district FROM postal_codes ORDER BY code").fetch_all(e).await?)
}

/// A district as lists show it: its code and names.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct District {
    /// The code cases, responders and walk-in points hold.
    pub code: String,
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name.
    pub name_sv: String,
}

impl District {
    /// The name in `lang` (Swedish in Swedish, else Finnish: the city has
    /// no English names for its districts).
    pub fn name(&self, lang: crate::domain::Language) -> &str {
        match lang {
            crate::domain::Language::Sv => &self.name_sv,
            _ => &self.name_fi,
        }
    }
}

/// The districts (the level Batline routes on), by Finnish name: what the
/// city's lists of areas offer.
#[tracing::instrument(skip(e))]
pub async fn districts(e: impl PgExecutor<'_>) -> Result<Vec<District>> {
    Ok(sqlx::query_as("SELECT code, name_fi, name_sv FROM areas WHERE level = 'district' ORDER BY name_fi")
        .fetch_all(e)
        .await?)
}

/// For each of `names`, the code of the district it names (its code, its
/// Finnish or its Swedish name, in any case), in order; `None` for a name
/// that is no district's.
#[tracing::instrument(skip(e))]
pub async fn district_codes(e: impl PgExecutor<'_>, names: &[String]) -> Result<Vec<Option<String>>> {
    Ok(sqlx::query_scalar(
        "SELECT (SELECT a.code FROM areas a
                  WHERE a.level = 'district'
                    AND lower(n) IN (lower(a.code), lower(a.name_fi), lower(a.name_sv))
                  ORDER BY a.code LIMIT 1)
           FROM unnest($1::text[]) WITH ORDINALITY AS named(n, i)
          ORDER BY i",
    )
    .bind(names)
    .fetch_all(e)
    .await?)
}
