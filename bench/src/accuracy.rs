//! `batline-bench accuracy`: how often Batline reads a resident's message
//! the way a person would. Scores the topic classifier
//! ([`batline_core::topic`]) on the labelled messages in `bench/data/`
//! (see its README) and prints, per labelled set and per language, the
//! share of topics right, each topic's precision and recall, the share left
//! unclassified and the confident wrong answers (the ones that would
//! mislead a responder). The tuning set and the held-out sets are reported
//! apart: only a held-out set's figures say how the classifier does on
//! messages its lexicons were not adjusted to (the second held-out set,
//! since the first was used to find faults once it had been measured).
//!
//! The district column is scored by whatever [`DistrictFinder`] the caller
//! passes (the command passes the place finder, [`CityMap::locate_text`]
//! over Helsinki's built-in data); without one the report says "not
//! measured" rather than printing figures for a finder that does not exist.
//! The targets for districts: right for at least 95 % of the
//! messages that name a place, and no wrong district ever given with
//! confidence.

use std::{collections::BTreeMap, fmt, path::Path};

use anyhow::Context;
use batline_core::{
    domain::Language,
    place::{CityMap, helsinki},
    topic::{CONFIDENT, Classifier, TOPICS},
};

/// The tuning set, shipped with the crate.
pub const TUNING_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/resident_messages.csv");
/// The first held-out set, shipped with the crate (read once unseen, then
/// used to find faults: see `bench/data/README.md`).
pub const HOLDOUT_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/resident_messages_holdout.csv");
/// The second held-out set, never used to adjust the lexicons.
pub const HOLDOUT2_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/resident_messages_holdout2.csv");
/// The third held-out set: places named as residents name them (lower
/// case, inflected, nicknames, Swedish and English forms), written before
/// the place finder's second round of fixes (`bench/data/README.md`).
pub const HOLDOUT3_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/resident_messages_holdout3.csv");

/// The label of a message that says too little to have a topic.
pub const UNCLASSIFIED: &str = "unclassified";

/// `batline-bench accuracy`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct AccuracyArgs {
    /// Score this labelled CSV (`id,language,text,topic,district`) instead
    /// of the shipped tuning and two held-out sets; may be given several
    /// times.
    #[arg(long = "set", value_name = "PATH")]
    pub sets: Vec<String>,
    /// What the classifier is told of each message's language: `detected`
    /// (what filing knows: Batline's detector, which leaves short or mixed
    /// messages unknown), `unknown` (nothing), or `labelled` (the set's own
    /// column, `mixed` as unknown).
    #[arg(long, value_enum, default_value_t = LanguageHint::Detected)]
    pub language: LanguageHint,
    /// Also list every message the classifier got wrong.
    #[arg(long)]
    pub misses: bool,
}

/// What the classifier is told of a message's language.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageHint {
    /// Batline's language detector, as filing a case would.
    Detected,
    /// Never told: all three lexicons count alike.
    Unknown,
    /// The labelled language (`mixed` as unknown).
    Labelled,
}

/// One labelled message.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Labelled {
    /// Stable id (`t001`, `h001`).
    pub id: String,
    /// `fi`, `sv`, `en` or `mixed`.
    pub language: String,
    /// The message as a resident would write it.
    pub text: String,
    /// A topic code or `unclassified`.
    pub topic: String,
    /// A district's Finnish name, or empty when the message names none.
    pub district: String,
}

impl Labelled {
    /// The expected topic, `None` for `unclassified`.
    pub fn expected_topic(&self) -> Option<&str> {
        (self.topic != UNCLASSIFIED).then_some(self.topic.as_str())
    }

    fn language_hint(&self, hint: LanguageHint) -> Option<Language> {
        match hint {
            LanguageHint::Detected => batline_core::language::detect(&self.text),
            LanguageHint::Unknown => None,
            LanguageHint::Labelled => self.language.parse().ok(),
        }
    }
}

/// Reads a labelled set, refusing a row whose topic is not a catalogue
/// code or `unclassified`, or whose language is not one of the four labels:
/// a typo in a label would otherwise count as the classifier's mistake.
pub fn load(path: &Path) -> anyhow::Result<Vec<Labelled>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let mut rows = Vec::new();
    for row in reader.deserialize() {
        let row: Labelled = row.with_context(|| format!("reading {}", path.display()))?;
        anyhow::ensure!(
            row.topic == UNCLASSIFIED || TOPICS.contains(&row.topic.as_str()),
            "{}: {}: unknown topic {:?}",
            path.display(),
            row.id,
            row.topic
        );
        anyhow::ensure!(
            ["fi", "sv", "en", "mixed"].contains(&row.language.as_str()),
            "{}: {}: unknown language {:?}",
            path.display(),
            row.id,
            row.language
        );
        rows.push(row);
    }
    Ok(rows)
}

/// A district a finder found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDistrict {
    /// The district's code (for Helsinki its Finnish name).
    pub code: String,
    /// Whether the finder would have it acted on unchecked.
    pub confident: bool,
}

/// Finds the district a message names, for scoring the district column:
/// the place finder plugs in here (any `Fn(&str, Option<Language>) ->
/// Option<FoundDistrict>` will do).
pub trait DistrictFinder {
    /// The district `text` names, if any.
    fn district(&self, text: &str, language: Option<Language>) -> Option<FoundDistrict>;
}

impl<F: Fn(&str, Option<Language>) -> Option<FoundDistrict>> DistrictFinder for F {
    fn district(&self, text: &str, language: Option<Language>) -> Option<FoundDistrict> {
        self(text, language)
    }
}

/// The place finder as a [`DistrictFinder`]: a map's district for the place
/// a message names, confident from the map's own threshold on.
impl DistrictFinder for CityMap {
    fn district(&self, text: &str, _: Option<Language>) -> Option<FoundDistrict> {
        self.locate_text(text)
            .map(|found| FoundDistrict { confident: found.is_confident(), code: found.districts.district.code })
    }
}

/// Counts for one slice of a set (a language, or all of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Messages.
    pub messages: usize,
    /// Topic as labelled (unclassified counts when labelled so).
    pub topic_right: usize,
    /// Left unclassified by the classifier.
    pub unclassified: usize,
    /// A wrong topic given with at least [`CONFIDENT`] confidence.
    pub confident_wrong: usize,
    /// Messages labelled with a district.
    pub district_named: usize,
    /// Of those, the finder gave the labelled district.
    pub district_right: usize,
    /// Of those, the finder gave another district.
    pub district_wrong: usize,
    /// Of the wrong ones and the invented ones, those the finder was
    /// confident of (they would route a case): the issue asks for none.
    pub district_confident_wrong: usize,
    /// Messages labelled with no district for which the finder gave one.
    pub district_invented: usize,
}

/// Precision and recall counts for one topic (or `unclassified`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TopicTally {
    /// Labelled with it.
    pub labelled: usize,
    /// Given it by the classifier.
    pub given: usize,
    /// Both.
    pub right: usize,
}

/// A wrong topic, for `--misses`.
#[derive(Debug, Clone)]
pub struct Miss {
    /// The message's id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// The label.
    pub expected: String,
    /// What the classifier said (`unclassified` for none).
    pub got: String,
    /// Its confidence.
    pub confidence: f32,
    /// The words that decided it.
    pub words: Vec<String>,
    /// Every topic's score, highest first.
    pub scores: Vec<(&'static str, f32)>,
}

/// The figures of one labelled set.
#[derive(Debug, Clone)]
pub struct SetReport {
    /// What the set is ("tuning", "held-out", a path).
    pub name: String,
    /// Per labelled language, and `all`.
    pub by_language: BTreeMap<String, Tally>,
    /// Per topic code, and `unclassified`.
    pub by_topic: BTreeMap<String, TopicTally>,
    /// Whether the district column was scored.
    pub district_measured: bool,
    /// Every wrong topic.
    pub misses: Vec<Miss>,
}

impl SetReport {
    /// The whole set's tally.
    pub fn overall(&self) -> Tally {
        self.by_language.get("all").copied().unwrap_or_default()
    }
}

/// Scores `messages` with `classifier` and, when given, `districts`.
pub fn measure(
    name: &str,
    messages: &[Labelled],
    classifier: &Classifier,
    hint: LanguageHint,
    districts: Option<&dyn DistrictFinder>,
) -> SetReport {
    let mut by_language: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_topic: BTreeMap<String, TopicTally> =
        TOPICS.iter().chain([&UNCLASSIFIED]).map(|t| (t.to_string(), TopicTally::default())).collect();
    let mut misses = Vec::new();
    for message in messages {
        let language = message.language_hint(hint);
        let answer = classifier.classify(&message.text, language);
        let right = answer.topic == message.expected_topic();
        let got = answer.topic.unwrap_or(UNCLASSIFIED);
        let found = districts.map(|finder| finder.district(&message.text, language));

        for key in [message.language.as_str(), "all"] {
            let tally = by_language.entry(key.to_owned()).or_default();
            tally.messages += 1;
            tally.topic_right += usize::from(right);
            tally.unclassified += usize::from(answer.topic.is_none());
            tally.confident_wrong += usize::from(!right && answer.topic.is_some() && answer.confidence >= CONFIDENT);
            if let Some(found) = &found {
                match (message.district.as_str(), found) {
                    // A district for a message that names none is a wrong
                    // district too: with confidence it would route the case.
                    ("", Some(found)) => {
                        tally.district_invented += 1;
                        tally.district_confident_wrong += usize::from(found.confident);
                    }
                    ("", None) => {}
                    (expected, found) => {
                        tally.district_named += 1;
                        let right = found.as_ref().is_some_and(|f| f.code == expected);
                        let wrong = found.as_ref().is_some_and(|f| f.code != expected);
                        tally.district_right += usize::from(right);
                        tally.district_wrong += usize::from(wrong);
                        tally.district_confident_wrong +=
                            usize::from(wrong && found.as_ref().is_some_and(|f| f.confident));
                    }
                }
            }
        }
        by_topic.entry(message.topic.clone()).or_default().labelled += 1;
        let given = by_topic.entry(got.to_owned()).or_default();
        given.given += 1;
        given.right += usize::from(right);
        if !right {
            misses.push(Miss {
                id: message.id.clone(),
                text: message.text.clone(),
                expected: message.topic.clone(),
                got: got.to_owned(),
                confidence: answer.confidence,
                words: answer.words,
                scores: answer.scores,
            });
        }
    }
    SetReport { name: name.to_owned(), by_language, by_topic, district_measured: districts.is_some(), misses }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 { "–".to_owned() } else { format!("{:.1} %", 100.0 * part as f64 / whole as f64) }
}

impl fmt::Display for SetReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.overall();
        writeln!(f, "{} set: {} messages", self.name, all.messages)?;
        writeln!(f, "  topic      messages    right  unclassified  confident wrong (≥ {})", CONFIDENT)?;
        let languages = ["fi", "sv", "en", "mixed", "all"];
        for key in languages {
            let Some(t) = self.by_language.get(key) else { continue };
            writeln!(
                f,
                "  {key:<8} {:>10} {:>8} {:>13} {:>16}",
                t.messages,
                percent(t.topic_right, t.messages),
                percent(t.unclassified, t.messages),
                t.confident_wrong
            )?;
        }
        writeln!(f, "  per topic   precision   recall  labelled  given")?;
        for (topic, t) in &self.by_topic {
            if t.labelled + t.given == 0 {
                continue;
            }
            writeln!(
                f,
                "  {topic:<12} {:>9} {:>8} {:>9} {:>6}",
                percent(t.right, t.given),
                percent(t.right, t.labelled),
                t.labelled,
                t.given
            )?;
        }
        if !self.district_measured {
            return writeln!(f, "  district: not measured (no place finder)");
        }
        writeln!(f, "  district   named    right    wrong  confident wrong  invented (named none, finder gave one)")?;
        for key in languages {
            let Some(t) = self.by_language.get(key) else { continue };
            writeln!(
                f,
                "  {key:<8} {:>7} {:>8} {:>8} {:>16} {:>9}",
                t.district_named,
                percent(t.district_right, t.district_named),
                t.district_wrong,
                t.district_confident_wrong,
                t.district_invented
            )?;
        }
        Ok(())
    }
}

/// `batline-bench accuracy`: prints the figures of each set. `districts`
/// is the place finder, when there is one to measure.
pub fn run(args: &AccuracyArgs, districts: Option<&dyn DistrictFinder>) -> anyhow::Result<()> {
    let sets: Vec<(String, String)> = if args.sets.is_empty() {
        vec![
            ("tuning".to_owned(), TUNING_SET.to_owned()),
            ("held-out 1 (seen once, then used to find faults)".to_owned(), HOLDOUT_SET.to_owned()),
            ("held-out 2 (never used to adjust)".to_owned(), HOLDOUT2_SET.to_owned()),
            ("held-out 3 (places as residents name them)".to_owned(), HOLDOUT3_SET.to_owned()),
        ]
    } else {
        args.sets.iter().map(|p| (p.clone(), p.clone())).collect()
    };
    let classifier = Classifier::new();
    println!("language given to the classifier: {:?}", args.language);
    for (name, path) in sets {
        let messages = load(Path::new(&path))?;
        let report = measure(&name, &messages, &classifier, args.language, districts);
        println!("{report}");
        if args.misses {
            if let Some(finder) = districts {
                for m in &messages {
                    let found = finder.district(&m.text, m.language_hint(args.language));
                    let found = found.as_ref().map_or("", |f| f.code.as_str());
                    if found != m.district {
                        println!("  district miss {} expected {:?} got {:?}: {}", m.id, m.district, found, m.text);
                    }
                }
            }
            for m in &report.misses {
                let scores: Vec<String> = m.scores.iter().map(|(t, s)| format!("{t} {s:.1}")).collect();
                println!(
                    "  miss {} expected {} got {} ({:.2}; {}; {}): {}",
                    m.id,
                    m.expected,
                    m.got,
                    m.confidence,
                    m.words.join(", "),
                    scores.join(", "),
                    m.text
                );
            }
            println!();
        }
    }
    Ok(())
}

/// `batline-bench accuracy` as the command runs it: districts found by the
/// place finder over Helsinki's data built into Batline (the same data
/// `batline up` loads into the store), so no database is needed.
pub fn run_with_helsinki(args: &AccuracyArgs) -> anyhow::Result<()> {
    let map = helsinki::data().and_then(|data| data.city_map()).context("building Helsinki's map")?;
    run(args, Some(&map))?;
    reading_time(&map)
}

/// Times reading a message as filing reads every new case's words (topic,
/// priority, place: `router::filing::heard`), over the shipped sets' messages
/// with their labelled language, and prints microseconds a message.
fn reading_time(map: &CityMap) -> anyhow::Result<()> {
    const ROUNDS: usize = 20;
    let mut messages = Vec::new();
    for path in [TUNING_SET, HOLDOUT_SET, HOLDOUT2_SET, HOLDOUT3_SET] {
        messages.extend(load(Path::new(path))?);
    }
    let read: Vec<(&str, Option<Language>)> =
        messages.iter().map(|m| (m.text.as_str(), m.language.parse().ok())).collect();
    let classifier = Classifier::shared();
    let time = |part: &dyn Fn(&str, Option<Language>)| {
        let started = std::time::Instant::now();
        for _ in 0..ROUNDS {
            for &(text, language) in &read {
                part(text, language);
            }
        }
        started.elapsed().as_secs_f64() * 1e6 / (ROUNDS * read.len()) as f64
    };
    let topic = time(&|text, language| {
        std::hint::black_box(classifier.classify(text, language));
    });
    let priority = time(&|text, language| {
        std::hint::black_box(batline_core::priority::assess(text, language));
    });
    let place = time(&|text, _| {
        std::hint::black_box(map.locate_text(text));
    });
    println!(
        "reading a message as filing does ({} messages, {ROUNDS} rounds), µs a message: \
         topic {topic:.1}, priority {priority:.1}, place {place:.1}, together {:.1}",
        read.len(),
        topic + priority + place
    );
    Ok(())
}
