//! The gateway's copy of the city's map ([`CityMap`]): read from the store
//! the first time a page needs it, then kept. An empty store (areas not yet
//! loaded) is read again next time, so `batline areas load` followed by
//! the first question needs no restart; a re-load after that does.

use std::sync::Arc;

use batline_core::{Result, place::CityMap};
use sqlx::PgPool;
use tokio::sync::RwLock;

/// The map, once read.
#[derive(Default)]
pub struct CityCell {
    map: RwLock<Option<Arc<CityMap>>>,
}

impl CityCell {
    /// The map; reads it from `pool` if it has not been read yet (or was
    /// empty then).
    pub async fn get(&self, pool: &PgPool) -> Result<Arc<CityMap>> {
        if let Some(map) = self.map.read().await.clone() {
            return Ok(map);
        }
        let mut slot = self.map.write().await;
        if let Some(map) = slot.clone() {
            return Ok(map);
        }
        let map = Arc::new(CityMap::load(pool).await?);
        if !map.is_empty() {
            *slot = Some(map.clone());
        }
        Ok(map)
    }
}
