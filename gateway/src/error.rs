//! The gateway's one error type and its mapping to HTTP. Clients get a stable
//! `code` and a `detail` a person can act on; internal failures are logged
//! with their cause and answered with an opaque 500.

use axum::{
    Json,
    extract::rejection::{BytesRejection, FormRejection, PathRejection, QueryRejection},
    http::{
        HeaderValue, StatusCode,
        header::{RETRY_AFTER, WWW_AUTHENTICATE},
    },
    response::{IntoResponse, Response},
};

/// Everything a gateway handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The webhook carried no `X-Twilio-Signature`.
    #[error("the request has no X-Twilio-Signature header")]
    MissingSignature,
    /// The signature does not match the URL, parameters and auth token.
    #[error("X-Twilio-Signature does not match this request")]
    BadSignature,
    /// The webhook is for another Twilio account.
    #[error("the webhook is for another Twilio account")]
    WrongAccount,
    /// The body is not the content type the endpoint takes.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The body could not be read (too large, cut off).
    #[error("{1}")]
    Body(StatusCode, String),
    /// The path, query string or form does not parse as the endpoint
    /// expects; the status and text are axum's.
    #[error("{1}")]
    Malformed(StatusCode, String),
    /// A WebSocket handshake from a page that may not open the chat.
    #[error("{0}")]
    Origin(String),
    /// The request is refused for the reason given.
    #[error("{0}")]
    Forbidden(String),
    /// No bearer token, or one nobody issued (answered with
    /// `WWW-Authenticate: Bearer`).
    #[error("{0}")]
    Unauthorized(String),
    /// Too many requests from one address; try again after the duration.
    #[error("too many requests from your address; try again in {} s", .0.as_secs())]
    TooManyRequests(std::time::Duration),
    /// More Twilio webhooks from one source than `BATLINE_WEBHOOK_PER_MINUTE`;
    /// the request was refused unread, so nothing was stored.
    #[error(
        "more than {per_minute} webhooks a minute from this address; nothing was stored, send it again in {} s",
        .wait.as_secs()
    )]
    WebhookFlood {
        /// The limit.
        per_minute: u32,
        /// How long until the source may send again.
        wait: std::time::Duration,
    },
    /// A resident's request refused for a reason they can act on: the
    /// status, a stable code, and the words in their language.
    #[error("{detail}")]
    Refused {
        /// The HTTP status.
        status: StatusCode,
        /// The stable code (`ErrorBody::code`).
        code: &'static str,
        /// What to do, in the resident's language.
        detail: String,
    },
    /// Anything from `batline-core`.
    #[error(transparent)]
    Core(#[from] batline_core::Error),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Core(e.into())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        ApiError::Body(r.status(), r.body_text())
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

/// The body of every error answer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable and machine-readable: `bad_signature`, `wrong_account`,
    /// `bad_origin`, `forbidden`, `unauthorized`, `unsupported_media_type`, `rate_limited`,
    /// `too_large`, `bad_body`, `bad_request`, `invalid`, `not_found`,
    /// `conflict` or `internal`; the chat's contact confirmation adds
    /// `no_case`, `has_other`, `no_code`, `expired` and `wrong_code`.
    #[schema(example = "not_found")]
    pub code: &'static str,
    /// What went wrong and what to do about it, for a person.
    #[schema(example = "case with that tracking code not found")]
    pub detail: String,
}

impl ApiError {
    /// True when the fault is ours, not the request's.
    pub fn is_server_error(&self) -> bool {
        self.status_and_code().0.is_server_error()
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        use batline_core::Error as Core;
        match self {
            ApiError::MissingSignature | ApiError::BadSignature => (StatusCode::FORBIDDEN, "bad_signature"),
            ApiError::WrongAccount => (StatusCode::FORBIDDEN, "wrong_account"),
            ApiError::Origin(_) => (StatusCode::FORBIDDEN, "bad_origin"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Refused { status, code, .. } => (*status, code),
            ApiError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::TooManyRequests(_) | ApiError::WebhookFlood { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
            }
            ApiError::Body(status, _) if *status == StatusCode::PAYLOAD_TOO_LARGE => (*status, "too_large"),
            ApiError::Body(status, _) => (*status, "bad_body"),
            ApiError::Malformed(status, _) if *status == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                (*status, "unsupported_media_type")
            }
            ApiError::Malformed(status, _) if *status == StatusCode::PAYLOAD_TOO_LARGE => (*status, "too_large"),
            ApiError::Malformed(status, _) => (*status, "bad_request"),
            ApiError::Core(Core::Invalid(_)) => (StatusCode::BAD_REQUEST, "invalid"),
            ApiError::Core(Core::NotFound(_)) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Core(Core::Conflict(_)) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Core(e) if e.is_unstorable_text() => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::Core(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl ApiError {
    /// The HTTP status it is answered with (Open311 answers it in its own
    /// format with the same status).
    pub fn status(&self) -> StatusCode {
        self.status_and_code().0
    }

    /// The `Retry-After` a rate limit answers with.
    pub fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            ApiError::TooManyRequests(wait) | ApiError::WebhookFlood { wait, .. } => {
                HeaderValue::from_str(&wait.as_secs().to_string()).ok()
            }
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let detail = if status.is_server_error() {
            tracing::error!(error = %self, source = ?self, "request failed");
            "something went wrong on our side; it has been logged".to_owned()
        } else {
            self.to_string()
        };
        let mut response = (status, Json(ErrorBody { code, detail })).into_response();
        if let Some(value) = self.retry_after() {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        if matches!(self, ApiError::Unauthorized(_)) {
            response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
