//! The topic classifier: a message's words scored against every topic's
//! lexicon, the best topic kept only when it clearly leads.

use std::sync::OnceLock;

use super::code;
use crate::{
    Result,
    domain::Language,
    lexicon::{Lexicon, Message, Stemmers},
};

/// The built-in lexicons, one per language, compiled in so a deployment
/// cannot lose them; [`Classifier::parse`] takes others.
const SOURCES: [(Language, &str, &str); 3] = [
    (Language::Fi, "topic/lexicon/fi.txt", include_str!("lexicon/fi.txt")),
    (Language::Sv, "topic/lexicon/sv.txt", include_str!("lexicon/sv.txt")),
    (Language::En, "topic/lexicon/en.txt", include_str!("lexicon/en.txt")),
];

/// How much an entry from another language's lexicon counts when the
/// message's language is known. Not zero: residents mix languages ("the
/// street light on porthaninkatu is rikki"), but less than the case's own
/// language, so a word that happens to exist in two languages does not
/// outweigh what the resident meant.
const OTHER_LANGUAGE: f32 = 0.7;

/// The score at which the evidence counts as strong: one weight-3 word (a
/// word that alone names the topic, like "roskis") gives a strength of
/// 1 - e^-1 ≈ 0.63.
const SCALE: f32 = 3.0;

/// Below this confidence the message stays unclassified. One decisive word
/// (0.63) passes, and so does one strong hint (weight 2, 0.49) or a
/// decisive word with a weak rival (3 against 1.5: 0.42); one weak word
/// (weight 1, 0.28) does not.
const THRESHOLD: f32 = 0.4;

/// The least share of the evidence the leading topic must have: below it the
/// two leading topics are too close to choose between ("roskis" in a bus
/// shelter), however much evidence both have.
const MIN_SHARE: f32 = 0.6;

/// A confidence from which an answer counts as confident: the benchmark's
/// "confident wrong" counts wrong answers at or above it.
pub const CONFIDENT: f32 = 0.75;

/// A lexicon section: a topic, or `[any]`, words of trouble ("rikki",
/// "trasig", "broken") that say nothing of the topic but strengthen the
/// topic that leads, and are worth showing among the deciding words.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Topic(&'static str),
    Any,
}

/// What a message is about, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// The topic code (one of [`super::TOPICS`]), or `None`: unclassified,
    /// because the evidence was too thin or two topics were too close.
    pub topic: Option<&'static str>,
    /// 0–1: how strong the leading topic's evidence is, times its share of
    /// the evidence of the two leading topics. Unclassified below 0.4, or
    /// when the share is below 0.6.
    pub confidence: f32,
    /// The words that decided it, as the resident wrote them and in their
    /// order ("katuvalo", "rikki"); for an unclassified message, the words
    /// of the topic that led but fell short (possibly none).
    pub words: Vec<String>,
    /// Every topic with any evidence and its score, highest first (the
    /// leader's without the `[any]` words): what the benchmark and a curious
    /// responder see when asking why.
    pub scores: Vec<(&'static str, f32)>,
}

/// The topic classifier: lexicons parsed once, then [`Self::classify`] as
/// often as needed from any thread.
#[derive(Debug)]
pub struct Classifier {
    lexicon: Lexicon<Section>,
    stemmers: Stemmers,
}

impl Default for Classifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Classifier {
    /// The classifier with Batline's built-in lexicons.
    pub fn new() -> Self {
        // The built-in files are part of the program, not input; the unit
        // test `the_built_in_lexicons_parse` fails first if one breaks.
        Self::parse(&SOURCES).expect("the built-in topic lexicons parse")
    }

    /// One classifier for the whole process, parsed on first use.
    pub fn shared() -> &'static Classifier {
        static SHARED: OnceLock<Classifier> = OnceLock::new();
        SHARED.get_or_init(Classifier::new)
    }

    /// A classifier with other lexicons: `(language, name for errors, text)`
    /// per file, in the built-in files' format. Sections must be topic codes
    /// or `[any]`.
    pub fn parse(sources: &[(Language, &str, &str)]) -> Result<Self> {
        let stemmers = Stemmers::new();
        let lexicon = Lexicon::parse(sources, &stemmers, |name| match name {
            "any" => Some(Section::Any),
            other => code(other).map(Section::Topic),
        })?;
        Ok(Classifier { lexicon, stemmers })
    }

    /// The topic of `text`. `language` is the case's language when known:
    /// its lexicon counts fully and the others less; with `None` all three
    /// count alike.
    pub fn classify(&self, text: &str, language: Option<Language>) -> Classification {
        let message = Message::new(text, &self.stemmers);
        let hits = self.lexicon.hits(&message, |hit| match language {
            Some(given) if given != hit.language => hit.weight * OTHER_LANGUAGE,
            _ => hit.weight,
        });

        let mut scores: Vec<(&'static str, f32)> = Vec::new();
        for hit in &hits {
            if let Section::Topic(topic) = hit.key {
                match scores.iter_mut().find(|(t, _)| *t == topic) {
                    Some((_, score)) => *score += hit.weight,
                    None => scores.push((topic, hit.weight)),
                }
            }
        }
        // Highest first; on equal scores the order of the catalogue, so the
        // answer never depends on the order of the lexicon files.
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| rank(a.0).cmp(&rank(b.0))));
        let Some(&(leader, lead)) = scores.first().filter(|(_, s)| *s > 0.0) else {
            return Classification { topic: None, confidence: 0.0, words: Vec::new(), scores };
        };
        let runner_up = scores.get(1).map_or(0.0, |(_, s)| s.max(0.0));
        let trouble: f32 = hits.iter().filter(|h| h.key == Section::Any).map(|h| h.weight).sum();
        let lead = lead + trouble;

        let strength = 1.0 - (-lead / SCALE).exp();
        let share = lead / (lead + runner_up);
        let confidence = (strength * share).clamp(0.0, 1.0);
        let words = hits
            .iter()
            .filter(|h| h.key == Section::Topic(leader) || h.key == Section::Any)
            .map(|h| message.written(h.first, h.len))
            .fold(Vec::new(), |mut words: Vec<String>, w| {
                if !words.contains(&w) {
                    words.push(w);
                }
                words
            });
        let decided = confidence >= THRESHOLD && share >= MIN_SHARE;
        Classification { topic: decided.then_some(leader), confidence, words, scores }
    }
}

fn rank(topic: &str) -> usize {
    super::TOPICS.iter().position(|t| *t == topic).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::LANGUAGES;

    fn topic(text: &str, language: Option<Language>) -> Option<&'static str> {
        Classifier::shared().classify(text, language).topic
    }

    #[test]
    fn the_built_in_lexicons_parse() {
        Classifier::parse(&SOURCES).expect("built-in lexicons");
    }

    #[test]
    fn the_same_complaint_in_three_languages_gets_the_same_topic() {
        let cases: [(&str, [&str; 3]); 8] = [
            (
                "streets",
                [
                    "katuvalo on rikki fleminginkadulla",
                    "gatlyktan är trasig på fleminggatan",
                    "the street light on fleminginkatu is broken",
                ],
            ),
            (
                "waste",
                [
                    "roskis on täynnä ja roskia joka puolella",
                    "soptunnan är full och det är skräp överallt",
                    "the bin is full and there is litter everywhere",
                ],
            ),
            (
                "snow",
                [
                    "jalkakäytävä on auraamatta ja tosi liukas",
                    "trottoaren är inte plogad och väldigt hal",
                    "the sidewalk is not ploughed and very slippery",
                ],
            ),
            (
                "stops",
                [
                    "bussipysäkin katoksen lasi on rikottu",
                    "glaset i busskuren är krossat",
                    "the glass of the bus shelter is smashed",
                ],
            ),
            (
                "noise",
                [
                    "naapurissa on kova meteli joka yö",
                    "grannen för oväsen varje natt",
                    "the neighbours make a lot of noise every night",
                ],
            ),
            (
                "schools",
                [
                    "päiväkotipaikka haettu eikä vastausta",
                    "vi har sökt dagisplats men fått inget svar",
                    "we applied for a daycare place and got no answer",
                ],
            ),
            (
                "health",
                [
                    "en saa aikaa terveysasemalle",
                    "jag får ingen tid till hälsostationen",
                    "i cannot get an appointment at the health centre",
                ],
            ),
            (
                "parks",
                [
                    "leikkipuiston keinu on rikki",
                    "gungan i lekparken är trasig",
                    "the swing in the playground is broken",
                ],
            ),
        ];
        for (expected, texts) in cases {
            for (text, language) in texts.into_iter().zip(LANGUAGES) {
                assert_eq!(topic(text, Some(language)), Some(expected), "{text} ({language})");
                assert_eq!(topic(text, None), Some(expected), "{text} (language unknown)");
            }
        }
    }

    #[test]
    fn compounds_inflections_and_missing_diacritics_are_read() {
        for text in [
            "katuvalot pimeänä",
            "katuvaloa ei ole",
            "roskis täynnä",
            "lumikasa tukkii tien",
            "bussipysäkillä ei katosta",
            "pysakin katos rikki",
            "KATUVALO RIKKI",
        ] {
            assert!(topic(text, Some(Language::Fi)).is_some(), "{text}");
        }
        assert_eq!(topic("pysakin katos rikki", None), Some("stops"));
        assert_eq!(topic("lumikasa tukkii tien", None), Some("snow"));
    }

    #[test]
    fn vague_messages_stay_unclassified() {
        for text in ["hei voisitteko soittaa", "hello?", "hallå?", "moi", "kiitos", "can someone call me", "", "!!!"] {
            let c = Classifier::shared().classify(text, None);
            assert_eq!(c.topic, None, "{text}: {c:?}");
        }
    }

    #[test]
    fn the_deciding_words_are_reported_as_written() {
        let c = Classifier::shared()
            .classify("Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa", Some(Language::Fi));
        assert_eq!(c.topic, Some("streets"));
        assert!(c.confidence >= THRESHOLD && c.confidence <= 1.0, "{c:?}");
        assert_eq!(c.words, ["Katuvalo", "rikki"]);
    }

    #[test]
    fn more_evidence_means_more_confidence() {
        let c = Classifier::shared();
        let one = c.classify("roskis", Some(Language::Fi)).confidence;
        let more = c.classify("roskis täynnä ja roskat lentää, tyhjentäkää", Some(Language::Fi)).confidence;
        assert!(more > one, "{one} vs {more}");
    }
}
