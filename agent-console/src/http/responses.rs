//! The answers many operations share, for the OpenAPI document: what any
//! signed-in operation may answer, what a JSON body or a UUID in the path may
//! be refused with before the handler runs.

use utoipa::IntoResponses;

use crate::http::error::ErrorBody;

/// What every operation that needs a session may answer besides its own.
#[derive(IntoResponses)]
pub enum Signed {
    /// No `Authorization: Bearer` token, or one whose session ended.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// Something failed on Batline's side (logged); try again.
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// What an operation with a JSON body may answer before its handler runs.
#[derive(IntoResponses)]
pub enum JsonBody {
    /// The body is not JSON (`bad_json`), or a path parameter is not a UUID
    /// (`bad_request`).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// The body is larger than 64 KiB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// No `Content-Type: application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// JSON that does not fit the schema (`bad_json`: a missing field, an
    /// unknown one where they are refused, a wrong type), or a value the
    /// rules refuse (`invalid`); `detail` says which.
    #[response(status = 422)]
    Unprocessable(ErrorBody),
}

/// A path parameter that is not a UUID.
#[derive(IntoResponses)]
pub enum BadId {
    /// The id in the path is not a UUID.
    #[response(status = 400)]
    BadRequest(ErrorBody),
}
