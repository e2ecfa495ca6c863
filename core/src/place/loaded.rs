//! [`Loaded`]: a map read from the store the first time a page needs it,
//! then kept. An empty one (areas not yet loaded) is read again next time,
//! so `batline areas load` followed by the first question needs no
//! restart; a re-load after that does.

use std::{future::Future, sync::Arc};

use tokio::sync::RwLock;

use crate::Result;

/// What a [`Loaded`] holds: read from the store, possibly empty.
pub trait FromStore: Sized {
    /// Whether nothing is loaded yet (so it is read again next time).
    fn is_empty(&self) -> bool;
}

impl FromStore for super::CityMap {
    fn is_empty(&self) -> bool {
        super::CityMap::is_empty(self)
    }
}

impl FromStore for super::DistrictMap {
    fn is_empty(&self) -> bool {
        super::DistrictMap::is_empty(self)
    }
}

/// A value read once: see the module's documentation.
pub struct Loaded<T> {
    slot: RwLock<Option<Arc<T>>>,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded { slot: RwLock::new(None) }
    }
}

impl<T: FromStore> Loaded<T> {
    /// The value; reads it with `load` if it has not been read yet (or was
    /// empty then).
    pub async fn get<F, Fut>(&self, load: F) -> Result<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        if let Some(value) = self.slot.read().await.clone() {
            return Ok(value);
        }
        let mut slot = self.slot.write().await;
        if let Some(value) = slot.clone() {
            return Ok(value);
        }
        let value = Arc::new(load().await?);
        if !value.is_empty() {
            *slot = Some(value.clone());
        }
        Ok(value)
    }
}
