//! Responder passwords, hashed with argon2id (the crate's defaults follow
//! OWASP's current recommendation).

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

/// Hashes a password into a self-describing PHC string.
pub fn hash(password: &str) -> crate::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| crate::Error::PasswordHash(e.to_string()))
}

/// True when `password` matches the stored hash.
pub fn verify(password: &str, stored: &str) -> crate::Result<bool> {
    let parsed = PasswordHash::new(stored).map_err(|e| crate::Error::PasswordHash(e.to_string()))?;
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(crate::Error::PasswordHash(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_then_verify() -> crate::Result<()> {
        let stored = super::hash("correct horse")?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(super::verify("correct horse", &stored)?);
        assert!(!super::verify("wrong horse", &stored)?);
        Ok(())
    }
}
