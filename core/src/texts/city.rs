//! Who residents hear from: their city, by name, in their language. An SMS
//! has no page around it to say who sent it, so each one starts with the
//! city's name, and a responder's reply with the responder's name too.

use std::fmt;

use super::{SMS_MAX_CHARS, truncate_chars};
use crate::domain::Language;

/// The city's name in Finnish, Swedish and English (`BATLINE_CITY_NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CityName {
    fi: String,
    sv: String,
    en: String,
}

/// Longest name a language may have: it heads every SMS.
const MAX_NAME_CHARS: usize = 40;

impl CityName {
    /// `Helsingin kaupunki|Helsingfors stad|City of Helsinki`, or one name
    /// for all three languages.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let names: Vec<&str> = raw.split('|').map(str::trim).collect();
        let (fi, sv, en) = match names.as_slice() {
            [one] => (*one, *one, *one),
            [fi, sv, en] => (*fi, *sv, *en),
            _ => return Err("give one name, or three separated by | (Finnish|Swedish|English)".to_owned()),
        };
        for name in [fi, sv, en] {
            if name.is_empty() {
                return Err("a name is empty".to_owned());
            }
            if name.chars().count() > MAX_NAME_CHARS {
                return Err(format!("\"{name}\" is longer than {MAX_NAME_CHARS} characters"));
            }
            if name.chars().any(char::is_control) {
                return Err("a name holds a control character".to_owned());
            }
        }
        Ok(Self { fi: fi.to_owned(), sv: sv.to_owned(), en: en.to_owned() })
    }

    /// The name as a reader of `lang` knows it.
    pub fn in_language(&self, lang: Language) -> &str {
        match lang {
            Language::Fi => &self.fi,
            Language::Sv => &self.sv,
            Language::En => &self.en,
        }
    }
}

impl fmt::Display for CityName {
    /// All three, as the setting takes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}|{}", self.fi, self.sv, self.en)
    }
}

/// What an SMS starts with: "Helsingin kaupunki: ", or, on a responder's
/// reply, "Mikko, Helsingin kaupunki: ". Notices name their people in the
/// text itself, so they take the city's name alone.
pub fn sms_heading(city: &CityName, lang: Language, author: Option<&str>) -> String {
    let city = city.in_language(lang);
    match author {
        Some(author) => format!("{author}, {city}: "),
        None => format!("{city}: "),
    }
}

/// The SMS as sent: the heading, then the body, within Twilio's limit.
pub fn sms_body(city: &CityName, lang: Language, author: Option<&str>, body: &str) -> String {
    truncate_chars(format!("{}{body}", sms_heading(city, lang, author)), SMS_MAX_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helsinki() -> CityName {
        CityName::parse("Helsingin kaupunki|Helsingfors stad|City of Helsinki").expect("three names")
    }

    #[test]
    fn one_name_serves_every_language_and_three_are_one_each() {
        let one = CityName::parse("Espoo").expect("one name");
        assert_eq!(one.in_language(Language::Sv), "Espoo");
        assert_eq!(helsinki().in_language(Language::Sv), "Helsingfors stad");
        assert_eq!(helsinki().to_string(), "Helsingin kaupunki|Helsingfors stad|City of Helsinki");
    }

    #[test]
    fn two_names_empty_names_and_long_names_are_refused() {
        assert!(CityName::parse("Helsinki|Helsingfors").is_err());
        assert!(CityName::parse("Helsinki||City of Helsinki").is_err());
        assert!(CityName::parse(&"x".repeat(41)).is_err());
        assert!(CityName::parse("Hel\nsinki").is_err());
    }

    #[test]
    fn a_reply_is_headed_by_its_author_and_the_city() {
        let city = helsinki();
        assert_eq!(
            sms_body(&city, Language::Fi, Some("Mikko"), "Korjaamme sen."),
            "Mikko, Helsingin kaupunki: Korjaamme sen."
        );
        assert_eq!(sms_body(&city, Language::En, None, "Thank you!"), "City of Helsinki: Thank you!");
    }

    #[test]
    fn the_heading_never_pushes_an_sms_over_the_limit() {
        let body = "x".repeat(SMS_MAX_CHARS);
        assert_eq!(sms_body(&helsinki(), Language::Sv, Some("Linnea"), &body).chars().count(), SMS_MAX_CHARS);
    }
}
