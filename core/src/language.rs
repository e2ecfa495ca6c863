//! Which of Batline's languages a person reads: guessed from what a
//! resident wrote, so the first answer comes back in that language
//! ([`detect`]), or negotiated from a browser's `Accept-Language`
//! ([`from_accept_language`], the one negotiation of every page, the
//! resident's and the console's). Finnish is the default whenever the text
//! or the header does not tell.

use whatlang::{Detector, Lang};

use crate::domain::Language;

/// The language of `text`, if it is clearly Finnish, Swedish or English.
pub fn detect(text: &str) -> Option<Language> {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    // Below a few words whatlang's guesses are coin flips; a resident who
    // writes "Hi" still gets a Finnish answer rather than a random one.
    if letters < 12 {
        return None;
    }
    let detector = Detector::with_allowlist(vec![Lang::Fin, Lang::Swe, Lang::Eng]);
    let info = detector.detect(text)?;
    if info.confidence() < 0.5 {
        return None;
    }
    match info.lang() {
        Lang::Fin => Some(Language::Fi),
        Lang::Swe => Some(Language::Sv),
        Lang::Eng => Some(Language::En),
        _ => None,
    }
}

/// The first of Batline's languages a browser's `Accept-Language` asks
/// for, by quality (`q=`), then in the order listed; `None` when it asks for
/// none of them. A tag counts by its primary language (`sv-FI` is Swedish;
/// `fil`, Filipino, is not Finnish), and `q=0` means "not this one". The
/// header's parsing is the `accept-language` crate's.
pub fn from_accept_language(header: &str) -> Option<Language> {
    accept_language::parse_with_quality(header)
        .into_iter()
        .filter(|(_, quality)| *quality > 0.0)
        .find_map(|(tag, _)| tag.split('-').next()?.to_ascii_lowercase().parse::<Language>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_gets_the_language_it_prefers_most_that_batline_speaks() {
        assert_eq!(from_accept_language("sv-FI,sv;q=0.9,en;q=0.8"), Some(Language::Sv));
        assert_eq!(from_accept_language("de-DE, sv-FI;q=0.8, en;q=0.5"), Some(Language::Sv));
        // By quality, not by place in the list.
        assert_eq!(from_accept_language("en;q=0.5, sv;q=0.9"), Some(Language::Sv));
        assert_eq!(from_accept_language("FI"), Some(Language::Fi));
        assert_eq!(from_accept_language("fil, en-GB;q=0.7"), Some(Language::En), "Filipino is not Finnish");
        assert_eq!(from_accept_language("sv;q=0, en;q=0.1"), Some(Language::En), "q=0 refuses a language");
        for none in ["", "*", "de, fr;q=0.5", ";;,,", "fi;q=0"] {
            assert_eq!(from_accept_language(none), None, "{none:?}");
        }
    }

    #[test]
    fn detects_the_three_languages() {
        assert_eq!(detect("Puistossa on kaatunut puu ja se tukkii kävelytien kokonaan"), Some(Language::Fi));
        assert_eq!(detect("Det ligger ett nedfallet träd i parken och det blockerar gångvägen"), Some(Language::Sv));
        assert_eq!(detect("There is a fallen tree in the park and it blocks the whole path"), Some(Language::En));
    }

    #[test]
    fn short_texts_are_not_guessed() {
        assert_eq!(detect("Hi"), None);
        assert_eq!(detect("?!"), None);
    }
}
