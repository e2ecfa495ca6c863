//! Resident session tokens. A token is 32 random bytes, base64url; only
//! its SHA-256 is stored, so the table cannot be used to take over a
//! conversation. Whoever holds the token is the resident of that session:
//! it resumes the chat and shows the case's whole conversation on the
//! tracking page.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use batline_core::{
    Result,
    domain::Language,
    store::{self, chat::ChatSession},
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// Longest token string looked up; real ones are 43 characters.
const MAX_TOKEN_LEN: usize = 64;

/// The stored form of a token.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A new session and its token.
pub async fn create(pool: &PgPool, language: Language) -> Result<(ChatSession, String)> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let mut tx = pool.begin().await?;
    let session = store::chat::insert_session(&mut tx, &hash(&token), language).await?;
    tx.commit().await?;
    Ok((session, token))
}

/// The session `token` belongs to, if any.
pub async fn resume(pool: &PgPool, token: &str) -> Result<Option<ChatSession>> {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Ok(None);
    }
    store::chat::by_token(pool, &hash(token)).await
}
