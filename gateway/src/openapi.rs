//! The gateway's OpenAPI 3.1 document, served at `GET /openapi.json`. Each
//! handler describes itself with `#[utoipa::path]` next to its code; this
//! module gathers them and holds what only the document needs: the Twilio
//! webhook forms (the handlers read them field by field, as the signature
//! covers every field posted), the parameters several operations share and
//! the answers every webhook or rate-limited operation can give.
//!
//! Not in the document: the HTML pages (`/track/{code}`, `/open`, `/chat`),
//! the chat script and assets, and the chat WebSocket `/chat/ws`, whose
//! frames `docs/chat-protocol.md` describes.

use axum::{
    Json,
    http::{HeaderValue, header::CACHE_CONTROL},
    response::{IntoResponse, Response},
};
use utoipa::{
    IntoParams, IntoResponses, OpenApi, ToSchema,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::error::ErrorBody;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Batline gateway",
        description = "Twilio's SMS and voice webhooks, public case tracking and the city's open data. \
            Every error answers `{code, detail}` (see `ErrorBody`).",
        license(name = "EUPL-1.2")
    ),
    paths(
        crate::sms::inbound,
        crate::sms::status,
        crate::voice::answer::inbound,
        crate::voice::answer::wait,
        crate::voice::dial::dialled,
        crate::voice::dial::whisper,
        crate::voice::dial::recorded,
        crate::voice::dial::recording_status,
        crate::voice::status::status,
        crate::voice::call_back::bridge,
        crate::voice::call_back::dialled,
        crate::track::api,
        crate::track_access::chat_conversation,
        crate::track_access::ask_code,
        crate::track_access::confirm_code,
        crate::open_data::data_json,
        crate::open_data::data_csv,
        crate::open_data::schema,
        crate::health::healthz,
        crate::health::readyz,
        crate::health::metrics,
        openapi_json,
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "twilio", description = "Webhooks Twilio calls. Each is checked against `X-Twilio-Signature` \
            (HMAC-SHA1 of `BATLINE_PUBLIC_URL` plus path and query, and the sorted form fields, with the auth \
            token) before anything else is read: without a valid signature the answer is 403."),
        (name = "tracking", description = "Public case tracking by tracking code: nothing personal about the resident."),
        (name = "open data", description = "The city's accountability figures; any figure resting on fewer than five \
            cases is withheld."),
        (name = "operations", description = "Health, readiness, metrics and this document."),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "chat_session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The chat session token the chat page keeps in the browser"))
                    .build(),
            ),
        );
    }
}

/// `GET /openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses(
    (status = 200, description = "The OpenAPI 3.1 document of the gateway's HTTP API", body = Object),
))]
pub async fn openapi_json() -> Response {
    let mut response = Json(ApiDoc::openapi()).into_response();
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The signature header every Twilio webhook carries.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(non_snake_case)]
pub struct TwilioSignature {
    /// Base64 HMAC-SHA1 of the public URL and the form fields with the
    /// Twilio auth token. Missing or wrong: 403.
    #[param(rename = "X-Twilio-Signature", example = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")]
    pub X_Twilio_Signature: String,
}

/// A tracking code in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CodePath {
    /// The case's tracking code. Lower case, spaces, a missing hyphen and
    /// Crockford's look-alikes (O for 0, I and L for 1) are read too; a
    /// string that is no code at all is 400.
    #[param(pattern = "^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", example = "K7QD-4M2X")]
    pub code: String,
}

/// The period of the open data.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// First day, Helsinki (default: the Monday four full weeks ago, or 27
    /// days before `to`); empty, as the page's form sends it, is the default.
    #[param(schema_with = date_or_empty, example = "2026-10-19")]
    pub from: Option<String>,
    /// Last day, included (default: last Sunday); at most 366 days after
    /// `from`. Empty is the default.
    #[param(schema_with = date_or_empty, example = "2026-11-15")]
    pub to: Option<String>,
}

/// A date, or empty for the default.
fn date_or_empty() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))))
        .item(ObjectBuilder::new().schema_type(Type::String).max_length(Some(0)))
        .build()
        .into()
}

/// What any Twilio webhook may answer before its handler runs.
#[derive(IntoResponses)]
pub enum Signed {
    /// No `X-Twilio-Signature`, a signature that does not match this
    /// request (`bad_signature`), or a webhook for another Twilio account
    /// (`wrong_account`).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// The body is larger than 64 KiB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not `application/x-www-form-urlencoded`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
}

/// Too many requests from one address.
#[derive(IntoResponses)]
pub enum RateLimited {
    /// Over the per-address limit a minute; try again after `Retry-After` seconds.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    TooManyRequests(ErrorBody),
}

/// A webhook that starts a new contact (`/twilio/sms`, `/twilio/voice`)
/// from a source over its per-minute limit: nothing was stored.
#[derive(IntoResponses)]
pub enum WebhookFlood {
    /// Over `BATLINE_WEBHOOK_PER_MINUTE` from this address (`rate_limited`);
    /// send it again after `Retry-After` seconds.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    TooManyRequests(ErrorBody),
}

/// Batline's own failure: logged with its cause, answered opaquely.
#[derive(IntoResponses)]
pub enum Internal {
    /// Something failed on Batline's side (PostgreSQL away, say); try again.
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// The form of `POST /twilio/sms` (Twilio posts more fields; all are kept).
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct SmsWebhook {
    /// Twilio's id of the message; a retried webhook with the same id is stored once.
    #[schema(min_length = 1, example = "SM0123456789abcdef0123456789abcdef")]
    pub MessageSid: String,
    /// The resident's number.
    #[schema(min_length = 1, example = "+358401234567")]
    pub From: String,
    /// Batline's number.
    pub To: Option<String>,
    /// The text.
    pub Body: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of `POST /twilio/sms/status`.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct SmsStatusWebhook {
    /// The outbound message's id.
    #[schema(min_length = 1)]
    pub MessageSid: String,
    /// `queued`, `sent`, `delivered`, `undelivered`, `failed`, …
    #[schema(min_length = 1, example = "delivered")]
    pub MessageStatus: String,
    /// Twilio's error code when delivery failed.
    pub ErrorCode: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of `POST /twilio/voice` and `/twilio/voice/wait`.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct VoiceWebhook {
    /// Twilio's id of the call; storing is idempotent on it.
    #[schema(min_length = 1, example = "CA0123456789abcdef0123456789abcdef")]
    pub CallSid: String,
    /// The caller's number.
    #[schema(min_length = 1, example = "+358401234567")]
    pub From: String,
    /// The number called: a language line answers in its language.
    pub To: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of a `<Dial>` action (`/twilio/voice/dial`, `/twilio/voice/call-back/dial`).
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct DialWebhook {
    /// The call.
    #[schema(min_length = 1)]
    pub CallSid: String,
    /// `completed`, `answered`, `busy`, `no-answer`, `failed` or `canceled`.
    #[schema(min_length = 1, example = "no-answer")]
    pub DialCallStatus: String,
    /// Seconds talked.
    pub DialCallDuration: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of the `<Record>` action `/twilio/voice/recorded`.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct RecordedWebhook {
    /// The call.
    #[schema(min_length = 1)]
    pub CallSid: String,
    /// The recording, when a message was left.
    pub RecordingSid: Option<String>,
    /// Where Twilio keeps it.
    pub RecordingUrl: Option<String>,
    /// Its length in seconds.
    pub RecordingDuration: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of the recording status callback `/twilio/voice/recording`.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct RecordingStatusWebhook {
    /// Only `completed` is acted on.
    pub RecordingStatus: Option<String>,
    /// The call; required for a completed recording.
    pub CallSid: Option<String>,
    /// The recording; required for a completed recording.
    pub RecordingSid: Option<String>,
    /// Where Twilio keeps it; required for a completed recording.
    pub RecordingUrl: Option<String>,
    /// Its length in seconds.
    pub RecordingDuration: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of the call status callback `/twilio/voice/status`.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct CallStatusWebhook {
    /// The call.
    #[schema(min_length = 1)]
    pub CallSid: String,
    /// `ringing`, `in-progress`, `completed`, `busy`, `no-answer`, …
    #[schema(min_length = 1, max_length = 32, example = "completed")]
    pub CallStatus: String,
    /// Seconds, once it ended.
    pub CallDuration: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of `/twilio/voice/call-back`: the responder picked up.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct CallBackWebhook {
    /// The call-back's call.
    #[schema(min_length = 1)]
    pub CallSid: String,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// Any form Twilio posts; only its signature matters.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct AnyWebhook {
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every JSON route in the route table is in the document, so neither
    /// can change without the other; HTML pages, the chat and assets are
    /// left out on purpose.
    #[test]
    fn documents_every_api_route() {
        let doc = ApiDoc::openapi();
        let undocumented = ["/track/{code}", "/open", "/chat", "/chat/embed.js", "/chat/ws", "/assets/{name}"];
        let routes: Vec<&str> = include_str!("lib.rs")
            .lines()
            .filter_map(|l| l.trim().strip_prefix(".route(\"")?.split('"').next())
            .collect();
        assert!(routes.len() > 20, "{routes:?}");
        for route in routes {
            let documented = doc.paths.paths.contains_key(route);
            assert!(documented != undocumented.contains(&route), "{route}: documented {documented}");
        }
    }

    #[test]
    fn the_document_is_openapi_3_1() {
        let json = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        assert_eq!(json["openapi"], "3.1.0");
        assert!(json["components"]["schemas"]["ErrorBody"].is_object());
    }
}
