//! Twilio's voice webhooks. A call is a contact like a text: the gateway
//! stores it and hands it to the router, then waits (briefly) for the
//! router to name the owner and rings the owner's phone. The caller is never
//! dropped and never sent to a generic mailbox: while routing is slow they
//! hear a short hold and Twilio comes back ([`answer`]); when the owner does
//! not pick up they hear who will call back and by when, and may leave a
//! message ([`dial`]); the owner then owes a call-back, which the console
//! starts and [`call_back`] puts through.
//!
//! Every route here takes a Twilio-signed form; the `case` in a callback's
//! query string was written by Batline into TwiML Twilio signed back, and is
//! checked against the call it names anyway.

pub mod answer;
pub mod call_back;
pub mod dial;
pub mod forms;
pub mod status;
pub mod twiml;

use axum::{
    http::{StatusCode, header::CONTENT_TYPE},
    response::{IntoResponse, Response},
};
use batline_core::store::{self, calls::Call};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{error::ApiError, state::AppState};

/// The query string of Batline's own callback URLs.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// The case the call is on.
    pub case: Uuid,
}

impl IntoResponse for twiml::Response {
    fn into_response(self) -> Response {
        (StatusCode::OK, [(CONTENT_TYPE, "text/xml; charset=utf-8")], self.render()).into_response()
    }
}

/// An absolute URL on Batline's public address, as Twilio must call it.
pub(crate) fn public_url(state: &AppState, path_and_query: &str) -> String {
    format!("{}{path_and_query}", state.config.public_url.as_str().trim_end_matches('/'))
}

/// The call `sid`, locked, if it is on `case_id`. A callback naming a call
/// Batline does not know, or another case, is refused.
pub(crate) async fn lock_call_on(conn: &mut PgConnection, sid: &str, case_id: Uuid) -> Result<Call, ApiError> {
    match store::calls::lock(conn, sid).await? {
        Some(call) if call.case_id == Some(case_id) => Ok(call),
        _ => Err(batline_core::Error::NotFound("call on that case").into()),
    }
}

/// Twilio's seconds fields (`DialCallDuration`, `RecordingDuration`, ...).
pub(crate) fn seconds(form: &batline_core::twilio::form::Form, name: &str) -> Option<i32> {
    form.get(name).and_then(|v| v.trim().parse::<i32>().ok()).filter(|s| *s >= 0)
}
