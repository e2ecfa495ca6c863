//! Phone numbers, parsed by one set of rules wherever a person types one:
//! the walk-in desk's form, the tracking page's "text me a code" form, a
//! responder's call-back phone. (Twilio's webhooks give `From` in E.164
//! already, and it is kept as Twilio gave it: a short code or an
//! alphanumeric sender is still a resident to answer.)
//!
//! A number is kept in E.164 form (`+358401234567`), which is how Twilio
//! gives and takes them and how residents are stored, so the same phone
//! written two ways is one resident. What a person may type:
//! - separators anywhere: spaces (also no-break), `-`, `.`, `(`, `)`;
//! - `+` and the country code: `+358 40 123 4567`;
//! - `00` and the country code, the international prefix dialled in
//!   Finland: `00358 40 123 4567`, `0046 70 123 4567`;
//! - a Finnish number as Finns write it, with the trunk `0`: `040 123 4567`
//!   is `+358401234567`. Batline is a Finnish city's line, so a number
//!   without a country code is Finnish, and the rule is the same at the desk
//!   and on the tracking page.
//!
//! Anything else is refused with a reason: letters, a country code starting
//! with `0`, fewer than 7 or more than 15 digits (E.164's limit), or no
//! digits at all.

use std::fmt;

use serde::Serialize;

/// The country code a number without one belongs to: Finland's.
pub const HOME_COUNTRY_CODE: &str = "358";

/// A phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

/// Why a text is not a phone number, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing but separators.
    #[error("the phone number is empty")]
    Empty,
    /// Something other than digits and separators.
    #[error("a phone number has only digits, spaces and dashes, with + or 00 before the country code")]
    NotDigits,
    /// `+0…` or `000…`.
    #[error("a country code never starts with 0; write it like +358 40 123 4567")]
    BadCountryCode,
    /// Outside E.164's 7 to 15 digits.
    #[error("a phone number has 7 to 15 digits with its country code; write it like +358 40 123 4567")]
    Length,
}

impl PhoneNumber {
    /// Parses a number as a person or a provider wrote it (see the module
    /// documentation for the rules).
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let compact: String =
            input.chars().filter(|c| !(c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')'))).collect();
        if compact.is_empty() {
            return Err(PhoneError::Empty);
        }
        let international = if let Some(rest) = compact.strip_prefix('+') {
            rest.to_owned()
        } else if let Some(rest) = compact.strip_prefix("00") {
            rest.to_owned()
        } else if let Some(rest) = compact.strip_prefix('0') {
            format!("{HOME_COUNTRY_CODE}{rest}")
        } else {
            // Digits without + or a trunk 0 could be a country code or a
            // local number; guessing could text a stranger.
            return Err(if compact.chars().all(|c| c.is_ascii_digit()) {
                PhoneError::BadCountryCode
            } else {
                PhoneError::NotDigits
            });
        };
        if !international.chars().all(|c| c.is_ascii_digit()) {
            return Err(PhoneError::NotDigits);
        }
        if international.starts_with('0') {
            return Err(PhoneError::BadCountryCode);
        }
        if !(7..=15).contains(&international.len()) {
            return Err(PhoneError::Length);
        }
        Ok(PhoneNumber(format!("+{international}")))
    }

    /// The E.164 text, `+358401234567`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Into the E.164 text.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A phone typed into a form (the walk-in desk, a responder's call-back
/// phone), in E.164 form, or [`crate::Error::Invalid`] naming what was typed
/// and what is wrong with it.
pub fn from_form(input: &str) -> crate::Result<PhoneNumber> {
    PhoneNumber::parse(input).map_err(|e| {
        let shown: String = input.chars().take(24).collect();
        crate::Error::Invalid(format!("phone {shown:?}: {e}"))
    })
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for PhoneNumber {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(s)
    }
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn parsed(input: &str) -> Option<String> {
        PhoneNumber::parse(input).ok().map(PhoneNumber::into_string)
    }

    #[test]
    fn every_way_a_person_writes_a_number_is_one_number() {
        for written in [
            "+358401234567",
            "+358 40 123 4567",
            "+358-40-1234567",
            "040 123 4567",
            "040-123 45 67",
            "(040) 123 4567",
            "00358 40 123 4567",
            "+358\u{a0}40\u{a0}1234567",
            " 0401234567 ",
        ] {
            assert_eq!(parsed(written).as_deref(), Some("+358401234567"), "{written:?}");
        }
        assert_eq!(parsed("0046701234567").as_deref(), Some("+46701234567"));
        assert_eq!(parsed("09 310 1111").as_deref(), Some("+35893101111"), "a Helsinki landline");
    }

    #[test]
    fn what_is_not_a_number_is_refused_with_its_reason() {
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse(" - "), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse("+358 40 abc"), Err(PhoneError::NotDigits));
        assert_eq!(PhoneNumber::parse("hello"), Err(PhoneError::NotDigits));
        assert_eq!(PhoneNumber::parse("+0401234567"), Err(PhoneError::BadCountryCode));
        assert_eq!(PhoneNumber::parse("000401234567"), Err(PhoneError::BadCountryCode));
        assert_eq!(PhoneNumber::parse("358401234567"), Err(PhoneError::BadCountryCode));
        assert_eq!(PhoneNumber::parse("+12"), Err(PhoneError::Length));
        assert_eq!(PhoneNumber::parse("+"), Err(PhoneError::Length));
        assert_eq!(PhoneNumber::parse("+1234567890123456"), Err(PhoneError::Length));
        assert_eq!(PhoneNumber::parse("+358\u{0}401234567"), Err(PhoneError::NotDigits));
    }

    #[test]
    fn a_form_is_told_what_it_typed_and_what_is_wrong() {
        assert_eq!(from_form("040 123 4567").map(PhoneNumber::into_string).ok().as_deref(), Some("+358401234567"));
        let refused = from_form("+0401234567");
        assert!(
            matches!(&refused, Err(crate::Error::Invalid(m)) if m.starts_with("phone \"+0401234567\": a country code")),
            "{refused:?}"
        );
    }

    proptest! {
        /// A parsed number parses to itself: E.164 in, the same out.
        #[test]
        fn parsing_is_idempotent(input in "[+0-9 ()-]{0,24}") {
            if let Ok(number) = PhoneNumber::parse(&input) {
                prop_assert_eq!(PhoneNumber::parse(number.as_str()), Ok(number.clone()));
                prop_assert!(number.as_str().starts_with('+'));
                prop_assert!((8..=16).contains(&number.as_str().len()));
            }
        }
    }
}
