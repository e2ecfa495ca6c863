//! A chat resident leaves a phone number or an email address to be
//! answered there too, and proves it is theirs with a one-time code sent
//! there (through the outbox and the SMS or email sender, like any message
//! on their case). Once confirmed the address is theirs: if Batline already
//! knew it as another resident's (the phone that texted last week), the two
//! are linked into one resident (`batline_core::resident_link`), with every
//! case of both; when they cannot be (each has an open case), the case's
//! owner is told on the timeline and decides.
//!
//! Both calls carry the chat session token as a bearer token, as the
//! tracking page's conversation does, and answer JSON; refusals say what to
//! do in the session's language.

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode, header},
};
use batline_core::{
    bus::BusMessage,
    domain::{ActorKind, Channel, Language, MessageKind, event_kind},
    email_address, outbound,
    outbox::Outbox,
    phone::PhoneNumber,
    resident_link,
    store::{self, chat::ChatSession, messages::NewOutbound},
    texts,
};
use chrono::Utc;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{error::ApiError, hand_on, http::extract::Form, state::AppState};

/// How long a code works.
const CODE_MINUTES: i64 = 10;
/// Wrong tries before a code stops working.
const CODE_TRIES: i32 = 5;
/// Codes sent per chat session per hour, so the chat cannot be used to
/// flood somebody's phone or mailbox.
const CODES_PER_HOUR: i64 = 3;

/// What the resident gives: a phone number or an email address.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AskContact {
    /// A phone number as the resident writes it (`040 123 4567` is Finnish).
    #[schema(example = "040 123 4567")]
    #[serde(default)]
    phone: Option<String>,
    /// An email address.
    #[schema(example = "anna@example.fi")]
    #[serde(default)]
    email: Option<String>,
}

/// The code the resident received.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConfirmContact {
    /// The six digits.
    #[schema(example = "123456")]
    code: String,
}

/// How a contact request or confirmation went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactAnswer {
    /// `sent`: a code is on its way; `confirmed`: the address is the
    /// resident's, and answers may go there; `owner_decides`: confirmed,
    /// but it belongs to another open case of theirs, which the owner will
    /// join with this one.
    #[schema(example = "sent")]
    pub status: &'static str,
    /// `phone` or `email`.
    #[schema(example = "phone")]
    pub kind: &'static str,
    /// What happened, in the session's language, for the page to show.
    pub detail: String,
}

/// The words of the answers and refusals, in the session's language.
struct Words {
    sent: &'static str,
    confirmed: &'static str,
    owner_decides: &'static str,
    one_of: &'static str,
    bad_phone: &'static str,
    bad_email: &'static str,
    no_email: &'static str,
    no_case: &'static str,
    has_other_phone: &'static str,
    has_other_email: &'static str,
    too_many: &'static str,
    no_code: &'static str,
    expired: &'static str,
    wrong_code: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Fi => Words {
            sent: "Lähetimme vahvistuskoodin. Kirjoita se alle; se toimii 10 minuuttia.",
            confirmed: "Vahvistettu. Vastaukset voivat tulla nyt myös sinne.",
            owner_decides: "Vahvistettu. Sinulla on toinenkin avoin asia; vastuuhenkilö yhdistää ne.",
            one_of: "Anna joko puhelinnumero tai sähköpostiosoite.",
            bad_phone: "Tämä ei näytä puhelinnumerolta. Kirjoita esim. 040 123 4567 tai +358 40 123 4567.",
            bad_email: "Tämä ei näytä sähköpostiosoitteelta. Kirjoita esim. nimi@esimerkki.fi.",
            no_email: "Täällä ei vastata sähköpostilla. Anna puhelinnumero.",
            no_case: "Kirjoita ensin asiasi chattiin; sen jälkeen voit antaa yhteystiedon.",
            has_other_phone: "Olet jo antanut toisen puhelinnumeron. Kerro chatissa, jos se on muuttunut.",
            has_other_email: "Olet jo antanut toisen sähköpostiosoitteen. Kerro chatissa, jos se on muuttunut.",
            too_many: "Koodeja on lähetetty jo monta. Yritä tunnin päästä uudelleen.",
            no_code: "Pyydä ensin koodi antamalla puhelinnumero tai sähköpostiosoite.",
            expired: "Koodi on vanhentunut tai sitä on yritetty liian monesti. Pyydä uusi koodi.",
            wrong_code: "Koodi ei ole oikein. Tarkista se ja yritä uudelleen.",
        },
        Language::Sv => Words {
            sent: "Vi skickade en bekräftelsekod. Skriv den nedan; den gäller i 10 minuter.",
            confirmed: "Bekräftat. Svaren kan nu komma dit också.",
            owner_decides: "Bekräftat. Du har ett annat öppet ärende också; den ansvariga slår ihop dem.",
            one_of: "Ange antingen ett telefonnummer eller en e-postadress.",
            bad_phone: "Det ser inte ut som ett telefonnummer. Skriv t.ex. 040 123 4567 eller +358 40 123 4567.",
            bad_email: "Det ser inte ut som en e-postadress. Skriv t.ex. namn@exempel.fi.",
            no_email: "Här svarar vi inte per e-post. Ange ett telefonnummer.",
            no_case: "Skriv först ditt ärende i chatten; sedan kan du lämna en kontaktuppgift.",
            has_other_phone: "Du har redan angett ett annat telefonnummer. Skriv i chatten om det har ändrats.",
            has_other_email: "Du har redan angett en annan e-postadress. Skriv i chatten om den har ändrats.",
            too_many: "Många koder har redan skickats. Försök igen om en timme.",
            no_code: "Be först om en kod genom att ange ett telefonnummer eller en e-postadress.",
            expired: "Koden har gått ut eller prövats för många gånger. Be om en ny kod.",
            wrong_code: "Koden stämmer inte. Kontrollera den och försök igen.",
        },
        Language::En => Words {
            sent: "We sent a confirmation code. Type it below; it works for 10 minutes.",
            confirmed: "Confirmed. Answers can now come there too.",
            owner_decides: "Confirmed. You have another open case too; the person handling it will join them.",
            one_of: "Give either a phone number or an email address.",
            bad_phone: "That does not look like a phone number. Write, say, 040 123 4567 or +358 40 123 4567.",
            bad_email: "That does not look like an email address. Write, say, name@example.fi.",
            no_email: "Answers do not go by email here. Give a phone number.",
            no_case: "Write what it is about in the chat first; then you can leave a contact.",
            has_other_phone: "You have given another phone number already. Say in the chat if it has changed.",
            has_other_email: "You have given another email address already. Say in the chat if it has changed.",
            too_many: "Many codes have been sent already. Try again in an hour.",
            no_code: "Ask for a code first by giving a phone number or an email address.",
            expired: "The code has expired or was tried too many times. Ask for a new one.",
            wrong_code: "That code is not right. Check it and try again.",
        },
    }
}

fn refused(status: StatusCode, code: &'static str, detail: &str) -> ApiError {
    ApiError::Refused { status, code, detail: detail.to_owned() }
}

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The chat session whose token the request carries as a bearer token.
async fn session(state: &AppState, headers: &HeaderMap) -> Result<ChatSession, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    super::session::resume(&state.pool, token)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("no chat session: open the chat first".into()))
}

/// `POST /api/v1/chat/contact`: send a one-time code to the phone or the
/// email address the chat resident gives.
#[utoipa::path(
    post, path = "/api/v1/chat/contact", tag = "chat",
    security(("chat_session" = [])),
    request_body(content = AskContact, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 202, description = "A code is on its way (`status` `sent`)", body = ContactAnswer),
        (status = 200, description = "The address is the resident's already (`status` `confirmed`)", body = ContactAnswer),
        (status = 400, description = "The form does not parse", body = crate::error::ErrorBody),
        (status = 401, description = "No chat session token, or not a session's", body = crate::error::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 409, description = "No case yet (`no_case`: write first), or another phone or address is the \
            resident's already (`has_other`)", body = crate::error::ErrorBody),
        (status = 413, description = "The body is too large", body = crate::error::ErrorBody),
        (status = 415, description = "The body is not `application/x-www-form-urlencoded`", body = crate::error::ErrorBody),
        (status = 422, description = "Neither or both of `phone` and `email`, or not a phone number or an email \
            address (`invalid`; `detail` says how to write one)", body = crate::error::ErrorBody),
        crate::http::responses::RateLimited,
        crate::http::responses::Internal,
    )
)]
pub async fn ask(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<AskContact>,
) -> Result<(StatusCode, Json<ContactAnswer>), ApiError> {
    state.track_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let session = session(&state, &headers).await?;
    let w = words(session.language);
    let invalid = |detail: &str| refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid", detail);
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let (kind, address, channel) = match (given(&form.phone), given(&form.email)) {
        (Some(phone), None) => {
            let phone = PhoneNumber::parse(&phone).map_err(|_| invalid(w.bad_phone))?.into_string();
            ("phone", phone, Channel::Sms)
        }
        // Nothing would send the code, nor any answer.
        (None, Some(_)) if state.config.email.is_none() => return Err(invalid(w.no_email)),
        (None, Some(email)) => {
            ("email", email_address::normalize(&email).ok_or_else(|| invalid(w.bad_email))?, Channel::Email)
        }
        _ => return Err(invalid(w.one_of)),
    };
    let Some(case) = store::chat::current_case(&state.pool, session.resident_id).await? else {
        return Err(refused(StatusCode::CONFLICT, "no_case", w.no_case));
    };
    let mut tx = state.pool.begin().await?;
    // Locked: a confirmation of this resident's, or a link, waits.
    let resident =
        store::residents::lock(&mut tx, session.resident_id).await?.ok_or(batline_core::Error::NotFound("resident"))?;
    let theirs = if kind == "phone" { resident.phone.as_deref() } else { resident.email.as_deref() };
    match theirs {
        Some(known) if known == address => {
            return Ok((StatusCode::OK, Json(ContactAnswer { status: "confirmed", kind, detail: w.confirmed.into() })));
        }
        Some(_) => {
            let other = if kind == "phone" { w.has_other_phone } else { w.has_other_email };
            return Err(refused(StatusCode::CONFLICT, "has_other", other));
        }
        None => {}
    }
    let since = Utc::now() - chrono::Duration::hours(1);
    if store::contact_codes::sent_since(&mut *tx, session.id, since).await? >= CODES_PER_HOUR {
        return Err(refused(StatusCode::TOO_MANY_REQUESTS, "rate_limited", w.too_many));
    }
    let secret = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let expires = Utc::now() + chrono::Duration::minutes(CODE_MINUTES);
    store::contact_codes::insert(&mut tx, session.id, kind, &address, &hash(&secret), expires).await?;
    let body = texts::contact_code(session.language, &secret, &case.tracking_code);
    let message = NewOutbound {
        case_id: case.id,
        channel,
        kind: MessageKind::Notice,
        body: &body,
        author_id: None,
        to_address: Some(&address),
    };
    let (_, send) = outbound::queue(&mut tx, &message).await?;
    tx.commit().await?;
    hand_on::publish(&state, &Vec::from_iter(send)).await;
    Ok((StatusCode::ACCEPTED, Json(ContactAnswer { status: "sent", kind, detail: w.sent.into() })))
}

/// `POST /api/v1/chat/contact/confirm`: the code, which makes the phone or
/// the address the chat resident's.
#[utoipa::path(
    post, path = "/api/v1/chat/contact/confirm", tag = "chat",
    security(("chat_session" = [])),
    request_body(content = ConfirmContact, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Confirmed (`status` `confirmed`, or `owner_decides` when it is another open \
            case's resident's: the owner is told on the timeline)", body = ContactAnswer),
        (status = 400, description = "The form does not parse", body = crate::error::ErrorBody),
        (status = 401, description = "No chat session token, or not a session's", body = crate::error::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 409, description = "No code was asked for (`no_code`)", body = crate::error::ErrorBody),
        (status = 410, description = "The code expired or was tried too often (`expired`): ask for a new one", body = crate::error::ErrorBody),
        (status = 413, description = "The body is too large", body = crate::error::ErrorBody),
        (status = 415, description = "The body is not `application/x-www-form-urlencoded`", body = crate::error::ErrorBody),
        (status = 422, description = "Not the code (`wrong_code`), or no `code`", body = crate::error::ErrorBody),
        crate::http::responses::RateLimited,
        crate::http::responses::Internal,
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<ConfirmContact>,
) -> Result<Json<ContactAnswer>, ApiError> {
    state.track_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let session = session(&state, &headers).await?;
    let w = words(session.language);
    let typed: String = form.code.chars().filter(char::is_ascii_digit).collect();
    let mut tx = state.pool.begin().await?;
    let stored = match store::contact_codes::lock_latest(&mut tx, session.id).await? {
        Some(stored) if stored.confirmed_at.is_none() => stored,
        _ => return Err(refused(StatusCode::CONFLICT, "no_code", w.no_code)),
    };
    if stored.expires_at <= Utc::now() || stored.attempts >= CODE_TRIES {
        return Err(refused(StatusCode::GONE, "expired", w.expired));
    }
    if typed.len() != 6 || hash(&typed) != stored.code_hash {
        store::contact_codes::count_attempt(&mut tx, stored.id).await?;
        tx.commit().await?;
        return Err(refused(StatusCode::UNPROCESSABLE_ENTITY, "wrong_code", w.wrong_code));
    }
    store::contact_codes::mark_confirmed(&mut tx, stored.id).await?;
    let kind: &'static str = if stored.kind == "phone" { "phone" } else { "email" };
    let known = if kind == "phone" {
        store::residents::by_phone(&mut *tx, &stored.address).await?
    } else {
        store::residents::by_email(&mut *tx, &stored.address).await?
    };
    // Linked, or why not (the other resident's open case, if that is why).
    let outcome = match known {
        None => {
            let (phone, email) =
                if kind == "phone" { (Some(&stored.address), None) } else { (None, Some(&stored.address)) };
            store::residents::lock(&mut tx, session.resident_id).await?;
            store::residents::add_addresses(
                &mut tx,
                session.resident_id,
                phone.map(String::as_str),
                email.map(String::as_str),
            )
            .await?;
            Ok(())
        }
        Some(other) if other.id == session.resident_id => Ok(()),
        Some(other) => {
            let reason = "confirmed by the resident with a one-time code";
            match resident_link::link(&mut tx, session.resident_id, other.id, None, reason).await? {
                Ok(_) => Ok(()),
                Err(refusal) => {
                    tracing::info!(%refusal, "a confirmed contact stays with another resident; the owner decides");
                    Err(store::residents::open_case(&mut *tx, other.id).await?.map(|(_, code)| code))
                }
            }
        }
    };
    let mut ids = Vec::new();
    if let Some(case) = store::chat::current_case(&mut *tx, session.resident_id).await? {
        let data = serde_json::json!({
            "kind": kind,
            "linked": outcome.is_ok(),
            "with": outcome.as_ref().err().cloned().flatten(),
        });
        store::events::append(&mut tx, case.id, event_kind::CONTACT_CONFIRMED, ActorKind::Resident, None, data).await?;
        if let Some(full) = store::cases::get(&mut *tx, case.id).await? {
            let update = BusMessage::CaseUpdated {
                case_id: full.id,
                owner_id: full.owner_id,
                kind: event_kind::CONTACT_CONFIRMED.into(),
            };
            ids.push(Outbox::enqueue(&mut tx, &update).await?);
        }
    }
    tx.commit().await?;
    hand_on::publish(&state, &ids).await;
    Ok(Json(match outcome {
        Ok(()) => ContactAnswer { status: "confirmed", kind, detail: w.confirmed.into() },
        Err(_) => ContactAnswer { status: "owner_decides", kind, detail: w.owner_decides.into() },
    }))
}
