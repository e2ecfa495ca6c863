//! An extractor for Twilio webhooks: reads the form body and admits it only
//! if `X-Twilio-Signature` matches. The URL signed is `BATLINE_PUBLIC_URL`
//! plus the path and query as received: behind a proxy, Twilio signed the
//! public address, not ours.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::header::CONTENT_TYPE,
};
use batline_core::{
    metrics,
    twilio::{form::Form, signature},
};
use secrecy::ExposeSecret;

use crate::{error::ApiError, state::AppState};

/// A webhook form whose signature has been checked.
#[derive(Debug)]
pub struct SignedForm(pub Form);

impl FromRequest<AppState> for SignedForm {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let signature =
            req.headers().get("x-twilio-signature").and_then(|v| v.to_str().ok()).map(str::to_owned).ok_or_else(
                || {
                    metrics::webhook_rejected("missing_signature");
                    ApiError::MissingSignature
                },
            )?;
        let form_typed = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form_typed {
            return Err(ApiError::UnsupportedMediaType("Twilio webhooks are application/x-www-form-urlencoded".into()));
        }
        let path_and_query = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
        let url = format!("{}{}", state.config.public_url.as_str().trim_end_matches('/'), path_and_query);
        let body = Bytes::from_request(req, state).await?;
        let form = Form::parse(&body)?;
        let twilio = &state.twilio_config;
        if !signature::verify(twilio.auth_token.expose_secret(), &url, form.fields(), &signature) {
            tracing::warn!(%url, "rejected a webhook with a wrong signature");
            metrics::webhook_rejected("bad_signature");
            return Err(ApiError::BadSignature);
        }
        if form.get("AccountSid").is_some_and(|sid| sid != twilio.account_sid) {
            metrics::webhook_rejected("wrong_account");
            return Err(ApiError::WrongAccount);
        }
        // Checked as sent; used without control characters, the rule for
        // every text Batline accepts (a NUL here was a 500 Twilio retried
        // forever: PostgreSQL cannot store it in the webhook's jsonb copy).
        Ok(SignedForm(form.into_plain()))
    }
}
