//! The console's one error type and its mapping to HTTP.

use axum::{
    Json,
    extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// Everything a console handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid session token.
    #[error("sign in first: send `Authorization: Bearer <token>` from POST /api/v1/sessions")]
    Unauthenticated,
    /// Wrong username or password (deliberately not saying which).
    #[error("wrong username or password")]
    BadCredentials,
    /// Signed in, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// The request itself is malformed (a bad header, say).
    #[error("{0}")]
    BadRequest(String),
    /// The JSON body could not be read.
    #[error("{1}")]
    Json(StatusCode, String),
    /// The path or query string does not parse as the endpoint expects;
    /// the status and text are axum's.
    #[error("{1}")]
    Malformed(StatusCode, String),
    /// Input is well-formed but unacceptable.
    #[error("{0}")]
    Unprocessable(String),
    /// A walk-in visit the desk must put right; the desk page says it in
    /// the desk person's language.
    #[error("{0}")]
    Visit(#[from] batline_core::walk_in::VisitRefusal),
    /// Too many attempts from one address; try again after this long.
    #[error("too many attempts from your address; try again in {} s", .0.as_secs())]
    TooManyRequests(std::time::Duration),
    /// Too many failed sign-ins for this username from this address (its
    /// /64); other addresses are not affected. Try again after this long.
    #[error(
        "too many failed sign-ins for this username from your address; try again in {} s, or sign in from \
         another network",
        .0.as_secs()
    )]
    SignInLocked(std::time::Duration),
    /// Anything from `batline-core`.
    #[error(transparent)]
    Core(#[from] batline_core::Error),
    /// The city's identity provider, or a token it issued, was refused
    /// (logged with its reason where it happens).
    #[error("{}", refusal_detail(.0))]
    Oidc(#[from] crate::oidc::Refusal),
    /// `BATLINE_PASSWORD_SIGN_IN=false`.
    #[error("signing in with a password is switched off; sign in with the city's account")]
    PasswordSignInOff,
    /// No identity provider is configured.
    #[error("signing in with the city's account is not configured")]
    NoProvider,
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        ApiError::Json(r.status(), r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::Malformed(r.status(), r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::Malformed(r.status(), r.body_text())
    }
}

impl From<FormRejection> for ApiError {
    fn from(r: FormRejection) -> Self {
        ApiError::Malformed(r.status(), r.body_text())
    }
}

/// What a client is told of a refusal: whether the account has no place in
/// Batline or the sign-in or token failed, and the reason's code (which
/// names no secret).
fn refusal_detail(refusal: &crate::oidc::Refusal) -> String {
    let what = if refusal.is_about_access() {
        "this account has no access to Batline"
    } else {
        "the city's account or token was refused"
    };
    format!("{what} ({})", refusal.code())
}

impl From<crate::oidc::accounts::Error> for ApiError {
    fn from(e: crate::oidc::accounts::Error) -> Self {
        match e {
            crate::oidc::accounts::Error::Refused(refusal) => ApiError::Oidc(refusal),
            crate::oidc::accounts::Error::Core(e) => ApiError::Core(e),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Core(e.into())
    }
}

impl ApiError {
    /// The HTTP status, a machine-readable code and a message a person can
    /// act on. Server faults of our own are logged here and described only
    /// vaguely, so internals never reach a browser. The JSON API and the web
    /// pages both answer through this one mapping.
    pub fn parts(&self) -> (StatusCode, &'static str, String) {
        use batline_core::Error as Core;
        let (status, code) = match self {
            ApiError::Unauthenticated | ApiError::BadCredentials => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Oidc(refusal) if refusal.is_about_access() => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Oidc(crate::oidc::Refusal::Provider(_)) => (StatusCode::BAD_GATEWAY, "provider_failed"),
            ApiError::Oidc(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            ApiError::PasswordSignInOff => (StatusCode::FORBIDDEN, "password_sign_in_off"),
            ApiError::NoProvider => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Json(status, _) => (*status, "bad_json"),
            ApiError::Malformed(status, _) => (*status, "bad_request"),
            ApiError::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::Visit(batline_core::walk_in::VisitRefusal::CodeUnknown) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Visit(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::TooManyRequests(_) | ApiError::SignInLocked(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Core(Core::Invalid(_) | Core::Roster(_)) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::Core(Core::NotFound(_)) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Core(Core::Conflict(_)) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Core(e) if e.is_unstorable_text() => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::Core(Core::TwilioRejected { .. }) => (StatusCode::BAD_GATEWAY, "twilio_rejected"),
            ApiError::Core(Core::TwilioUnavailable(_)) => (StatusCode::SERVICE_UNAVAILABLE, "twilio_unavailable"),
            ApiError::Core(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        // What Twilio said is the responder's to know: "not a valid phone
        // number" is something they can act on.
        let ours = !matches!(
            self,
            ApiError::Core(Core::TwilioRejected { .. } | Core::TwilioUnavailable(_)) | ApiError::Oidc(_)
        );
        let detail = if matches!(self, ApiError::Core(e) if e.is_unstorable_text()) {
            UNSTORABLE_TEXT.to_owned()
        } else if status.is_server_error() && ours {
            tracing::error!(error = %self, source = ?self, "request failed");
            "something went wrong on our side; it has been logged".to_owned()
        } else {
            self.to_string()
        };
        (status, code, detail)
    }
}

/// The body of every error answer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable and machine-readable: `unauthenticated`, `forbidden`,
    /// `bad_request`, `bad_json`, `invalid`, `rate_limited`, `not_found`,
    /// `conflict`, `twilio_rejected`, `twilio_unavailable`,
    /// `password_sign_in_off`, `provider_failed` or `internal`.
    #[schema(example = "forbidden")]
    pub code: &'static str,
    /// What went wrong and what to do about it, for a person.
    #[schema(example = "only an admin can change responders")]
    pub detail: String,
}

/// What a client is told when PostgreSQL refuses a text it sent.
const UNSTORABLE_TEXT: &str = "a text contains the NUL character (\\u0000), which Batline cannot store; remove it";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            ApiError::TooManyRequests(wait) | ApiError::SignInLocked(wait) => Some(wait.as_secs().max(1)),
            _ => None,
        };
        let (status, code, detail) = self.parts();
        let mut response = (status, Json(ErrorBody { code, detail })).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
