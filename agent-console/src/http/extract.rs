//! axum's `Path` and `Query` extractors, with their rejections
//! answered through [`ApiError`] like every other failure: the JSON error
//! body with a `code`, instead of axum's plain text that no client of this
//! API expects (and the OpenAPI document does not describe).

use axum::{extract::FromRequestParts, http::request::Parts};
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;

/// Path parameters, as [`axum::extract::Path`].
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Path(axum::extract::Path::<T>::from_request_parts(parts, state).await?.0))
    }
}

/// The query string, as [`axum::extract::Query`].
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Query(axum::extract::Query::<T>::from_request_parts(parts, state).await?.0))
    }
}
