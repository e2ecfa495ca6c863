//! Roster administration: import shifts from CSV and check the coverage of
//! the coming days. For leads, the mayor and admins.

use batline_core::{
    roster::{self, Gap},
    store::responders::Responder,
};

use crate::{http::error::ApiError, state::AppState};

/// Refuses anyone but a lead, the mayor or an admin.
pub fn ensure_lead(me: &Responder) -> Result<(), ApiError> {
    if me.role.may_reassign() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("rosters are for leads, the mayor and admins".into()))
    }
}

/// Imports a roster CSV as `me` (the API and the admin page both come
/// here); returns how many shifts it held.
pub(crate) async fn import_as(state: &AppState, me: &Responder, csv: &str) -> Result<usize, ApiError> {
    ensure_lead(me)?;
    let shifts = roster::parse_csv(csv)?;
    let imported = roster::import(&state.pool, &shifts).await?;
    tracing::info!(imported, by = %me.username, "roster imported");
    Ok(imported)
}

/// The coverage gaps of the coming `days` (1 to 31), as `me`.
pub(crate) async fn coverage_as(state: &AppState, me: &Responder, days: u32) -> Result<Vec<Gap>, ApiError> {
    ensure_lead(me)?;
    if !(1..=31).contains(&days) {
        return Err(ApiError::Unprocessable("days must be between 1 and 31".into()));
    }
    Ok(roster::check(&state.pool, chrono::Utc::now(), days).await?)
}
