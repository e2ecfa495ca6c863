//! What a new case is about, where it is and how urgent, heard from the
//! resident's own words as it is filed, so the rules weigh topic and area
//! from the first second. Only what is heard with confidence is acted on; a
//! case stays unclassified (a responder chooses) rather than Batline
//! guessing. What was heard, and the words that decided it, go on the
//! timeline, so a responder sees why and can correct it in one step.

use batline_core::{
    domain::{Language, Priority},
    place::{CityMap, Located},
    priority::{self, PriorityAssessment},
    topic::{Classification, Classifier},
};
use serde_json::json;

/// What was heard in one contact's words.
#[derive(Debug, Clone)]
pub struct Heard {
    /// The topic classifier's answer.
    pub topic: Classification,
    /// The place named in the text, if any.
    pub place: Option<Located>,
    /// The priority the words call for.
    pub priority: PriorityAssessment,
}

impl Heard {
    /// Listens to `text`, written in `language`, with the city's map.
    pub fn listen(city: &CityMap, text: &str, language: Language) -> Heard {
        Heard {
            topic: Classifier::shared().classify(text, Some(language)),
            place: city.locate_text(text),
            priority: priority::assess(text, Some(language)),
        }
    }

    /// The topic to file with: the classifier's, when it chose one (it
    /// answers none below its own threshold).
    pub fn topic(&self) -> Option<&'static str> {
        self.topic.topic
    }

    /// The district to file with: only a place found with confidence, so
    /// no case is routed on a guess.
    pub fn district(&self) -> Option<&str> {
        self.confident_place().map(|p| p.districts.district.code.as_str())
    }

    /// The place, when found with confidence: where the case is.
    pub fn confident_place(&self) -> Option<&Located> {
        self.place.as_ref().filter(|p| p.is_confident())
    }

    /// The priority to file with.
    pub fn priority(&self) -> Priority {
        self.priority.priority
    }

    /// Whether anything was heard worth a line on the timeline.
    pub fn anything(&self) -> bool {
        self.topic.topic.is_some()
            || !self.topic.words.is_empty()
            || self.place.is_some()
            || self.priority.priority != Priority::Normal
    }

    /// The timeline's record: what was heard, how sure, and the words;
    /// `topic` and `area` are what the case was filed with.
    pub fn record(&self, topic: Option<&str>, area: Option<&str>) -> serde_json::Value {
        json!({
            "topic": topic,
            "topic_heard": self.topic.topic,
            "topic_confidence": round(self.topic.confidence),
            "topic_words": self.topic.words,
            "area": area,
            "area_heard": self.district(),
            "place": self.place.as_ref().map(|p| &p.label.fi),
            "place_by": self.place.as_ref().map(|p| p.by),
            "place_confidence": self.place.as_ref().map(|p| round(p.confidence)),
            "place_words": self.place.as_ref().map(|p| &p.words),
            "priority": self.priority.priority,
            "priority_words": self.priority.words,
        })
    }
}

/// Two decimals are all a person reads.
fn round(x: f32) -> f64 {
    (f64::from(x) * 100.0).round() / 100.0
}
