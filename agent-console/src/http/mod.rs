//! The bottom of the console's HTTP side, shared by the JSON API and the
//! pages: the one error type and its mapping to HTTP, the extractors (the
//! signed-in responder, path and query with their rejections answered as
//! errors) and the shared answers the OpenAPI document names.

pub mod csv;
pub mod error;
pub mod extract;
pub mod responses;
pub mod signed_in;

/// Largest request body the console reads.
pub const BODY_LIMIT: usize = 64 * 1024;
