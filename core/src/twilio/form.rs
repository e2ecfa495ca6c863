//! Parsing a Twilio webhook's form body. Every posted field is kept, in
//! order and including ones Batline does not know, because the signature
//! covers all of them.

use crate::{Error, Result};

/// The fields of a form-encoded body, exactly as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// Parses `application/x-www-form-urlencoded` bytes. Invalid UTF-8 is an
    /// error (Twilio always sends UTF-8), not silently replaced.
    pub fn parse(body: &[u8]) -> Result<Self> {
        std::str::from_utf8(body).map_err(|_| Error::Invalid("the form body is not valid UTF-8".into()))?;
        Ok(Form { fields: form_urlencoded::parse(body).into_owned().collect() })
    }

    /// The same fields without control characters ([`crate::plain_text`]),
    /// for everything after the signature check, which covers them as sent.
    pub fn into_plain(self) -> Self {
        let fields = self
            .fields
            .into_iter()
            .map(|(mut k, mut v)| {
                crate::plain_text::clean_string(&mut k);
                crate::plain_text::clean_string(&mut v);
                (k, v)
            })
            .collect();
        Form { fields }
    }

    /// Every field, in posted order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or an error naming the missing field.
    pub fn require(&self, name: &str) -> Result<&str> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::Invalid(format!("the webhook has no {name} field")))
    }

    /// All fields as a JSON object (repeated names keep their first value),
    /// for storing the raw webhook.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (k, v) in &self.fields {
            map.entry(k.clone()).or_insert_with(|| serde_json::Value::String(v.clone()));
        }
        serde_json::Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_field_and_decodes() -> Result<()> {
        let form = Form::parse(b"Body=Hei+maailma%21&From=%2B358401234567&Unknown=1&Body=second")?;
        assert_eq!(form.get("Body"), Some("Hei maailma!"));
        assert_eq!(form.get("From"), Some("+358401234567"));
        assert_eq!(form.fields().len(), 4);
        assert!(form.require("MessageSid").is_err());
        Ok(())
    }

    #[test]
    fn plain_fields_have_no_control_characters() -> Result<()> {
        let form = Form::parse(b"Body=Katu%00valo%0D%0Arikki&From=%2B358401234567%00")?.into_plain();
        assert_eq!(form.get("Body"), Some("Katu valo\r\nrikki"));
        assert_eq!(form.get("From"), Some("+358401234567 "));
        Ok(())
    }

    #[test]
    fn rejects_invalid_utf8() {
        assert!(Form::parse(&[0x42, 0x6f, 0x64, 0x79, 0x3d, 0xff]).is_err());
    }
}

/// Fuzzing by property: cargo-fuzz needs a nightly toolchain CI does not
/// have, so proptest throws arbitrary input at the parser on every test run.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(form) = Form::parse(&body) {
                // Whatever parsed can be stored.
                prop_assert!(form.to_json().is_object());
            }
        }

        #[test]
        fn encoded_fields_come_back_exactly(fields in proptest::collection::vec((".{0,20}", ".{0,40}"), 0..12)) {
            let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
            let form = Form::parse(body.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(form.fields(), fields.as_slice());
        }
    }
}
