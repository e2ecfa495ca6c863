//! axum's `Json`, `Path` and `Query` extractors, with their rejections
//! answered through [`ApiError`] like every other failure: the JSON error
//! body with a `code`, instead of axum's plain text that no client of this
//! API expects (and the OpenAPI document does not describe). axum's derive
//! does the mapping, through `ApiError`'s `From` for each rejection.

use axum::extract::{FromRequest, FromRequestParts};

use crate::http::error::ApiError;

/// A JSON body, as [`axum::Json`]: a body that is not JSON, too large, not
/// `Content-Type: application/json` or not of the type answers `bad_json`
/// with axum's status.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

/// Path parameters, as [`axum::extract::Path`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The query string, as [`axum::extract::Query`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);
