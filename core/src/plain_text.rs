//! Control characters in what people send, decided once (issue 17, item 7).
//!
//! A NUL used to get a different answer at every door: a 500 from a Twilio
//! webhook (PostgreSQL cannot store it in the webhook's `jsonb` copy), so
//! Twilio retried forever; "send it again" from the chat, whose page then
//! retried every 3 s forever; a 500 from console notes and walk-in topics.
//! The rule now, at every entry: **text Batline accepts has no control
//! characters.** Each is blanked (made a plain space), not refused: a
//! resident's message is never lost over a character nobody can see, and a
//! refusal would only ask them to remove what they cannot find. A space
//! rather than nothing keeps every text exactly as long as it was sent, so
//! a limit is the same whether counted as sent or as stored (the API
//! documents state limits as sent), and words a control character
//! separated stay apart. Line breaks, carriage returns and tabs are what
//! people mean by them and stay.
//!
//! Blanked: C0 controls other than tab, line feed and carriage return, DEL,
//! and C1 controls
//! (U+0080–U+009F), which no keyboard types and no font draws. Where the
//! rule is applied: the gateway's and console's `Form`, `Query` and `Json`
//! extractors, a Twilio webhook's fields once its signature is checked
//! (the signature covers the bytes as sent), the chat socket's frames and
//! a roster import's CSV. Names people read (display names, usernames) have
//! stricter rules of their own on top.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

/// True for a character the rule blanks.
fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// `text` with every control character but tab, line feed and carriage
/// return made a space; as many characters as before. Borrows when there
/// is nothing to blank, which is nearly always.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if is_control(c) { ' ' } else { c }).collect())
}

/// `text` cleaned in place.
pub fn clean_string(text: &mut String) {
    if let Cow::Owned(cleaned) = clean(text) {
        *text = cleaned;
    }
}

/// Every string in `value` (object keys too) cleaned in place.
pub fn clean_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => clean_string(s),
        Value::Array(items) => items.iter_mut().for_each(clean_json),
        Value::Object(map) => {
            if map.keys().any(|k| k.chars().any(is_control)) {
                let entries = std::mem::take(map);
                for (k, v) in entries {
                    map.insert(clean(&k).into_owned(), v);
                }
            }
            map.values_mut().for_each(clean_json);
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// A JSON value cleaned and then read as `T`. An error names the field
/// it is about (`language: unknown variant …`), as axum's extractors do.
pub fn from_json<T: DeserializeOwned>(
    mut value: serde_json::Value,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    clean_json(&mut value);
    serde_path_to_error::deserialize(value)
}

/// Form or query pairs, as decoded, cleaned and then read as `T` with the
/// same rules as `application/x-www-form-urlencoded` (numbers from text,
/// sequences from repeated names). An error names the field it is about.
pub fn from_pairs<T: DeserializeOwned>(
    pairs: &[(String, String)],
) -> Result<T, serde_path_to_error::Error<serde_urlencoded::de::Error>> {
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        encoded.append_pair(&clean(name), &clean(value));
    }
    let encoded = encoded.finish();
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes())))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn blanks_controls_and_keeps_line_breaks_and_tabs() {
        assert_eq!(clean("Katu\u{0}valo\u{7f}on\u{85}rikki"), "Katu valo on rikki");
        assert_eq!(clean("a\r\nb\rc\nd\te"), "a\r\nb\rc\nd\te");
        assert!(matches!(clean("Hei, olen Aino.\nKiitos!"), Cow::Borrowed(_)));
        assert_eq!(clean("\u{1b}[31mred"), " [31mred");
    }

    #[test]
    fn json_strings_and_keys_are_cleaned_at_any_depth() -> Result<(), Box<dyn std::error::Error>> {
        let value = serde_json::json!({ "body\u{0}": "a\u{0}b", "list": [{ "x": "c\u{1}" }], "n": 1 });
        let cleaned: serde_json::Value = from_json(value)?;
        assert_eq!(cleaned, serde_json::json!({ "body ": "a b", "list": [{ "x": "c " }], "n": 1 }));
        Ok(())
    }

    #[test]
    fn pairs_read_as_a_form_would() -> Result<(), Box<dyn std::error::Error>> {
        #[derive(serde::Deserialize, PartialEq, Debug)]
        struct Topic {
            topic: String,
            minutes: u32,
        }
        let pairs =
            vec![("topic".to_owned(), "Puisto\u{0}n penkki".to_owned()), ("minutes".to_owned(), "15".to_owned())];
        assert_eq!(from_pairs::<Topic>(&pairs)?, Topic { topic: "Puisto n penkki".into(), minutes: 15 });
        let bad = vec![("topic".to_owned(), "x".to_owned()), ("minutes".to_owned(), "many".to_owned())];
        let e = from_pairs::<Topic>(&bad).err().ok_or("\"many\" is not minutes")?;
        assert!(e.to_string().starts_with("minutes: "), "{e}");
        Ok(())
    }

    proptest! {
        /// Whatever comes in, what goes on has no character the rule
        /// blanks, is exactly as long, differs only where the rule blanked,
        /// and is a fixed point.
        #[test]
        fn nothing_controlled_survives_and_nothing_else_changes(text in any::<String>()) {
            let cleaned = clean(&text);
            prop_assert!(!cleaned.chars().any(is_control));
            prop_assert_eq!(cleaned.chars().count(), text.chars().count());
            for (before, after) in text.chars().zip(cleaned.chars()) {
                prop_assert!(before == after || (is_control(before) && after == ' '));
            }
            prop_assert_eq!(clean(&cleaned), cleaned.clone());
        }
    }
}
