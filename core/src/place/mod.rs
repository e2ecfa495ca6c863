//! Where a case is: the city's districts, streets and places, and finding
//! a resident's place in them.
//!
//! - [`CityMap`] is the city in memory, built once from the store
//!   ([`CityMap::load`]). Its two questions are the API the rest of Batline
//!   uses:
//!   - [`CityMap::district_at`]`(lon, lat)`: a point (a shared location, an
//!     Open311 `lat`/`long`) → its [`Districts`] at every level;
//!   - [`CityMap::locate_text`]`(text)`: a resident's words → a
//!     [`Located`] (point, districts, confidence and the words that decided
//!     it), or none when unsure.
//! - [`files`] reads a city's data directory (`data/areas/helsinki/` is
//!   Helsinki's) and [`load`] writes it to the store, replacing what was
//!   there; [`helsinki`] is Helsinki's data built into the binary, for
//!   `batline up`'s demo and the tests.
//! - [`finnish`] and [`text`] are the language underneath: case endings and
//!   consonant gradation, and words.

pub mod city_map;
pub mod district_map;
pub mod files;
pub mod finnish;
pub mod loaded;
pub mod text;

pub use city_map::{AreaName, CONFIDENT, CityMap, Districts, Level, Located, LocatedBy, LonLat, Names};
pub use district_map::{Colouring, DistrictMap, MapFigure, Shade, district_anchor};
pub use files::CityData;
pub use loaded::Loaded;
use sqlx::PgPool;

use crate::{Result, store::areas};

impl CityMap {
    /// The map of what the store holds; an empty map before the first load.
    pub async fn load(pool: &PgPool) -> Result<CityMap> {
        let (a, s, p, c) = tokio::try_join!(
            areas::list_areas(pool),
            areas::list_streets(pool),
            areas::list_places(pool),
            areas::list_postal_codes(pool),
        )?;
        // Parsing 200 boundaries and indexing 7,000 streets takes a few
        // hundred milliseconds: off the async threads.
        tokio::task::spawn_blocking(move || CityMap::new(&a, &s, &p, &c))
            .await
            .map_err(|e| crate::Error::Task(e.to_string()))?
    }
}

/// Writes `data` to the store in one transaction, replacing the areas,
/// streets, places and postal codes that were there.
pub async fn load(pool: &PgPool, data: &CityData) -> Result<()> {
    let mut tx = pool.begin().await?;
    areas::delete_all(&mut tx).await?;
    areas::insert_areas(&mut tx, &data.areas).await?;
    areas::insert_streets(&mut tx, &data.streets).await?;
    areas::insert_places(&mut tx, &data.places).await?;
    areas::insert_postal_codes(&mut tx, &data.postal_codes).await?;
    tx.commit().await?;
    Ok(())
}

/// Helsinki's data (`data/areas/helsinki/`), built into the binary.
pub mod helsinki {
    use sqlx::PgPool;

    use super::{CityData, files::Sources};
    use crate::Result;

    /// The files as built in.
    pub fn sources() -> Sources<'static> {
        Sources {
            areas: include_str!("../../../data/areas/helsinki/areas.geojson"),
            streets: include_str!("../../../data/areas/helsinki/streets.tsv"),
            places: include_str!("../../../data/areas/helsinki/places.tsv"),
            postal_codes: include_str!("../../../data/areas/helsinki/postal_codes.tsv"),
        }
    }

    /// Helsinki's data, parsed.
    pub fn data() -> Result<CityData> {
        CityData::parse(&sources())
    }

    /// Loads Helsinki's data into the store (replacing what was there).
    pub async fn load(pool: &PgPool) -> Result<()> {
        let data = tokio::task::spawn_blocking(data).await.map_err(|e| crate::Error::Task(e.to_string()))??;
        super::load(pool, &data).await
    }
}

#[cfg(test)]
mod tests;
