//! Open311 API keys: issued by an admin to one client application, shown
//! once, kept only as a SHA-256 digest. A key is 32 random bytes, so a
//! plain digest (no salt, no slow hash) cannot be reversed by guessing.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new key: 43 URL-safe characters.
pub fn new_key() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of `key`, and what a posted key is looked up by.
pub fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.trim().as_bytes()).into()
}

/// The key's last four characters, for telling keys apart on the admin page.
pub fn hint(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_unique_and_found_by_their_digest() {
        let (a, b) = (new_key(), new_key());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(digest(&a), digest(&format!(" {a}\n")), "a pasted key with spaces still matches");
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(hint("abcdefgh"), "efgh");
        assert_eq!(hint("ab"), "ab");
    }
}
