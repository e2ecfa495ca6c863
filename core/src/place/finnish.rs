//! Finnish (and a little Swedish) inflection of place names, generically:
//! the stems a name's last word takes before a case ending, and the case
//! endings themselves. "Fleminginkatu" is written "Fleminginkadulla",
//! "Fleminginkadun", "Fleminginkatua"; "Lauttasaari" "Lauttasaaressa";
//! "Sörnäinen" "Sörnäisissä". No street is listed by hand: every stem comes
//! from these rules, so another city's names inflect the same way.

/// Case endings, longest first, that follow a stem: locatives (-lla, -lle,
/// -lta, -ssa, -sta), genitive -n, partitive -a/-ta, essive -na,
/// translative -ksi, genitive plural -ten (Sörnäisten), illative (-an,
/// -hen, -seen...), and the Swedish
/// genitive -s. The empty ending is the nominative.
pub const ENDINGS: &[&str] = &[
    "seen", "ksi", "ten", "lla", "llä", "lle", "lta", "ltä", "ssa", "ssä", "sta", "stä", "hen", "hin", "ta", "tä",
    "na", "nä", "an", "än", "en", "in", "on", "un", "yn", "ön", "n", "a", "ä", "s", "",
];

/// Consonant gradation, strong → weak, of the consonants before a word's
/// last vowel: katu → kadu-, polku → polu-, ranta → ranna-, kenttä →
/// kentä-, lahti → lahde-, haka → haa-.
const WEAKENING: &[(&str, &str)] = &[
    ("kk", "k"),
    ("pp", "p"),
    ("tt", "t"),
    ("nk", "ng"),
    ("mp", "mm"),
    ("nt", "nn"),
    ("lt", "ll"),
    ("rt", "rr"),
    ("ht", "hd"),
    ("lk", "l"),
    ("lk", "lj"),
    ("rk", "rj"),
    ("lp", "lv"),
    ("rp", "rv"),
    ("t", "d"),
    ("p", "v"),
    ("k", ""),
];

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'ä' | 'ö' | 'å')
}

/// The word split before its final vowels: ("kat", "u"), ("rant", "a"),
/// ("saar", "i"), ("ti", "e") for "tie" keeps the whole vowel group.
fn split_final_vowels(word: &str) -> (&str, &str) {
    let cut = word.char_indices().rev().take_while(|(_, c)| is_vowel(*c)).last().map(|(i, _)| i).unwrap_or(word.len());
    word.split_at(cut)
}

/// Every stem `word` (lower case, nominative) may take before an ending in
/// [`ENDINGS`], itself included.
pub fn stems(word: &str) -> Vec<String> {
    let mut out = vec![word.to_owned()];
    let mut push = |s: String| {
        if s.chars().count() >= 2 && !out.contains(&s) {
            out.push(s);
        }
    };
    let (head, vowels) = split_final_vowels(word);
    if !vowels.is_empty() && !head.is_empty() {
        // Weak grade before the final vowel: kat|u -> kad|u.
        for (strong, weak) in WEAKENING {
            if let Some(rest) = head.strip_suffix(strong) {
                // A single consonant grades only after a vowel (haka, katu),
                // never in a cluster the longer rules already handle.
                let single = strong.chars().count() == 1;
                if single && !rest.chars().last().is_some_and(is_vowel) {
                    continue;
                }
                let weak_head = format!("{rest}{weak}");
                push(format!("{weak_head}{vowels}"));
                if vowels == "i" {
                    push(format!("{weak_head}e"));
                }
            }
        }
        if let Some(rest) = word.strip_suffix("uku") {
            push(format!("{rest}uvu"));
        }
        // saari -> saare-, niemi -> nieme-, mäki -> mäe- (above).
        if vowels == "i" {
            push(format!("{head}e"));
        }
        // rinne -> rintee-, kaarre -> kaartee-, ahde -> ahtee-: a word in
        // -e takes the strong grade and a long vowel.
        if vowels == "e" {
            for (strong, weak) in WEAKENING {
                if weak.is_empty() {
                    continue;
                }
                if let Some(rest) = head.strip_suffix(weak) {
                    push(format!("{rest}{strong}ee"));
                }
            }
            push(format!("{head}ee"));
        }
    }
    // Sörnäinen -> sörnäise-, sörnäisi- (plural), sörnäis- (sörnäisten).
    if let Some(rest) = word.strip_suffix("nen") {
        push(format!("{rest}se"));
        push(format!("{rest}si"));
        push(format!("{rest}s"));
    }
    // Itäkeskus -> itäkeskukse-, kuningas -> kuninkaa- is rarer; -us/-ys
    // is what district and place names use.
    // The slang names in -is do the same: itis -> itikse-, hakis -> hakikse-.
    for (end, stem) in [("us", "ukse"), ("ys", "ykse"), ("os", "okse"), ("is", "ikse")] {
        if let Some(rest) = word.strip_suffix(end) {
            push(format!("{rest}{stem}"));
        }
    }
    out
}

/// Whether `name`'s last word is a street's generic part (katu, tie,
/// gatan, ...): such names are street names whatever else they are, while a
/// bare word like "Hevonen" (a building's address name, and "a horse") is
/// only taken for a place with more to go on.
pub fn has_street_generic(name: &str) -> bool {
    const GENERIC: &[&str] = &[
        "katu",
        "tie",
        "kuja",
        "polku",
        "aukio",
        "tori",
        "ranta",
        "silta",
        "raitti",
        "väylä",
        "rinne",
        "kaari",
        "portti",
        "laituri",
        "piha",
        "penger",
        "kenttä",
        "tanhua",
        "kaarre",
        "ahde",
        "kulma",
        "puistikko",
        "linja",
        "kaista",
        "porras",
        "reitti",
        "esplanadi",
        "bulevardi",
        "kierros",
        "kulku",
        "käytävä",
        "kaarto",
        "puisto",
        "gatan",
        "vägen",
        "stigen",
        "gränden",
        "gången",
        "torget",
        "planen",
        "parken",
        "stranden",
        "bron",
        "backen",
        "esplanaden",
        "bulevarden",
        "allén",
        "kajen",
        "kroken",
        "bågen",
        "slingan",
        "svängen",
        "trappan",
        "raden",
        "linjen",
        "passagen",
        "stråket",
        "gata",
        "väg",
        "stig",
        "gränd",
        "park",
        "torg",
    ];
    let lower = name.to_lowercase();
    let last = lower.split_whitespace().last().unwrap_or("");
    GENERIC.iter().any(|g| last.ends_with(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inflects(name: &str, written: &str) -> bool {
        stems(name).iter().any(|s| ENDINGS.iter().any(|e| format!("{s}{e}") == written))
    }

    #[test]
    fn street_generics_grade() {
        for (name, written) in [
            ("fleminginkatu", "fleminginkadulla"),
            ("fleminginkatu", "fleminginkadun"),
            ("fleminginkatu", "fleminginkadulle"),
            ("fleminginkatu", "fleminginkatua"),
            ("fleminginkatu", "fleminginkatuun"),
            ("mannerheimintie", "mannerheimintiellä"),
            ("mannerheimintie", "mannerheimintietä"),
            ("mannerheimintie", "mannerheimintiehen"),
            ("sibeliuksenpolku", "sibeliuksenpolulla"),
            ("hietaniemenranta", "hietaniemenrannan"),
            ("hietaniemenranta", "hietaniemenrannalla"),
            ("kalasatamankaari", "kalasatamankaarella"),
            ("tilkanportti", "tilkanportilla"),
            ("brahenkenttä", "brahenkentällä"),
            ("kumpulanrinne", "kumpulanrinteellä"),
            ("kumpulanrinne", "kumpulanrinteen"),
        ] {
            assert!(inflects(name, written), "{name} -> {written}: {:?}", stems(name));
        }
    }

    #[test]
    fn district_names_inflect() {
        for (name, written) in [
            ("lauttasaari", "lauttasaaressa"),
            ("sörnäinen", "sörnäisissä"),
            ("sörnäinen", "sörnäisten"),
            ("kamppi", "kampissa"),
            ("meilahti", "meilahdessa"),
            ("kruununhaka", "kruununhaassa"),
            ("itäkeskus", "itäkeskuksessa"),
            ("katajanokka", "katajanokalla"),
            ("kallio", "kalliossa"),
            ("malmi", "malmilla"),
        ] {
            assert!(inflects(name, written), "{name} -> {written}: {:?}", stems(name));
        }
    }

    #[test]
    fn unrelated_words_do_not_inflect_into_names() {
        assert!(!inflects("fleminginkatu", "helsinginkadulla"));
        assert!(!inflects("kallio", "kallis"));
    }

    #[test]
    fn generics_tell_streets_from_bare_words() {
        assert!(has_street_generic("Fleminginkatu"));
        assert!(has_street_generic("Flemingsgatan"));
        assert!(has_street_generic("Axel Lindbergin polku"));
        assert!(!has_street_generic("Hevonen"));
    }
}
