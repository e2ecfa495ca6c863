//! Word lists that decide something about a resident's message: what it is
//! about ([`crate::topic`]) and how urgent it is ([`crate::priority`]).
//!
//! A lexicon is a text file the city's staff can read and edit, one per
//! language: sections (`[snow]`), one entry a line (a weight, then one or
//! more word patterns), `#` comments. The files' own headers explain the
//! patterns; in short:
//!
//! | pattern     | matches a word that…                                          |
//! | ----------- | ------------------------------------------------------------- |
//! | `katuvalo`  | has the same Snowball stem (katuvalot, katuvaloa, katuvalon)  |
//! | `"hometta"` | is exactly this word (no stemming)                            |
//! | `hiekoit*`  | begins with it (hiekoitus, hiekoitettu)                       |
//! | `*pysäkk*`  | contains it anywhere: Finnish and Swedish compounds           |
//! | `*valli`    | ends with it                                                  |
//! | `a\|b\|c`   | matches any of the alternatives                               |
//!
//! Several patterns on one line are a phrase: consecutive words, each
//! matching its pattern in turn ("ei toimi", "smell of gas").
//!
//! Words are compared lower-cased. A word typed without diacritics is
//! compared with them folded away too, so "pysakki" or "TOLO" is read as
//! "pysäkki", "Tölö"; a word typed with them keeps them, so "väärin"
//! (wrong) is not "vaarin" (grandpa's) and "hål" (hole) is not "hal"
//! (slippery). A
//! message is prepared once ([`Message::new`]): split into words, each word
//! stemmed with the Finnish, Swedish and English stemmers, so any language's
//! lexicon can be matched against it without knowing what the resident
//! wrote in.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;
use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

use crate::{Error, Result, domain::Language};

/// The languages lexicons exist for, in the order of [`Stemmers`]' slots.
pub const LANGUAGES: [Language; 3] = [Language::Fi, Language::Sv, Language::En];

fn slot(language: Language) -> usize {
    match language {
        Language::Fi => 0,
        Language::Sv => 1,
        Language::En => 2,
    }
}

/// Lower case with diacritics removed: "Pysäkillä" is "pysakilla". Both a
/// lexicon's patterns and a message's words are compared in this form.
pub fn fold(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The Snowball stemmers of Finnish, Swedish and English.
pub struct Stemmers([Stemmer; 3]);

impl Stemmers {
    /// The three stemmers (cheap: a stemmer is a table of functions).
    pub fn new() -> Self {
        Stemmers([
            Stemmer::create(Algorithm::Finnish),
            Stemmer::create(Algorithm::Swedish),
            Stemmer::create(Algorithm::English),
        ])
    }

    /// The stem of `word` in `language`. Stemming comes before folding: the
    /// stemmers know their language's letters (ä, å).
    fn stem(&self, language: usize, word: &str) -> Spelling {
        Spelling::new(&self.0[language].stem(&word.to_lowercase()))
    }
}

impl std::fmt::Debug for Stemmers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stemmers(fi, sv, en)")
    }
}

impl Default for Stemmers {
    fn default() -> Self {
        Self::new()
    }
}

/// A word or a stem in lower case, with and without its diacritics.
#[derive(Debug, Clone, PartialEq)]
struct Spelling {
    lower: String,
    folded: String,
}

impl Spelling {
    fn new(text: &str) -> Self {
        let lower: String = text.to_lowercase().nfc().collect();
        Spelling { folded: fold(&lower), lower }
    }

    /// The form to compare with a word: folded when the resident typed the
    /// word without diacritics (`plain`), as written otherwise.
    fn as_for(&self, plain: bool) -> &str {
        if plain { &self.folded } else { &self.lower }
    }
}

/// One word of a message: as the resident wrote it, lower-cased (and
/// folded), and its stem in each language.
struct Word<'t> {
    written: &'t str,
    spelling: Spelling,
    /// Typed without diacritics: compare in folded form.
    plain: bool,
    stems: [Spelling; 3],
}

/// A message split into words, ready to be matched against any lexicon.
pub struct Message<'t> {
    words: Vec<Word<'t>>,
}

impl<'t> Message<'t> {
    /// Splits `text` into words (runs of letters and digits; a hyphen or an
    /// apostrophe separates) and stems each in the three languages.
    pub fn new(text: &'t str, stemmers: &Stemmers) -> Self {
        let mut words = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    let written = &text[s..i];
                    let spelling = Spelling::new(written);
                    words.push(Word {
                        written,
                        plain: spelling.lower == spelling.folded,
                        stems: [0, 1, 2].map(|l| stemmers.stem(l, &spelling.lower)),
                        spelling,
                    });
                    start = None;
                }
                _ => {}
            }
        }
        Message { words }
    }

    /// The words `first..first + len` as the resident wrote them, joined by
    /// spaces ("katuvalo", "smell of gas").
    pub fn written(&self, first: usize, len: usize) -> String {
        self.words[first..first + len].iter().map(|w| w.written).collect::<Vec<_>>().join(" ")
    }

    /// The word at `index` as written, if there is one.
    pub fn word(&self, index: usize) -> Option<&'t str> {
        self.words.get(index).map(|w| w.written)
    }
}

/// How one alternative of a pattern compares with a word.
#[derive(Debug, Clone, PartialEq)]
enum Form {
    /// Same stem, or the same word.
    Stem { stem: Spelling, word: Spelling },
    /// Exactly this word.
    Exact(Spelling),
    /// The word begins with this.
    Prefix(Spelling),
    /// The word contains this.
    Infix(Spelling),
    /// The word ends with this.
    Suffix(Spelling),
}

impl Form {
    fn parse(raw: &str, language: usize, stemmers: &Stemmers) -> Option<Form> {
        if let Some(exact) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            return (!exact.is_empty()).then(|| Form::Exact(Spelling::new(exact)));
        }
        let core = raw.trim_matches('*');
        if core.is_empty() || core.contains(['*', '"']) {
            return None;
        }
        let spelling = Spelling::new(core);
        Some(match (raw.starts_with('*'), raw.ends_with('*')) {
            (true, true) => Form::Infix(spelling),
            (false, true) => Form::Prefix(spelling),
            (true, false) => Form::Suffix(spelling),
            (false, false) => Form::Stem { stem: stemmers.stem(language, core), word: spelling },
        })
    }

    fn matches(&self, language: usize, word: &Word) -> bool {
        let p = word.plain;
        match self {
            Form::Stem { stem, word: whole } => {
                word.stems[language].as_for(p) == stem.as_for(p) || word.spelling.as_for(p) == whole.as_for(p)
            }
            Form::Exact(whole) => word.spelling.as_for(p) == whole.as_for(p),
            Form::Prefix(part) => word.spelling.as_for(p).starts_with(part.as_for(p)),
            Form::Infix(part) => word.spelling.as_for(p).contains(part.as_for(p)),
            Form::Suffix(part) => word.spelling.as_for(p).ends_with(part.as_for(p)),
        }
    }
}

/// Where in a word a pattern's text must be found.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    Start,
    Anywhere,
    End,
}

/// Finds the forms a word matches without trying each: stems and whole
/// words by hash look-up, the texts of prefixes, infixes and suffixes with
/// one Aho-Corasick pass over the word. Each in two spellings, because a
/// word is compared lower-cased or folded ([`Spelling::as_for`]); slot 0 is
/// lower-cased, slot 1 folded.
#[derive(Debug)]
struct FormIndex {
    /// Per language slot, a stem to the forms with that stem.
    stems: [[HashMap<String, Vec<usize>>; 3]; 2],
    /// A whole word to the forms that are exactly it (or have it as their
    /// unstemmed word).
    words: [HashMap<String, Vec<usize>>; 2],
    /// The texts of prefixes, infixes and suffixes.
    parts: [AhoCorasick; 2],
    /// For each text of `parts`, its forms and where in a word it counts.
    part_forms: [Vec<Vec<(usize, Place)>>; 2],
}

impl FormIndex {
    fn new(forms: &[(usize, Form)]) -> Result<Self> {
        let mut stems: [[HashMap<String, Vec<usize>>; 3]; 2] = Default::default();
        let mut words: [HashMap<String, Vec<usize>>; 2] = Default::default();
        let mut texts: [Vec<String>; 2] = Default::default();
        let mut part_forms: [Vec<Vec<(usize, Place)>>; 2] = Default::default();
        for (id, (language, form)) in forms.iter().enumerate() {
            for (k, plain) in [false, true].into_iter().enumerate() {
                let (part, place) = match form {
                    Form::Stem { stem, word } => {
                        stems[k][*language].entry(stem.as_for(plain).to_owned()).or_default().push(id);
                        words[k].entry(word.as_for(plain).to_owned()).or_default().push(id);
                        continue;
                    }
                    Form::Exact(word) => {
                        words[k].entry(word.as_for(plain).to_owned()).or_default().push(id);
                        continue;
                    }
                    Form::Prefix(part) => (part, Place::Start),
                    Form::Infix(part) => (part, Place::Anywhere),
                    Form::Suffix(part) => (part, Place::End),
                };
                let text = part.as_for(plain);
                let at = match texts[k].iter().position(|t| t == text) {
                    Some(at) => at,
                    None => {
                        texts[k].push(text.to_owned());
                        part_forms[k].push(Vec::new());
                        texts[k].len() - 1
                    }
                };
                part_forms[k][at].push((id, place));
            }
        }
        let automaton =
            |texts: &[String]| AhoCorasick::new(texts).map_err(|e| Error::Invalid(format!("lexicon patterns: {e}")));
        let [lower, folded] = &texts;
        Ok(FormIndex { stems, words, parts: [automaton(lower)?, automaton(folded)?], part_forms })
    }

    /// The forms `word` matches, each once, ascending: exactly those whose
    /// [`Form::matches`] holds.
    fn matching(&self, forms: &[(usize, Form)], word: &Word) -> Vec<usize> {
        let k = usize::from(word.plain);
        let text = word.spelling.as_for(word.plain);
        let mut found: Vec<usize> = Vec::new();
        for (language, stem) in word.stems.iter().enumerate() {
            if let Some(ids) = self.stems[k][language].get(stem.as_for(word.plain)) {
                found.extend(ids);
            }
        }
        if let Some(ids) = self.words[k].get(text) {
            found.extend(ids);
        }
        for hit in self.parts[k].find_overlapping_iter(text) {
            for &(id, place) in &self.part_forms[k][hit.pattern().as_usize()] {
                let fits = match place {
                    Place::Start => hit.start() == 0,
                    Place::Anywhere => true,
                    Place::End => hit.end() == text.len(),
                };
                if fits {
                    found.push(id);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        debug_assert!(found.iter().all(|&id| forms[id].1.matches(forms[id].0, word)));
        found
    }
}

/// One line of a lexicon: its section's key, weight, language and phrase.
#[derive(Debug)]
struct Entry<K> {
    key: K,
    weight: f32,
    language: Language,
    /// One slot per word of the phrase; each slot's alternatives, as
    /// indexes into [`Lexicon`]'s forms.
    phrase: Vec<Vec<usize>>,
}

/// Where an entry matched a message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<K> {
    /// The section the entry is in (a topic, a priority level).
    pub key: K,
    /// The entry's weight, as weighed by [`Lexicon::hits`]' caller.
    pub weight: f32,
    /// The language of the lexicon the entry is from.
    pub language: Language,
    /// The index of the first matched word in the message.
    pub first: usize,
    /// How many words the phrase spans.
    pub len: usize,
}

/// A parsed lexicon: every entry of every language's file.
#[derive(Debug)]
pub struct Lexicon<K> {
    entries: Vec<Entry<K>>,
    /// Every alternative of every entry, with its language's slot.
    forms: Vec<(usize, Form)>,
    /// For each form, the entries whose phrase begins with it.
    starting: Vec<Vec<usize>>,
    index: FormIndex,
}

impl<K: Copy + PartialEq> Lexicon<K> {
    /// Parses one file per language. `key` turns a section name into the
    /// lexicon's key, or refuses it (`None`), so a misspelt topic code in a
    /// file is an error rather than a silently dead section. `name` in each
    /// source only labels errors ("topic/fi.txt line 12: ...").
    pub fn parse(
        sources: &[(Language, &str, &str)],
        stemmers: &Stemmers,
        key: impl Fn(&str) -> Option<K>,
    ) -> Result<Self> {
        let mut entries = Vec::new();
        let mut forms = Vec::new();
        for &(language, name, text) in sources {
            let mut section = None;
            for (n, line) in text.lines().enumerate() {
                let invalid = |why: &str| Error::Invalid(format!("lexicon {name} line {}: {why}", n + 1));
                let line = line.split('#').next().unwrap_or_default().trim();
                if line.is_empty() {
                    continue;
                }
                if let Some(heading) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    let heading = heading.trim();
                    section = Some(key(heading).ok_or_else(|| invalid(&format!("unknown section [{heading}]")))?);
                    continue;
                }
                let section = section.ok_or_else(|| invalid("an entry before any [section]"))?;
                let mut fields = line.split_whitespace();
                let weight = fields
                    .next()
                    .and_then(|w| w.parse::<f32>().ok())
                    .filter(|w| w.is_finite())
                    .ok_or_else(|| invalid("an entry starts with its weight, a number"))?;
                let phrase = fields
                    .map(|word| {
                        word.split('|')
                            .map(|alt| {
                                let form = Form::parse(alt, slot(language), stemmers)?;
                                forms.push((slot(language), form));
                                Some(forms.len() - 1)
                            })
                            .collect::<Option<Vec<_>>>()
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| invalid("an empty or malformed pattern"))?;
                if phrase.is_empty() {
                    return Err(invalid("a weight with no pattern after it"));
                }
                entries.push(Entry { key: section, weight, language, phrase });
            }
        }
        let mut starting = vec![Vec::new(); forms.len()];
        for (e, entry) in entries.iter().enumerate() {
            for &form in &entry.phrase[0] {
                starting[form].push(e);
            }
        }
        let index = FormIndex::new(&forms)?;
        Ok(Lexicon { entries, forms, starting, index })
    }

    /// Every entry that matches `message`, each counted once however often
    /// it matches (an entry's alternatives are one piece of evidence).
    /// Within one key a word counts for one entry only, the heaviest: a
    /// lexicon may list both `*pysäkk*` and `*bussipysäkk*` without
    /// "bussipysäkki" counting twice, and an entry whose first match was
    /// taken by a heavier one still counts at its next place. `weigh` gives
    /// each hit its weight (the entry's, or less for another language's
    /// entry), so a word goes to the entry that counts most for it.
    pub fn hits(&self, message: &Message, weigh: impl Fn(&Hit<K>) -> f32) -> Vec<Hit<K>> {
        let mut found: Vec<(usize, Hit<K>)> = Vec::new();
        for (index, first) in self.matches(message) {
            let entry = &self.entries[index];
            let len = entry.phrase.len();
            let mut hit = Hit { key: entry.key, weight: entry.weight, language: entry.language, first, len };
            hit.weight = weigh(&hit);
            found.push((index, hit));
        }
        // Heaviest first, then in the resident's order; sort_by is stable.
        found.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight));
        let mut counted: Vec<usize> = Vec::new();
        let mut kept: Vec<Hit<K>> = Vec::with_capacity(found.len());
        for (index, hit) in found {
            let overlaps =
                kept.iter().any(|k| k.key == hit.key && k.first < hit.first + hit.len && hit.first < k.first + k.len);
            if !overlaps && !counted.contains(&index) {
                counted.push(index);
                kept.push(hit);
            }
        }
        // Back in the order the resident wrote them, for the timeline.
        kept.sort_by_key(|h| h.first);
        kept
    }

    /// Every (entry, place of its first word) where an entry matches
    /// `message`, in the order of entries, then places.
    fn matches(&self, message: &Message) -> Vec<(usize, usize)> {
        // The forms each word matches, found through the index rather than
        // by trying every form on every word: a message is matched against
        // every entry of three languages' files at each filing.
        let matched: Vec<Vec<usize>> =
            message.words.iter().map(|word| self.index.matching(&self.forms, word)).collect();
        // Only entries whose first word matched somewhere can match there:
        // (entry, first word's place), in the order of entries and places.
        let mut starts: Vec<(usize, usize)> = matched
            .iter()
            .enumerate()
            .flat_map(|(first, forms)| {
                forms.iter().flat_map(move |&f| self.starting[f].iter().map(move |&e| (e, first)))
            })
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts.retain(|&(index, first)| {
            let phrase = &self.entries[index].phrase;
            matched.get(first..first + phrase.len()).is_some_and(|words| {
                phrase.iter().zip(words).all(|(forms, found)| forms.iter().any(|f| found.contains(f)))
            })
        });
        starts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(text: &str) -> Lexicon<&'static str> {
        Lexicon::parse(&[(Language::Fi, "test", text)], &Stemmers::new(), |s| match s {
            "a" => Some("a"),
            "b" => Some("b"),
            _ => None,
        })
        .expect("test lexicon parses")
    }

    fn keys(lexicon: &Lexicon<&'static str>, text: &str) -> Vec<(&'static str, String)> {
        let stemmers = Stemmers::new();
        let message = Message::new(text, &stemmers);
        lexicon.hits(&message, |h| h.weight).into_iter().map(|h| (h.key, message.written(h.first, h.len))).collect()
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("Pysäkillä TÖÖLÖ Åggelby"), "pysakilla toolo aggelby");
    }

    #[test]
    fn stems_inflected_finnish_words() {
        let l = lexicon("[a]\n3 katuvalo");
        for text in ["katuvalo rikki", "katuvalot rikki", "ei katuvaloa", "katuvalon lamppu"] {
            assert_eq!(
                keys(&l, text),
                [("a", text.split(' ').find(|w| w.starts_with("katuval")).unwrap_or("").to_owned())],
                "{text}"
            );
        }
    }

    #[test]
    fn patterns_prefix_infix_suffix_exact_and_alternatives() {
        let l = lexicon("[a]\n1 hiekoit*\n1 *pysäkk*|*pysäki*\n1 *valli\n1 \"hometta\"\n[b]\n1 ei toimi*");
        assert_eq!(keys(&l, "ei hiekoitettu"), [("a", "hiekoitettu".to_owned())]);
        assert_eq!(keys(&l, "bussipysakilla"), [("a", "bussipysakilla".to_owned())], "diacritics folded");
        assert_eq!(keys(&l, "lumivalli"), [("a", "lumivalli".to_owned())]);
        assert_eq!(keys(&l, "hometta"), [("a", "hometta".to_owned())]);
        assert!(keys(&l, "home").is_empty(), "an exact word is not stemmed");
        assert_eq!(keys(&l, "valo ei toimi"), [("b", "ei toimi".to_owned())], "a phrase spans its words");
        assert!(keys(&l, "toimii ei").is_empty(), "a phrase's words come in order");
        assert!(keys(&l, "pysäköinti").is_empty());
        let l = lexicon("[a]\n1 vaarin\n[b]\n1 \"hala\"");
        assert!(keys(&l, "väärin hål").is_empty(), "a word typed with diacritics keeps them");
        assert_eq!(keys(&l, "VAARIN hala"), [("a", "VAARIN".to_owned()), ("b", "hala".to_owned())]);
    }

    #[test]
    fn a_word_counts_once_per_key_for_its_heaviest_entry() {
        let l = lexicon("[a]\n3 *bussipysäkk*\n2 *pysäkk*\n[b]\n1 *pysäkk*");
        let stemmers = Stemmers::new();
        let message = Message::new("bussipysäkki", &stemmers);
        let hits = lexicon_hits(&l, &message);
        assert_eq!(hits, [("a", 3.0), ("b", 1.0)]);
    }

    fn lexicon_hits(l: &Lexicon<&'static str>, m: &Message) -> Vec<(&'static str, f32)> {
        l.hits(m, |h| h.weight).into_iter().map(|h| (h.key, h.weight)).collect()
    }

    #[test]
    fn malformed_lexicons_are_refused_with_the_line() {
        let stemmers = Stemmers::new();
        let parse = |text| Lexicon::parse(&[(Language::Sv, "x.txt", text)], &stemmers, |s| (s == "a").then_some(1));
        for (text, line) in [("[a]\nsnö", 2), ("[c]\n1 snö", 1), ("1 snö", 1), ("[a]\n\n1", 3), ("[a]\n1 **", 2)] {
            let err = parse(text).expect_err(text).to_string();
            assert!(err.contains(&format!("x.txt line {line}:")), "{text:?}: {err}");
        }
    }

    /// Every place an entry matches, found the slow way: each form of each
    /// entry tried on each word, as [`Form::matches`] defines.
    fn matches_by_trying_every_form<K: Copy + PartialEq>(l: &Lexicon<K>, m: &Message) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        for (index, entry) in l.entries.iter().enumerate() {
            let len = entry.phrase.len();
            let Some(last) = m.words.len().checked_sub(len) else { continue };
            for first in 0..=last {
                let whole = entry.phrase.iter().zip(&m.words[first..first + len]).all(|(forms, word)| {
                    forms.iter().any(|&f| {
                        let (language, form) = &l.forms[f];
                        form.matches(*language, word)
                    })
                });
                if whole {
                    found.push((index, first));
                }
            }
        }
        found
    }

    /// Words that match, or nearly match, each pattern of `text`: the
    /// pattern's own text inflected, extended, folded and upper-cased.
    fn words_near(text: &str) -> Vec<String> {
        let mut words = Vec::new();
        for line in text.lines().map(|l| l.split('#').next().unwrap_or_default()) {
            let mut phrase = Vec::new();
            for pattern in line.split_whitespace().skip(1).flat_map(|w| w.split('|')) {
                let core = pattern.trim_matches(['*', '"']);
                phrase.push(core.to_owned());
                for word in [
                    core.to_owned(),
                    format!("{core}ssa"),
                    format!("{core}n"),
                    format!("kadun{core}"),
                    format!("x{core}lla"),
                    fold(core),
                    core.to_uppercase(),
                    core.chars().skip(1).collect(),
                ] {
                    words.push(word);
                }
            }
            // The whole line as a phrase too, so phrases of several words match.
            words.push(phrase.join(" "));
        }
        words
    }

    #[test]
    fn the_index_finds_exactly_what_trying_every_form_finds() {
        let stemmers = Stemmers::new();
        let files = [
            (Language::Fi, "topic fi", include_str!("topic/lexicon/fi.txt")),
            (Language::Sv, "topic sv", include_str!("topic/lexicon/sv.txt")),
            (Language::En, "topic en", include_str!("topic/lexicon/en.txt")),
            (Language::Fi, "priority fi", include_str!("priority/fi.txt")),
            (Language::Sv, "priority sv", include_str!("priority/sv.txt")),
            (Language::En, "priority en", include_str!("priority/en.txt")),
        ];
        // Sections as they come: what is checked here is where entries match.
        let mut sections: Vec<String> = Vec::new();
        for (_, _, text) in files {
            for line in text.lines() {
                if let Some(name) = line.trim().strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    sections.push(name.trim().to_owned());
                }
            }
        }
        let lexicon = Lexicon::parse(&files, &stemmers, |name| sections.iter().position(|s| s == name))
            .expect("the shipped lexicons parse");
        let words: Vec<String> = files.iter().flat_map(|(_, _, text)| words_near(text)).collect();
        assert!(words.len() > 1000, "enough words to try: {}", words.len());
        let mut matched = 0;
        // Runs of seven neighbouring words, and of words far apart.
        for (start, step) in
            (0..words.len()).step_by(4).map(|i| (i, 1)).chain((0..words.len()).step_by(3).map(|i| (i, 97)))
        {
            let text: Vec<&str> = (0..7).map(|k| words[(start + k * step) % words.len()].as_str()).collect();
            let text = text.join(" ");
            let message = Message::new(&text, &stemmers);
            let expected = matches_by_trying_every_form(&lexicon, &message);
            assert_eq!(lexicon.matches(&message), expected, "{text}");
            matched += expected.len();
        }
        assert!(matched > 10_000, "the words matched often enough to tell: {matched}");
    }
}
