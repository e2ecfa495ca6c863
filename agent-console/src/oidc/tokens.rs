//! One check for every JWT the city's provider issues to the console.
//!
//! Common to all: the header's algorithm is an asymmetric one (never `none`
//! or an HMAC, which would let a public key act as a shared secret); a key
//! the provider publishes verifies the signature (keys a token carries or
//! points to, `jwk`, `jku`, `x5u`, are never used); `iss` is exactly the
//! provider's; `aud` names this console's client id; `exp`, `nbf` and
//! `iat` hold, give or take [`LEEWAY`]. Then by kind:
//! - an **ID token** carries this sign-in's `nonce`, and an `azp`, when
//!   present or when `aud` names others too, that is this console;
//! - a **bearer token** (for integrations calling the JSON API) needs no
//!   more: an ID token or a JWT access token the provider issued for this
//!   console (Keycloak: an audience mapper adding its client id);
//! - a **logout token** (OpenID Connect Back-Channel Logout 1.0) carries the
//!   back-channel logout event, `sub` or `sid`, a `jti`, no `nonce`, and
//!   was issued within [`LOGOUT_MAX_AGE`].

use std::time::Duration;

use jsonwebtoken::{Algorithm, Validation, errors::ErrorKind};
use serde_json::{Map, Value};

use super::{Provider, Refusal};

/// The clock difference allowed between the provider and the console.
pub const LEEWAY: Duration = Duration::from_secs(5);

/// How old a logout token may be.
pub const LOGOUT_MAX_AGE: Duration = Duration::from_secs(300);

/// The event a back-channel logout token carries.
pub const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// The signing algorithms accepted: asymmetric only.
const ACCEPTED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// What a token is checked as.
#[derive(Debug, Clone, Copy)]
pub enum Kind<'a> {
    /// The ID token of the sign-in whose nonce this is.
    IdToken { nonce: &'a str },
    /// A bearer token sent to the JSON API.
    Bearer,
    /// A back-channel logout token.
    Logout,
}

/// The claims of a token that passed.
pub type Claims = Map<String, Value>;

/// Checks `token` as `kind` (see the module's documentation) and returns its claims.
pub async fn verify(provider: &Provider, token: &str, kind: Kind<'_>) -> Result<Claims, Refusal> {
    // The algorithm first, as written: `none` is not even a name the library parses.
    let alg = algorithm_named(token)?;
    if !ACCEPTED.iter().any(|a| format!("{a:?}") == alg) {
        return Err(Refusal::Algorithm(alg.chars().filter(char::is_ascii_alphanumeric).take(16).collect()));
    }
    let header = jsonwebtoken::decode_header(token).map_err(|e| Refusal::Malformed(format!("header: {e}")))?;
    let metadata = provider.metadata().await?;
    let client_id = provider.config.client_id.as_str();
    let mut validation = Validation::new(header.alg);
    validation.leeway = LEEWAY.as_secs();
    validation.set_issuer(&[metadata.issuer.as_str()]);
    validation.set_audience(&[client_id]);
    validation.validate_nbf = true;
    match kind {
        Kind::Logout => validation.set_required_spec_claims(&["iss", "aud"]),
        _ => validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]),
    }
    let keys = provider.keys_for(header.kid.as_deref(), header.alg).await?;
    let mut outcome = Err(Refusal::BadSignature);
    for key in &keys {
        outcome = jsonwebtoken::decode::<Claims>(token, key, &validation).map(|data| data.claims).map_err(refusal);
        // Another key of the same id and type cannot make a bad signature good;
        // trying each matters only for a token naming no key.
        if !matches!(outcome, Err(Refusal::BadSignature)) {
            break;
        }
    }
    let claims = outcome?;
    check_common(&claims, &metadata.issuer, client_id)?;
    match kind {
        Kind::IdToken { nonce } => check_id_token(&claims, client_id, nonce)?,
        Kind::Bearer => {}
        Kind::Logout => check_logout(&claims)?,
    }
    Ok(claims)
}

/// The `alg` a token's header names.
fn algorithm_named(token: &str) -> Result<String, Refusal> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let header = token.split('.').next().unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| Refusal::Malformed("header is not base64url".into()))?;
    let header: Value = serde_json::from_slice(&bytes).map_err(|_| Refusal::Malformed("header is not JSON".into()))?;
    Ok(header.get("alg").and_then(Value::as_str).unwrap_or_default().to_owned())
}

fn refusal(e: jsonwebtoken::errors::Error) -> Refusal {
    match e.kind() {
        ErrorKind::InvalidSignature => Refusal::BadSignature,
        ErrorKind::ExpiredSignature => Refusal::Expired,
        ErrorKind::ImmatureSignature => Refusal::NotYetValid,
        ErrorKind::InvalidIssuer => Refusal::WrongIssuer,
        ErrorKind::InvalidAudience => Refusal::WrongAudience,
        ErrorKind::InvalidAlgorithm => Refusal::Algorithm("not the key's".into()),
        ErrorKind::MissingRequiredClaim(claim) => Refusal::Malformed(format!("no {claim}")),
        _ => Refusal::Malformed(e.to_string()),
    }
}

/// Seconds since the epoch.
fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// `iss` and `aud` read again from the claims as they are (the library lets
/// an `aud` of another JSON type pass), and `iat` not in the future.
fn check_common(claims: &Claims, issuer: &str, client_id: &str) -> Result<(), Refusal> {
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(Refusal::WrongIssuer);
    }
    if !audiences(claims).contains(&client_id) {
        return Err(Refusal::WrongAudience);
    }
    if let Some(iat) = claims.get("iat") {
        let iat = iat.as_u64().ok_or_else(|| Refusal::Malformed("iat is not a time".into()))?;
        if iat > now() + LEEWAY.as_secs() {
            return Err(Refusal::NotYetValid);
        }
    }
    Ok(())
}

/// `aud` as a list, whether a string or an array.
fn audiences(claims: &Claims) -> Vec<&str> {
    match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn check_id_token(claims: &Claims, client_id: &str, nonce: &str) -> Result<(), Refusal> {
    let sent = claims.get("nonce").and_then(Value::as_str).unwrap_or_default();
    if !constant_time_eq(sent.as_bytes(), nonce.as_bytes()) {
        return Err(Refusal::Nonce);
    }
    let azp = claims.get("azp").and_then(Value::as_str);
    if azp.is_some_and(|azp| azp != client_id) || (audiences(claims).len() > 1 && azp.is_none()) {
        return Err(Refusal::WrongParty);
    }
    Ok(())
}

fn check_logout(claims: &Claims) -> Result<(), Refusal> {
    let events = claims.get("events").and_then(Value::as_object);
    if !events.is_some_and(|events| events.get(LOGOUT_EVENT).is_some_and(Value::is_object)) {
        return Err(Refusal::NotLogout("no back-channel logout event".into()));
    }
    if claims.contains_key("nonce") {
        return Err(Refusal::NotLogout("it carries a nonce".into()));
    }
    let text = |name: &str| claims.get(name).and_then(Value::as_str).filter(|v| !v.is_empty());
    if text("sub").is_none() && text("sid").is_none() {
        return Err(Refusal::NotLogout("it names neither sub nor sid".into()));
    }
    if text("jti").is_none() {
        return Err(Refusal::NotLogout("no jti".into()));
    }
    let iat = claims.get("iat").and_then(Value::as_u64).ok_or_else(|| Refusal::NotLogout("no iat".into()))?;
    if iat + LOGOUT_MAX_AGE.as_secs() + LEEWAY.as_secs() < now() {
        return Err(Refusal::Expired);
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(value: Value) -> Claims {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_algorithm_is_read_as_written() {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let token = |alg: &str| format!("{}.e30.", URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}"}}"#)));
        assert_eq!(algorithm_named(&token("none")).ok().as_deref(), Some("none"));
        assert_eq!(algorithm_named(&token("RS256")).ok().as_deref(), Some("RS256"));
        assert!(matches!(algorithm_named("not a token"), Err(Refusal::Malformed(_))));
        assert!(ACCEPTED.iter().all(|a| !format!("{a:?}").starts_with("HS")), "never a shared secret");
    }

    #[test]
    fn an_id_token_needs_this_sign_ins_nonce_and_this_client_as_azp() {
        let ok = claims(json!({"nonce": "n1", "aud": "batline"}));
        assert!(check_id_token(&ok, "batline", "n1").is_ok());
        assert!(matches!(check_id_token(&ok, "batline", "n2"), Err(Refusal::Nonce)));
        let no_nonce = claims(json!({"aud": "batline"}));
        assert!(matches!(check_id_token(&no_nonce, "batline", "n1"), Err(Refusal::Nonce)));
        let shared = claims(json!({"nonce": "n1", "aud": ["batline", "other"]}));
        assert!(matches!(check_id_token(&shared, "batline", "n1"), Err(Refusal::WrongParty)));
        let other = claims(json!({"nonce": "n1", "aud": "batline", "azp": "other"}));
        assert!(matches!(check_id_token(&other, "batline", "n1"), Err(Refusal::WrongParty)));
    }

    #[test]
    fn iss_and_aud_are_read_as_they_are() {
        let ok = claims(json!({"iss": "https://id.example", "aud": ["x", "batline"]}));
        assert!(check_common(&ok, "https://id.example", "batline").is_ok());
        let numeric = claims(json!({"iss": "https://id.example", "aud": 7}));
        assert!(matches!(check_common(&numeric, "https://id.example", "batline"), Err(Refusal::WrongAudience)));
        let slash = claims(json!({"iss": "https://id.example/", "aud": "batline"}));
        assert!(matches!(check_common(&slash, "https://id.example", "batline"), Err(Refusal::WrongIssuer)));
        let future = claims(json!({"iss": "https://id.example", "aud": "batline", "iat": now() + 3600}));
        assert!(matches!(check_common(&future, "https://id.example", "batline"), Err(Refusal::NotYetValid)));
    }

    #[test]
    fn a_logout_token_carries_the_event_a_subject_or_session_and_no_nonce() {
        let event = json!({LOGOUT_EVENT: {}});
        let ok = claims(json!({"events": event, "sub": "aino", "jti": "j1", "iat": now()}));
        assert!(check_logout(&ok).is_ok());
        let sid_only = claims(json!({"events": event, "sid": "s1", "jti": "j1", "iat": now()}));
        assert!(check_logout(&sid_only).is_ok());
        for bad in [
            json!({"sub": "aino", "jti": "j1", "iat": now()}),
            json!({"events": event, "jti": "j1", "iat": now()}),
            json!({"events": event, "sub": "aino", "iat": now()}),
            json!({"events": event, "sub": "aino", "jti": "j1", "iat": now(), "nonce": "n"}),
            json!({"events": event, "sub": "aino", "jti": "j1"}),
        ] {
            assert!(matches!(check_logout(&claims(bad.clone())), Err(Refusal::NotLogout(_))), "{bad}");
        }
        let old = claims(json!({"events": event, "sub": "aino", "jti": "j1", "iat": now() - 3600}));
        assert!(matches!(check_logout(&old), Err(Refusal::Expired)));
    }
}
