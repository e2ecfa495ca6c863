//! What a responder's username and display name may be, so that no account
//! can pass for another (issue 17): `AINO`, `a\u{200b}ino` (a zero-width
//! space) and `аino` (a Cyrillic `а`) all read as `aino`, and a right-to-left
//! override in a display name turns round the text residents read it in.
//!
//! - A username is kept *folded*: NFKC (compatibility forms such as
//!   full-width `ａｉｎｏ` become `aino`), then lower case. What is typed to
//!   sign in, in a roster or on the command line is folded the same way
//!   ([`fold`], in `store::responders::by_username`), so `AINO` signs in
//!   as `aino`.
//! - A new username holds only `a`–`z`, `0`–`9`, `.`, `_` and
//!   `-`, starting with a letter or digit ([`username`]): nothing invisible,
//!   no letter of another alphabet that looks like a Latin one. Within that
//!   set `0`/`o`, `1`/`l`, `rn`/`m` and `vv`/`w` still read alike, so the
//!   database keeps usernames unique on a key that treats them as the same
//!   (migration 21, which also holds the set as a check).
//! - A display name may hold no control, format (bidirectional controls,
//!   zero-width characters), private-use, unassigned or line-breaking
//!   character, no space but the plain one, and no character that is drawn
//!   as nothing ([`display_name`]).

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::{Error, Result};

/// Longest username, in characters.
pub const USERNAME_MAX: usize = 64;
/// Longest display name, in characters.
pub const DISPLAY_NAME_MAX: usize = 80;

/// `raw` as usernames are kept and compared: trimmed, NFKC, lower case.
pub fn fold(raw: &str) -> String {
    // Lower-casing can undo NFKC (a few characters lower to decomposed
    // forms), so normalise again after it.
    raw.trim().nfkc().flat_map(char::to_lowercase).nfkc().collect()
}

/// The username `raw` stands for, folded, or why it cannot be one. Only
/// `a`–`z` in either case, digits, `.`, `_` and `-`, so the rule is one a
/// form (and the API's schema) can state: compatibility forms that NFKC
/// would fold, such as full-width `ａｉｎｏ`, are refused here, though
/// signing in as them finds `aino`.
pub fn username(raw: &str) -> Result<String> {
    let name = raw.trim();
    // The length as sent, spaces around it included, as the API's schema says.
    if name.is_empty() || raw.chars().count() > USERNAME_MAX {
        return Err(Error::Invalid(format!("the username needs 1 to {USERNAME_MAX} characters")));
    }
    if let Some(c) = name.chars().find(|c| !is_username_char(c.to_ascii_lowercase())) {
        return Err(Error::Invalid(format!(
            "the username may hold only the letters a-z, the digits 0-9, '.', '_' and '-', not {}",
            describe(c)
        )));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(Error::Invalid("the username must start with a letter a-z or a digit".into()));
    }
    // Lower-cased ASCII is its own NFKC: this is `fold(name)`.
    Ok(name.to_ascii_lowercase())
}

fn is_username_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
}

/// `raw` trimmed, if it can be a display name; else what is wrong with it.
pub fn display_name(raw: &str) -> Result<&str> {
    let name = raw.trim();
    // The length as sent, spaces around it included, as the API's schema says.
    if name.is_empty() || raw.chars().count() > DISPLAY_NAME_MAX {
        return Err(Error::Invalid(format!("the display name needs 1 to {DISPLAY_NAME_MAX} characters")));
    }
    if let Some(c) = name.chars().find(|c| *c != ' ' && hidden(*c)) {
        return Err(Error::Invalid(format!(
            "the display name may not hold {}: residents read it in their texts, and such a character hides \
             or reorders what they read",
            describe(c)
        )));
    }
    Ok(name)
}

/// Whether `c` shows nothing of itself, or changes how the text around it
/// is shown: spaces, controls, format characters (bidirectional controls
/// among them), private-use and unassigned code points, and the few letters
/// drawn as blanks.
fn hidden(c: char) -> bool {
    use GeneralCategory as G;
    matches!(
        c.general_category(),
        G::SpaceSeparator
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::Control
            | G::Format
            | G::Surrogate
            | G::PrivateUse
            | G::Unassigned
    ) || BLANK_GLYPHS.contains(&c)
}

/// Letters and symbols that are drawn as nothing (Unicode's
/// Default_Ignorable_Code_Point fillers and the blank Braille pattern).
const BLANK_GLYPHS: [char; 6] = ['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{2800}', '\u{180E}'];

/// `c` as an error message names it: the character and its code point, or
/// only the code point and what it is when it shows nothing.
fn describe(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    match c {
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' => {
            format!("the bidirectional control {code}")
        }
        ' ' => "a space".to_owned(),
        c if hidden(c) => format!("the invisible or control character {code}"),
        c => format!("{c:?} ({code})"),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_probes_look_alikes_are_aino_or_refused() {
        // Issue 17: each read as "aino".
        assert_eq!(username("AINO").ok().as_deref(), Some("aino"));
        assert_eq!(username(" Aino ").ok().as_deref(), Some("aino"));
        let full_width = username("ａｉｎｏ").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(full_width.contains("U+FF41"), "refused, though it signs in as aino: {full_width}");
        let zero_width = username("a\u{200b}ino").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(zero_width.contains("U+200B"), "{zero_width}");
        let cyrillic = username("\u{430}ino").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(cyrillic.contains("U+0430") && cyrillic.contains("a-z"), "{cyrillic}");
        assert!(username("").is_err() && username("   ").is_err());
        assert!(username(&"a".repeat(65)).is_err() && username(&"a".repeat(64)).is_ok());
        assert!(username(&format!(" {}", "a".repeat(64))).is_err(), "64 and a space are 65 as sent");
        assert!(username(".aino").is_err() && username("aino virtanen").is_err());
        assert_eq!(username("aino.virtanen-2_b").ok().as_deref(), Some("aino.virtanen-2_b"));
        // What is typed to sign in folds the same way.
        assert_eq!(fold("AINO"), "aino");
        assert_eq!(fold("ＡＩＮＯ "), "aino");
    }

    #[test]
    fn display_names_refuse_what_hides_or_reorders_text() {
        assert_eq!(display_name(" Aino Virtanen ").ok(), Some("Aino Virtanen"));
        assert!(display_name("Äijälä Åström").is_ok() && display_name("محمد").is_ok() && display_name("Zoë").is_ok());
        for bidi in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}']
            .into_iter()
            .chain(['\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}'])
        {
            let message = display_name(&format!("Aino{bidi}oniA")).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains("bidirectional control U+"), "{bidi:?}: {message}");
        }
        for invisible in
            ['\u{200B}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{3164}', '\u{00A0}', '\n', '\u{7}']
        {
            assert!(display_name(&format!("Ai{invisible}no")).is_err(), "{invisible:?}");
        }
        assert!(display_name("").is_err() && display_name(&"a".repeat(81)).is_err());
    }

    proptest! {
        #[test]
        fn a_username_is_its_own_fold_and_safe(raw in "\\PC{0,20}") {
            if let Ok(name) = username(&raw) {
                prop_assert_eq!(fold(&name), name.clone(), "stored folded, found by its fold");
                prop_assert_eq!(fold(&raw), name.clone(), "what was typed signs in");
                prop_assert!(name.chars().all(is_username_char));
            }
        }

        #[test]
        fn case_and_width_never_make_a_second_username(name in "[a-z0-9][a-z0-9._-]{0,15}", mix in any::<u64>()) {
            // Any mix of upper case and full-width forms signs in as the same
            // username; upper case may also be typed to create it.
            let (mut upper, mut wide) = (String::new(), String::new());
            for (i, c) in name.chars().enumerate() {
                let bits = (mix >> (i % 63)) & 3;
                upper.push(if bits & 1 == 1 { c.to_ascii_uppercase() } else { c });
                let c = if bits & 1 == 1 { c.to_ascii_uppercase() } else { c };
                // U+FF01 to U+FF5E are the full-width forms of U+0021 to U+007E.
                wide.push(if bits & 2 == 2 { char::from_u32(u32::from(c) - 0x21 + 0xFF01).unwrap_or(c) } else { c });
            }
            prop_assert_eq!(username(&upper).ok(), Some(name.clone()));
            prop_assert_eq!(fold(&upper), name.clone());
            prop_assert_eq!(fold(&wide), name);
        }

        #[test]
        fn no_display_name_holds_a_bidi_control(prefix in "\\PC{0,10}", control in prop::sample::select(vec![
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
            '\u{200E}', '\u{200F}', '\u{061C}',
        ]), suffix in "\\PC{0,10}") {
            let name = format!("{prefix}{control}{suffix}");
            prop_assert!(display_name(&name).is_err(), "{:?} accepted", name);
        }
    }
}
