//! Filing Open311 requests. A city app's report opens a case of its own:
//! it is about one thing in one place, whatever else its reporter has
//! raised. The topic is the request's `service_code`; the place and
//! district come from its `lat`/`long`, else from its address, else from
//! its words. The reporter's first answer is the post's own
//! `service_notice`, which names the owner.
//!
//! A reporter who gave an email address is the resident Batline knows by
//! it (one resident across channels: their emails and their reports meet),
//! and is told by email too: the first answer naming the owner now, and
//! the owner's replies and the resolution as they come (`outbound::queue`
//! copies every Open311 answer to them). Should that resident have an open
//! case already, the report still opens its own, for a new resident, and
//! the app is where they read it; the owner sees the address on the case.

use batline_core::{
    Error, Result, email_address, language,
    store::{self, cases::CaseLocation, intake::Intake},
};
use sqlx::PgConnection;

use crate::{
    filing::{self, AutoReply, Opening, Outcome},
    state::Router,
};

/// The contact fields a reporter may give, shown to the case's owner.
const CONTACT_FIELDS: [&str; 4] = ["first_name", "last_name", "email", "phone"];

/// Files one Open311 request, inside the caller's transaction.
pub async fn file(router: &Router, conn: &mut PgConnection, intake: &Intake) -> Result<Outcome> {
    let request = store::open311::request(&mut *conn, intake.id)
        .await?
        .ok_or_else(|| Error::Invalid(format!("intake {} has no Open311 request beside it", intake.id)))?;
    let locale = intake.raw.get("locale").and_then(|l| l.as_str()).and_then(|l| l.get(..2)?.parse().ok());
    let language = locale.or_else(|| language::detect(&intake.body)).unwrap_or_default();
    // Only where the line answers by email (`BATLINE_MAIL_FROM`).
    let email = intake
        .raw
        .get("email")
        .and_then(|v| v.as_str())
        .and_then(email_address::normalize)
        .filter(|_| router.config.email.is_some());
    let known = match &email {
        Some(address) => {
            let resident = store::residents::upsert_by_email(conn, address, language).await?;
            let busy = store::residents::open_case(&mut *conn, resident.id).await?.is_some();
            (!busy).then_some(resident)
        }
        None => None,
    };
    let by_email = known.is_some();
    let resident = match known {
        Some(resident) => resident,
        None => store::residents::insert_without_phone(conn, language).await?,
    };

    // Where: the reporter's point is surest; an address the city's map
    // knows comes next; the words are heard by filing itself.
    let (location, area) = match (request.lon, request.lat) {
        (Some(lon), Some(lat)) => match filing::point_location(router, lon, lat, "open311") {
            Some((location, district)) => (Some(location), Some(district)),
            // Outside the city's districts: the point is still where it is.
            None => (
                Some(CaseLocation { label: format!("{lat:.5}, {lon:.5}"), point: Some((lon, lat)), by: "open311" }),
                None,
            ),
        },
        _ => match request.address.as_deref() {
            Some(address) => match router.city.locate_text(address).filter(|l| l.is_confident()) {
                Some(found) => (Some(CaseLocation::located(&found, "open311")), Some(found.districts.district.code)),
                None => (Some(CaseLocation { label: address.to_owned(), point: None, by: "open311" }), None),
            },
            None => (None, None),
        },
    };
    let offered = store::topics::is_offered(&mut *conn, &request.service_code).await?;
    let mut reporter = serde_json::Map::new();
    for field in CONTACT_FIELDS {
        if let Some(value) = intake.raw.get(field).and_then(|v| v.as_str()).filter(|v| !v.trim().is_empty()) {
            reporter.insert(field.into(), value.trim().into());
        }
    }
    let opening = Opening {
        topic: offered.then_some(request.service_code.as_str()),
        area: area.as_deref(),
        location,
        details: serde_json::json!({
            "service_request_id": request.number.to_string(),
            "reporter": reporter,
        }),
        ..Opening::new(resident.id, language, None)
    };
    filing::open_case(router, conn, intake, opening, |code, owner| {
        if !by_email {
            return AutoReply::InAnswer;
        }
        match filing::auto_reply(router, language)(code, owner) {
            AutoReply::Send(body) => AutoReply::InAnswerAndByEmail(body),
            other => other,
        }
    })
    .await
}
