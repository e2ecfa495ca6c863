//! axum's `Path`, `Query` and `Form` extractors, with their rejections
//! answered through [`ApiError`] like every other failure: the JSON error
//! body with a `code`, instead of axum's plain text that no client of this
//! API expects (and the OpenAPI document does not describe). axum's derive
//! writes each wrapper; `ApiError`'s `From` impls for the rejections say
//! how each maps.

use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;

/// Path parameters, as [`axum::extract::Path`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The query string, as [`axum::extract::Query`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// A form body, as [`axum::extract::Form`].
#[derive(Debug, FromRequest)]
#[from_request(via(axum::extract::Form), rejection(ApiError))]
pub struct Form<T>(pub T);
