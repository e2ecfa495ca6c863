//! The city's provider as the console meets it: its discovery document, its
//! keys, the authorisation URL (with PKCE) and the token request.
//!
//! Discovery is fetched at the first sign-in, not at start-up, so the
//! console starts (and password sign-in works) while the provider is down;
//! it is kept for an hour. The keys are kept until a token names one not
//! among them, then fetched again (at most every [`KEYS_REFRESH_GAP`], so
//! tokens with made-up key ids cannot make the console hammer the provider).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use batline_core::config::OidcConfig;
use jsonwebtoken::{
    Algorithm, DecodingKey,
    jwk::{AlgorithmParameters, Jwk, PublicKeyUse},
};
use rand::RngCore;
use secrecy::ExposeSecret;
use serde::{Deserialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;
use url::Url;

use super::Refusal;

/// How long one request to the provider may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the discovery document is kept.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// The shortest time between two fetches of the keys.
pub const KEYS_REFRESH_GAP: Duration = Duration::from_secs(10);

/// What the console reads of the discovery document, as sent.
#[derive(Debug, Deserialize)]
struct Discovered {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// What the console reads of the discovery document.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// The issuer, as tokens name it.
    pub issuer: String,
    /// Where the browser is sent to sign in.
    pub authorization_endpoint: Url,
    /// Where the code is exchanged for tokens.
    pub token_endpoint: Url,
    /// The provider's public keys.
    pub jwks_uri: Url,
}

/// The provider's keys as last fetched.
struct Keys {
    keys: Vec<Jwk>,
    fetched: Instant,
}

/// The city's OpenID Connect provider.
pub struct Provider {
    /// The settings (`BATLINE_OIDC_*`).
    pub config: OidcConfig,
    http: reqwest::Client,
    metadata: RwLock<Option<(Arc<Metadata>, Instant)>>,
    keys: RwLock<Option<Keys>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider").field("issuer", &self.config.issuer).finish_non_exhaustive()
    }
}

/// What the browser carries to the provider and what the console keeps.
#[derive(Debug)]
pub struct Authorisation {
    /// Where to send the browser.
    pub url: Url,
    /// The `state`: the browser brings it back; the console keeps its hash.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier (only its S256 challenge leaves the console now).
    pub pkce_verifier: String,
}

/// 32 random bytes, URL-safe base64 (43 characters: also a valid PKCE verifier).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The PKCE S256 challenge of a verifier (RFC 7636).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Provider {
    /// The provider of `config`; nothing is fetched yet.
    pub fn new(config: OidcConfig) -> batline_core::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            // The endpoints are the discovery document's; a redirect is not followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| batline_core::Error::Config(format!("OpenID Connect HTTP client: {e}")))?;
        Ok(Provider { config, http, metadata: RwLock::new(None), keys: RwLock::new(None) })
    }

    async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, Refusal> {
        let response = self.http.get(url).send().await.map_err(|e| Refusal::Provider(format!("GET {url}: {e}")))?;
        if !response.status().is_success() {
            return Err(Refusal::Provider(format!("GET {url}: HTTP {}", response.status())));
        }
        response.json().await.map_err(|e| Refusal::Provider(format!("GET {url}: {e}")))
    }

    /// The discovery document, fetched when not held or an hour old. Its
    /// `issuer` must be the configured one (OpenID Connect Discovery 4.3),
    /// and its endpoints https when the issuer is.
    pub async fn metadata(&self) -> Result<Arc<Metadata>, Refusal> {
        if let Some((metadata, at)) = self.metadata.read().await.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let issuer = self.config.issuer.trim_end_matches('/');
        let found: Discovered = self.get_json(&format!("{issuer}/.well-known/openid-configuration")).await?;
        let endpoint = |raw: &str| {
            Url::parse(raw).map_err(|e| Refusal::Provider(format!("the discovery document's endpoint {raw:?}: {e}")))
        };
        let metadata = Metadata {
            authorization_endpoint: endpoint(&found.authorization_endpoint)?,
            token_endpoint: endpoint(&found.token_endpoint)?,
            jwks_uri: endpoint(&found.jwks_uri)?,
            issuer: found.issuer,
        };
        if metadata.issuer.trim_end_matches('/') != issuer {
            return Err(Refusal::Provider(format!(
                "the discovery document names the issuer {:?}, not {:?}",
                metadata.issuer, self.config.issuer
            )));
        }
        let secure = issuer.starts_with("https:");
        for endpoint in [&metadata.authorization_endpoint, &metadata.token_endpoint, &metadata.jwks_uri] {
            if secure && endpoint.scheme() != "https" {
                return Err(Refusal::Provider(format!("the endpoint {endpoint} is not https")));
            }
        }
        let metadata = Arc::new(metadata);
        *self.metadata.write().await = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }

    /// Where to send the browser to sign in, with a new `state`, `nonce`
    /// and PKCE verifier.
    pub async fn authorisation(&self) -> Result<Authorisation, Refusal> {
        let metadata = self.metadata().await?;
        let (state, nonce, pkce_verifier) = (random_token(), random_token(), random_token());
        let mut url = metadata.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", self.config.redirect_url.as_str())
            .append_pair("scope", "openid profile email")
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &pkce_challenge(&pkce_verifier))
            .append_pair("code_challenge_method", "S256");
        Ok(Authorisation { url, state, nonce, pkce_verifier })
    }

    /// Exchanges an authorisation code for the ID token (client_secret_basic,
    /// with the PKCE verifier).
    pub async fn exchange(&self, code: &str, pkce_verifier: &str) -> Result<String, Refusal> {
        #[derive(Deserialize)]
        struct TokenResponse {
            id_token: Option<String>,
        }
        let metadata = self.metadata().await?;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.config.redirect_url.as_str()),
            ("code_verifier", pkce_verifier),
        ];
        // RFC 6749 2.3.1: the id and secret are form-encoded before they go into Basic.
        let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let response = self
            .http
            .post(metadata.token_endpoint.clone())
            .basic_auth(encode(&self.config.client_id), Some(encode(self.config.client_secret.expose_secret())))
            .form(&form)
            .send()
            .await
            .map_err(|e| Refusal::Provider(format!("token request: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            // The provider's error code says what went wrong; its body holds no token.
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            let error = body.get("error").and_then(|e| e.as_str()).unwrap_or("no error code");
            return Err(Refusal::Provider(format!("token request: HTTP {status}: {error}")));
        }
        let tokens: TokenResponse =
            response.json().await.map_err(|e| Refusal::Provider(format!("token response: {e}")))?;
        tokens.id_token.ok_or_else(|| Refusal::Provider("the token response has no id_token".into()))
    }

    /// The keys that may have signed a token with key id `kid` and
    /// algorithm `alg`: signing keys of the algorithm's type, by `kid` when
    /// the token names one. An unknown `kid` fetches the keys again (a
    /// rotation), at most every [`KEYS_REFRESH_GAP`].
    pub async fn keys_for(&self, kid: Option<&str>, alg: Algorithm) -> Result<Vec<DecodingKey>, Refusal> {
        let pick = |keys: &[Jwk]| -> Vec<DecodingKey> {
            keys.iter()
                .filter(|k| !matches!(k.common.public_key_use, Some(PublicKeyUse::Encryption)))
                .filter(|k| kid.is_none_or(|kid| k.common.key_id.as_deref() == Some(kid)))
                .filter(|k| fits(k, alg))
                .filter_map(|k| DecodingKey::from_jwk(k).ok())
                .collect()
        };
        let stale = {
            let held = self.keys.read().await;
            if let Some(held) = held.as_ref() {
                let found = pick(&held.keys);
                if !found.is_empty() {
                    return Ok(found);
                }
                held.fetched.elapsed() >= KEYS_REFRESH_GAP
            } else {
                true
            }
        };
        if !stale {
            return Err(Refusal::UnknownKey);
        }
        let keys = self.fetch_keys().await?;
        let found = pick(&keys);
        *self.keys.write().await = Some(Keys { keys, fetched: Instant::now() });
        if found.is_empty() { Err(Refusal::UnknownKey) } else { Ok(found) }
    }

    /// The provider's JWKS; a key of a type this console does not know is
    /// skipped, not an error.
    async fn fetch_keys(&self) -> Result<Vec<Jwk>, Refusal> {
        #[derive(Deserialize)]
        struct Set {
            keys: Vec<serde_json::Value>,
        }
        let metadata = self.metadata().await?;
        let set: Set = self.get_json(metadata.jwks_uri.as_str()).await?;
        Ok(set.keys.into_iter().filter_map(|k| serde_json::from_value(k).ok()).collect())
    }
}

/// Whether a key can check a signature of `alg`.
fn fits(key: &Jwk, alg: Algorithm) -> bool {
    use Algorithm as A;
    matches!(
        (&key.algorithm, alg),
        (AlgorithmParameters::RSA(_), A::RS256 | A::RS384 | A::RS512 | A::PS256 | A::PS384 | A::PS512)
            | (AlgorithmParameters::EllipticCurve(_), A::ES256 | A::ES384)
            | (AlgorithmParameters::OctetKeyPair(_), A::EdDSA)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let verifier = random_token();
        assert_eq!(verifier.len(), 43, "RFC 7636 asks for 43 to 128 characters");
        assert_ne!(verifier, random_token());
    }
}
