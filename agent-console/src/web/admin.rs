//! Administration pages: responders, skills and areas, walk-in points,
//! rosters, SLA policies and canned replies. Admins only.

use axum::Router;

use crate::AppState;

/// The admin routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
