//! Tracking codes: two groups of four Crockford base32 characters, like
//! `K7QD-4M2X`. Random rather than sequential, so a code says nothing about
//! how many cases there are and the next one cannot be guessed.

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// Crockford's base32 alphabet: digits and capitals without I, L, O and U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A case's public tracking code, always in canonical `XXXX-XXXX` form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingCode(String);

impl TrackingCode {
    /// A fresh random code (40 bits of entropy).
    pub fn generate() -> Self {
        let mut rng = rand::thread_rng();
        let mut s = String::with_capacity(9);
        for i in 0..8 {
            if i == 4 {
                s.push('-');
            }
            s.push(ALPHABET[rng.gen_range(0..32)] as char);
        }
        TrackingCode(s)
    }

    /// Reads a code as a person may type it: any case, with or without the
    /// hyphen or spaces, and with Crockford's look-alikes (O for 0, I and L for 1).
    pub fn parse(input: &str) -> crate::Result<Self> {
        let mut chars = String::with_capacity(8);
        for c in input.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return Err(invalid(input)),
            };
            chars.push(c);
        }
        if chars.len() != 8 {
            return Err(invalid(input));
        }
        chars.insert(4, '-');
        Ok(TrackingCode(chars))
    }

    /// The code an email subject carries as `[XXXX-XXXX]`, as Batline's
    /// answers write it (a reply's subject keeps it). Only that bracketed,
    /// canonical form counts: eight letters in a sentence are not a code.
    pub fn in_subject(subject: &str) -> Option<Self> {
        subject.match_indices('[').find_map(|(at, _)| {
            let inside = subject.get(at + 1..at + 10)?;
            let closed = subject.get(at + 10..at + 11) == Some("]");
            let canonical = inside.len() == 9
                && inside
                    .char_indices()
                    .all(|(i, c)| if i == 4 { c == '-' } else { ALPHABET.contains(&(c as u8)) && c.is_ascii() });
            (closed && canonical).then(|| TrackingCode(inside.to_owned()))
        })
    }

    /// The canonical text, `XXXX-XXXX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn invalid(input: &str) -> crate::Error {
    let shown: String = input.chars().take(20).collect();
    crate::Error::Invalid(format!(
        "{shown:?} is not a tracking code; a code has eight letters and digits, like K7QD-4M2X"
    ))
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TrackingCode {
    type Error = crate::Error;
    fn try_from(s: String) -> crate::Result<Self> {
        TrackingCode::parse(&s)
    }
}

impl From<TrackingCode> for String {
    fn from(c: TrackingCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_carries_its_code_in_brackets() {
        let code = TrackingCode::in_subject("Re: Katuvalo rikki [K7QD-4M2X]").map(|c| c.0);
        assert_eq!(code.as_deref(), Some("K7QD-4M2X"));
        assert_eq!(TrackingCode::in_subject("VS: [k7qd-4m2x]"), None);
        assert_eq!(TrackingCode::in_subject("K7QD-4M2X without brackets"), None);
        assert_eq!(TrackingCode::in_subject("[K7QD-4M2XY] [ä]["), None);
    }

    #[test]
    fn generated_codes_are_canonical_and_parse_back() {
        for _ in 0..1000 {
            let code = TrackingCode::generate();
            assert_eq!(code.as_str().len(), 9);
            assert_eq!(&code.as_str()[4..5], "-");
            assert!(code.as_str().chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
            assert_eq!(TrackingCode::parse(code.as_str()).ok(), Some(code));
        }
    }

    #[test]
    fn parse_accepts_what_people_type() {
        let want = TrackingCode::parse("K7QD-4M2X").ok();
        assert!(want.is_some());
        assert_eq!(TrackingCode::parse("k7qd4m2x").ok(), want);
        assert_eq!(TrackingCode::parse(" K7QD 4M2X ").ok(), want);
        assert_eq!(TrackingCode::parse("O1LI-0000").map(|c| c.0).ok(), Some("0111-0000".into()));
    }

    #[test]
    fn parse_rejects_wrong_lengths_and_letters() {
        assert!(TrackingCode::parse("K7QD-4M2").is_err());
        assert!(TrackingCode::parse("K7QD-4M2XX").is_err());
        assert!(TrackingCode::parse("K7QD-4M2U").is_err());
        assert!(TrackingCode::parse("K7QD-4M2Ä").is_err());
        assert!(TrackingCode::parse("").is_err());
    }

    #[test]
    fn codes_are_not_sequential() {
        let a = TrackingCode::generate();
        let b = TrackingCode::generate();
        assert_ne!(a, b);
    }
}
