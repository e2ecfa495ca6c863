//! The gateway's copies of the city's maps, each read from the store the
//! first time a page needs it ([`Loaded`]): the [`CityMap`] the "which area"
//! page asks, and the [`DistrictMap`] `/open` draws.

use std::sync::Arc;

use batline_core::{
    Result,
    place::{CityMap, DistrictMap, Loaded},
};
use sqlx::PgPool;

/// Both maps, once read.
#[derive(Default)]
pub struct CityCell {
    map: Loaded<CityMap>,
    districts: Loaded<DistrictMap>,
}

impl CityCell {
    /// The city map.
    pub async fn get(&self, pool: &PgPool) -> Result<Arc<CityMap>> {
        self.map.get(|| CityMap::load(pool)).await
    }

    /// The district map.
    pub async fn districts(&self, pool: &PgPool) -> Result<Arc<DistrictMap>> {
        self.districts.get(|| DistrictMap::load(pool)).await
    }
}
