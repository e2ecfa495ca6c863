//! Filing web-chat messages. A chat session is its own resident, so filing
//! is SMS filing keyed by the session instead of a phone: join the open
//! case, or take a satisfaction answer for a resolved one, or open a case
//! with a named owner. Every filing also tells the gateways that the
//! session's conversation changed, in the same transaction.

use batline_core::{
    Error, Result,
    bus::BusMessage,
    domain::event_kind,
    satisfaction,
    store::{self, intake::Intake},
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    filing::{self, Filed, Notices, Opening, Outcome},
    state::Router,
};

/// The `kind` the gateway writes into a chat intake's `raw` for a press
/// of the satisfaction buttons.
pub const SATISFACTION_KIND: &str = "satisfaction";

/// The `kind` of a location the resident shared, with `lat` and `lon`.
pub const LOCATION_KIND: &str = "location";

/// The point (longitude, latitude) a location intake carries.
fn shared_point(intake: &Intake) -> Option<(f64, f64)> {
    let raw = &intake.raw;
    if raw.get("kind").and_then(|k| k.as_str()) != Some(LOCATION_KIND) {
        return None;
    }
    let number = |key: &str| raw.get(key).and_then(serde_json::Value::as_f64).filter(|v| v.is_finite());
    Some((number("lon")?, number("lat")?))
}

/// Files a chat intake row (already locked by the caller).
pub async fn file(router: &Router, conn: &mut PgConnection, intake: &Intake) -> Result<Outcome> {
    let session_id: Uuid = intake
        .sender
        .parse()
        .map_err(|_| Error::Invalid(format!("chat intake {} names no session: {:?}", intake.id, intake.sender)))?;
    let session = store::chat::get(&mut *conn, session_id).await?.ok_or(Error::NotFound("chat session"))?;
    // Serialises everything filed for this resident, as for SMS; a first
    // message (no case names the resident yet) asks for no earlier case.
    let resident =
        store::residents::lock_for_filing(conn, session.resident_id).await?.ok_or(Error::NotFound("resident"))?;
    let pressed_button = intake.raw.get("kind").and_then(|k| k.as_str()) == Some(SATISFACTION_KIND);

    let (filed, mut notices) = match filing::open_case_of(conn, &resident).await? {
        Some(case) if !pressed_button => {
            let joined = filing::join(router, conn, &case, intake, serde_json::json!({})).await?;
            if let Some((lon, lat)) = shared_point(intake) {
                filing::locate_shared(router, conn, case.id, lon, lat).await?;
            }
            joined
        }
        open => {
            let awaiting = if resident.is_new {
                None
            } else {
                filing::satisfaction::awaiting(router, conn, session.resident_id).await?
            };
            match (satisfaction::parse(&intake.body), awaiting) {
                (Some(answer), Some(resolved)) => {
                    filing::satisfaction::file(router, conn, intake, &resolved, answer).await?
                }
                // A second press (a double click, two tabs) after the
                // answer was taken: keep it on the case, change nothing.
                _ if pressed_button => {
                    let latest = match open {
                        Some(case) => Some(case),
                        None => match store::chat::current_case(&mut *conn, session.resident_id).await? {
                            Some(c) => store::cases::get(&mut *conn, c.id).await?,
                            None => None,
                        },
                    };
                    let case = latest.ok_or_else(|| {
                        Error::Invalid(format!("chat session {session_id} answered a question it was never asked"))
                    })?;
                    let data = serde_json::json!({ "ignored": "already answered" });
                    filing::file_into(conn, &case, intake, event_kind::RESIDENT_MESSAGE, data).await?;
                    (Filed::Joined { case_id: case.id }, Notices::default())
                }
                _ => {
                    let previous_owner = filing::previous_owner_of(router, conn, &resident).await?;
                    // A chat that starts by sharing where the resident is:
                    // routed by that district from the first second.
                    let shared =
                        shared_point(intake).and_then(|(lon, lat)| filing::point_location(router, lon, lat, "shared"));
                    let opening = Opening {
                        area: shared.as_ref().map(|(_, district)| district.as_str()),
                        location: shared.as_ref().map(|(location, _)| location.clone()),
                        ..Opening::new(session.resident_id, session.language, previous_owner)
                    };
                    filing::open_case(router, conn, intake, opening, filing::auto_reply(router, session.language))
                        .await?
                }
            }
        }
    };
    notices.tell(&BusMessage::ChatUpdated { session_id })?;
    Ok((filed, notices))
}
