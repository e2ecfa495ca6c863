//! A city's data directory, as `data/areas/helsinki/` lays it out (its
//! `SOURCE.md` says where each file comes from):
//!
//! - `areas.geojson`: a FeatureCollection, one Feature per area with
//!   properties `code`, `level` (`major_district`, `district`,
//!   `sub_district`), `name_fi`, `name_sv`, `parent`, and a Polygon or
//!   MultiPolygon geometry (WGS84);
//! - `streets.tsv`: `name_fi`, `name_sv`, `number_from`, `number_to`,
//!   `lon`, `lat`, one row per house-number range, a street's rows together;
//! - `places.tsv`: `name_fi`, `name_sv`, `lon`, `lat`;
//! - `postal_codes.tsv`: `code`, `district`.
//!
//! Each street's and place's district is found here, by point in polygon,
//! so the store holds it ready.

use std::path::Path;

use serde::Deserialize;
use sqlx::types::Json;

use super::city_map::CityMap;
use crate::{
    Error, Result,
    store::areas::{AreaRow, HouseRange, PlaceRow, PostalCodeRow, StreetRow},
};

/// The four files' text.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// `areas.geojson`.
    pub areas: &'a str,
    /// `streets.tsv`.
    pub streets: &'a str,
    /// `places.tsv`.
    pub places: &'a str,
    /// `postal_codes.tsv`.
    pub postal_codes: &'a str,
}

/// A city's data, parsed and ready for the store.
#[derive(Debug, Clone, Default)]
pub struct CityData {
    /// Every area at every level.
    pub areas: Vec<AreaRow>,
    /// Every street inside the city, with its district.
    pub streets: Vec<StreetRow>,
    /// Every named place inside the city, with its district.
    pub places: Vec<PlaceRow>,
    /// Every postal code with its district.
    pub postal_codes: Vec<PostalCodeRow>,
}

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: serde_json::Value,
}

#[derive(Deserialize)]
struct Properties {
    code: String,
    level: String,
    name_fi: String,
    name_sv: String,
    parent: Option<String>,
}

#[derive(Deserialize)]
struct StreetLine {
    name_fi: String,
    name_sv: String,
    number_from: Option<u32>,
    number_to: Option<u32>,
    lon: f64,
    lat: f64,
}

#[derive(Deserialize)]
struct PlaceLine {
    name_fi: String,
    name_sv: String,
    lon: f64,
    lat: f64,
}

#[derive(Deserialize)]
struct PostalLine {
    code: String,
    district: String,
}

impl CityData {
    /// Reads the four files from `dir`.
    pub fn read_dir(dir: &Path) -> Result<CityData> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", dir.join(name).display())))
        };
        let (areas, streets, places, postal_codes) =
            (read("areas.geojson")?, read("streets.tsv")?, read("places.tsv")?, read("postal_codes.tsv")?);
        CityData::parse(&Sources { areas: &areas, streets: &streets, places: &places, postal_codes: &postal_codes })
    }

    /// Parses the files' text; the error names the file and line at fault.
    pub fn parse(sources: &Sources<'_>) -> Result<CityData> {
        let collection: FeatureCollection =
            serde_json::from_str(sources.areas).map_err(|e| Error::Invalid(format!("areas.geojson: {e}")))?;
        let areas: Vec<AreaRow> = collection
            .features
            .into_iter()
            .map(|f| AreaRow {
                code: f.properties.code,
                level: f.properties.level,
                name_fi: f.properties.name_fi,
                name_sv: f.properties.name_sv,
                parent: f.properties.parent,
                boundary: Json(f.geometry),
            })
            .collect();
        // The areas alone answer where each street and place is.
        let map = CityMap::new(&areas, &[], &[], &[])?;
        let district_at = |lon: f64, lat: f64| map.district_at(lon, lat).map(|d| d.district.code);

        let mut streets: Vec<StreetRow> = Vec::new();
        for line in rows::<StreetLine>("streets.tsv", sources.streets)? {
            let range = HouseRange { from: line.number_from, to: line.number_to, lon: line.lon, lat: line.lat };
            match streets.last_mut() {
                Some(s) if s.name_fi == line.name_fi && s.name_sv == line.name_sv => s.ranges.0.push(range),
                _ => streets.push(StreetRow {
                    name_fi: line.name_fi,
                    name_sv: line.name_sv,
                    district: String::new(),
                    ranges: Json(vec![range]),
                }),
            }
        }
        // A street's district is where most of its ranges are; a street
        // with no range inside the city is left out.
        streets.retain_mut(|s| {
            let mut counts: Vec<(String, usize)> = Vec::new();
            for r in &s.ranges.0 {
                if let Some(d) = district_at(r.lon, r.lat) {
                    match counts.iter_mut().find(|(c, _)| *c == d) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((d, 1)),
                    }
                }
            }
            match counts.into_iter().max_by_key(|(_, n)| *n) {
                Some((d, _)) => {
                    s.district = d;
                    true
                }
                None => false,
            }
        });
        let places = rows::<PlaceLine>("places.tsv", sources.places)?
            .into_iter()
            .filter_map(|p| {
                let district = district_at(p.lon, p.lat)?;
                Some(PlaceRow { name_fi: p.name_fi, name_sv: p.name_sv, lon: p.lon, lat: p.lat, district })
            })
            .collect();
        let postal_codes = rows::<PostalLine>("postal_codes.tsv", sources.postal_codes)?
            .into_iter()
            .map(|p| PostalCodeRow { code: p.code, district: p.district })
            .collect();
        Ok(CityData { areas, streets, places, postal_codes })
    }

    /// The map of this data, without going through the store (tests).
    pub fn city_map(&self) -> Result<CityMap> {
        CityMap::new(&self.areas, &self.streets, &self.places, &self.postal_codes)
    }
}

/// A tab-separated file with a header row, as `T`s.
fn rows<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<Vec<T>> {
    csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .from_reader(text.as_bytes())
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.map_err(|e| Error::Invalid(format!("{file} line {}: {e}", i + 2))))
        .collect()
}
