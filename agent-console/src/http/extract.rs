//! axum's `Json`, `Form`, `Path` and `Query` extractors, with their
//! rejections answered through [`ApiError`] like every other failure: the
//! JSON error body with a `code`, instead of axum's plain text that no
//! client of this API expects (and the OpenAPI document does not describe).
//! `ApiError`'s `From` for each rejection says how it maps.
//!
//! `Json`, `Form` and `Query` blank control characters in every string
//! before the handler sees it ([`batline_core::plain_text`]): the one rule
//! for text, applied where text comes in so no handler can forget it.

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{StatusCode, request::Parts},
};
use batline_core::plain_text;
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;

/// A JSON body, as [`axum::Json`], without control characters: a body
/// that is not JSON, too large or not `Content-Type: application/json`
/// answers `bad_json` with axum's status, one not of the type `422`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        plain_text::from_json(value).map(Json).map_err(|e| {
            ApiError::Json(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Failed to deserialize the JSON body into the target type: {e}"),
            )
        })
    }
}

/// A form body, as [`axum::Form`], without control characters.
#[derive(Debug)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state).await?;
        plain_text::from_pairs(&pairs).map(Form).map_err(|e| {
            ApiError::Malformed(StatusCode::UNPROCESSABLE_ENTITY, format!("Failed to deserialize form body: {e}"))
        })
    }
}

/// Path parameters, as [`axum::extract::Path`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The query string, as [`axum::extract::Query`], without control characters.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(pairs) =
            axum::extract::Query::<Vec<(String, String)>>::from_request_parts(parts, state).await?;
        plain_text::from_pairs(&pairs).map(Query).map_err(|e| {
            ApiError::Malformed(StatusCode::BAD_REQUEST, format!("Failed to deserialize query string: {e}"))
        })
    }
}
