//! Guessing which of Batline's languages a resident wrote in, so the first
//! answer comes back in that language. Finnish is the default whenever the
//! text is too short or too ambiguous to tell.

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

#[cfg(test)]
mod tests {
    use super::*;

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
