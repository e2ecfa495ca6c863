//! How urgent a resident's message sounds: words for danger to life or
//! safety (a fire, a smell of gas, someone unconscious, a live wire, ice
//! falling from a roof, a child alone, a threat of violence, "hätä",
//! "fara") make a case `urgent` so the shift lead can be alerted; lesser
//! hazards (deep ice on a pavement, a missing manhole cover, needles) make
//! it `high`; everything else stays `normal`.
//!
//! The rules are word lists in `core/src/priority/` in the topic lexicons'
//! format ([`crate::lexicon`]), so staff can read and edit them, and
//! [`assess`] reports the words that raised the priority, for the case's
//! timeline. Negation is not understood in general, but a danger word right
//! after a negation ("ei hätää", "ingen fara", "no emergency") does not
//! count: a resident who says there is no emergency is not an alarm.

use std::sync::OnceLock;

use crate::{
    domain::{Language, Priority},
    lexicon::{Hit, Lexicon, Message, Stemmers},
};

const SOURCES: [(Language, &str, &str); 3] = [
    (Language::Fi, "priority/fi.txt", include_str!("priority/fi.txt")),
    (Language::Sv, "priority/sv.txt", include_str!("priority/sv.txt")),
    (Language::En, "priority/en.txt", include_str!("priority/en.txt")),
];

/// How much a word from another language's list counts when the message's
/// language is known: "brand" is a fire in Swedish but not in English.
/// Danger words are shared more freely than topic words (a Finnish case may
/// well say "fire!"), so a full-weight word from another language still
/// raises the priority to `high`.
const OTHER_LANGUAGE: f32 = 0.7;

/// The weight of urgent and high words together from which a message is
/// `high`: two half-weight hints ("jäätä", "paksusti"), or one full danger
/// word from another language than the case's (1 × 0.7).
const HIGH_FROM: f32 = 0.7;

/// How many words may stand between a negation and the danger word it
/// cancels ("ei *mitään* hätää", "not *an* emergency").
const NEGATION_REACH: usize = 1;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Urgent,
    High,
    Negation,
}

/// A message's priority and the words that raised it.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityAssessment {
    /// `urgent`, `high` or `normal`; the rules never lower a priority, so
    /// never say `low`.
    pub priority: Priority,
    /// The words that raised it, as the resident wrote them ("kaasun",
    /// "tajuton"); empty for `normal`.
    pub words: Vec<String>,
}

struct Rules {
    lexicon: Lexicon<Section>,
    stemmers: Stemmers,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let stemmers = Stemmers::new();
        // The built-in files are part of the program, not input; the unit
        // test `the_built_in_rules_parse` fails first if one breaks.
        let lexicon = Lexicon::parse(&SOURCES, &stemmers, |name| match name {
            "urgent" => Some(Section::Urgent),
            "high" => Some(Section::High),
            "negation" => Some(Section::Negation),
            _ => None,
        })
        .expect("the built-in priority rules parse");
        Rules { lexicon, stemmers }
    })
}

/// The priority `text` calls for. `language` is the case's language when
/// known (its words count fully, others' less); `None` counts all alike.
pub fn assess(text: &str, language: Option<Language>) -> PriorityAssessment {
    let rules = rules();
    let message = Message::new(text, &rules.stemmers);
    let hits = rules.lexicon.hits(&message, |hit| match language {
        Some(given) if given != hit.language => hit.weight * OTHER_LANGUAGE,
        _ => hit.weight,
    });
    let negations: Vec<&Hit<Section>> = hits.iter().filter(|h| h.key == Section::Negation).collect();
    let negated = |hit: &Hit<Section>| {
        negations.iter().any(|n| {
            let end = n.first + n.len;
            end <= hit.first && hit.first - end <= NEGATION_REACH
        })
    };
    let live: Vec<&Hit<Section>> = hits.iter().filter(|h| h.key != Section::Negation && !negated(h)).collect();
    let weight = |section: Section| live.iter().filter(|h| h.key == section).map(|h| h.weight).sum::<f32>();
    let (urgent, high) = (weight(Section::Urgent), weight(Section::High));

    let (priority, deciding): (Priority, &[Section]) = if urgent >= 1.0 {
        (Priority::Urgent, &[Section::Urgent])
    } else if urgent + high >= HIGH_FROM {
        (Priority::High, &[Section::Urgent, Section::High])
    } else {
        (Priority::Normal, &[])
    };
    let mut words: Vec<String> = Vec::new();
    for hit in live.iter().filter(|h| deciding.contains(&h.key)) {
        let written = message.written(hit.first, hit.len);
        if !words.contains(&written) {
            words.push(written);
        }
    }
    PriorityAssessment { priority, words }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn priority(text: &str) -> Priority {
        assess(text, None).priority
    }

    #[test]
    fn the_built_in_rules_parse() {
        let stemmers = Stemmers::new();
        Lexicon::parse(&SOURCES, &stemmers, |n| ["urgent", "high", "negation"].contains(&n).then_some(()))
            .expect("built-in priority rules");
    }

    #[test]
    fn danger_to_life_is_urgent_in_every_language() {
        for text in [
            "roskis palaa ja savua tulee",
            "tulipalo roskakatoksessa!",
            "kaasun haju rappukäytävässä!!",
            "tajuton mies makaa pysäkin vieressä",
            "sähköjohto roikkuu maassa katuvalon vieressä",
            "katolta putoaa jäätä jalkakäytävälle",
            "jääpuikot roikkuu katolta koulun pihalla",
            "pieni lapsi yksin leikkipuistossa",
            "joku uhkailee veitsellä rappukäytävässä",
            "hätä! auttakaa",
            "det brinner i en soptunna",
            "det luktar gas i trappan",
            "en man ligger medvetslös vid hållplatsen",
            "istappar hänger från taket",
            "någon hotar folk med kniv",
            "det är fara för livet",
            "rubbish bin on fire!!!",
            "smell of gas in the stairwell",
            "man lying unconscious next to the bus stop",
            "live wire hanging from the street light",
            "icicles hanging off the roof over the sidewalk",
            "a guy is threatening people with a knife",
            "a toddler alone in the playground",
            "veljeni puhuu itsemurhasta",
            "hon pratar om självmord",
            "my friend says he wants to kill himself",
        ] {
            assert_eq!(priority(text), Priority::Urgent, "{text}");
        }
    }

    #[test]
    fn lesser_hazards_are_high() {
        for text in [
            "jäätä jalkakäytävällä tosi paksusti, vanhukset ei pääse kauppaan",
            "kaivonkansi puuttuu, vaarallista",
            "neuloja puistossa",
            "is på trottoaren, jättetjock",
            "brunnslocket saknas, farligt hål i gatan",
            "ice on the pavement is really thick, elderly neighbours cant get out",
            "manhole cover missing, its dangerous",
        ] {
            assert_eq!(priority(text), Priority::High, "{text}");
        }
    }

    #[test]
    fn ordinary_complaints_stay_normal() {
        for text in [
            "katuvalo on rikki vaasankadulla",
            "katuvalo ei pala",
            "valo palaa koko päivän turhaan",
            "roskis täynnä",
            "naapurin koira haukkuu",
            "bussi 55 ei tullut",
            "päiväkotipaikka haettu",
            "grannen har fest",
            "the swing at the playground is broken",
            "hei voisitteko soittaa",
            "",
        ] {
            let a = assess(text, None);
            assert_eq!(a.priority, Priority::Normal, "{text}: {a:?}");
            assert!(a.words.is_empty());
        }
    }

    #[test]
    fn a_negated_danger_word_is_no_alarm() {
        for text in [
            "ei hätää, mutta katuvalo on rikki",
            "ei mitään hätää",
            "ingen fara, men lampan är trasig",
            "no emergency, just a broken bench",
            "not an emergency",
        ] {
            assert_eq!(priority(text), Priority::Normal, "{text}");
        }
        assert_eq!(
            priority("ei hätää mutta tulipalo roskiksessa"),
            Priority::Urgent,
            "only the next words are negated"
        );
    }

    #[test]
    fn the_words_that_raised_it_are_reported() {
        let a = assess("Kaasun haju rappukäytävässä!!", Some(Language::Fi));
        assert_eq!(a.priority, Priority::Urgent);
        assert_eq!(a.words, ["Kaasun"]);
        let a = assess("roska-astia palaa! savua tulee", Some(Language::Fi));
        assert_eq!((a.priority, a.words), (Priority::Urgent, vec!["palaa".to_owned(), "savua".to_owned()]));
    }

    #[test]
    fn another_languages_word_counts_less_when_the_language_is_known() {
        assert_eq!(assess("brand new bins please", Some(Language::En)).priority, Priority::Normal);
        assert_eq!(assess("tulipalo!", Some(Language::En)).priority, Priority::High, "still an alert, if a lesser one");
        assert_eq!(assess("det är brand i källaren", Some(Language::Sv)).priority, Priority::Urgent);
    }
}
