//! Checking the free texts people send: trimmed, not empty, not too long.

use crate::http::error::ApiError;

/// `value` trimmed, refused when empty or longer than `max` characters;
/// `field` names it in the refusal.
pub fn text_field(value: &str, field: &str, max: usize) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::Unprocessable(format!("{field} is empty")));
    }
    let count = value.chars().count();
    if count > max {
        return Err(ApiError::Unprocessable(format!("{field} has {count} characters; the most is {max}")));
    }
    Ok(value.to_owned())
}
