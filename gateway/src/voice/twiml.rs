//! TwiML, the XML Twilio executes on a call. Handlers describe the answer
//! as a list of verbs; [`Response::render`] writes it with quick-xml, which
//! escapes every text and attribute, so a responder's name or a URL can
//! never change the document's shape.

use batline_core::domain::Language;

use crate::http::xml::xml_text;
use quick_xml::{
    Writer,
    events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event},
};

/// The verbs Batline uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// Speak `text` in `language`.
    Say {
        /// Whose voice and pronunciation.
        language: Language,
        /// What to say.
        text: String,
    },
    /// Silence.
    Pause {
        /// Seconds.
        seconds: u32,
    },
    /// Fetch the next instructions from `url`.
    Redirect {
        /// Absolute URL, POSTed to.
        url: String,
    },
    /// Ring a phone and connect the caller.
    Dial(Dial),
    /// Record a voice message.
    Record(Record),
    /// End the call.
    Hangup,
}

/// `<Dial>` to one `<Number>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial {
    /// The number to ring, E.164.
    pub number: String,
    /// Seconds to ring before giving up.
    pub timeout: u32,
    /// Where Twilio reports how the dial ended (DialCallStatus).
    pub action: String,
    /// The caller id shown to the called phone.
    pub caller_id: Option<String>,
    /// TwiML played to the called party before connecting (a whisper).
    pub whisper_url: Option<String>,
}

/// `<Record>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Where Twilio posts RecordingUrl when recording stops.
    pub action: String,
    /// Where Twilio reports the recording once stored.
    pub status_callback: String,
    /// Longest message, seconds.
    pub max_length: u32,
    /// Seconds of silence that end it.
    pub timeout: u32,
}

/// A TwiML document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response(pub Vec<Verb>);

impl Response {
    /// An empty document.
    pub fn new() -> Self {
        Response(Vec::new())
    }

    /// Appends a verb.
    pub fn then(mut self, verb: Verb) -> Self {
        self.0.push(verb);
        self
    }

    /// Appends `<Say>`.
    pub fn say(self, language: Language, text: impl Into<String>) -> Self {
        self.then(Verb::Say { language, text: text.into() })
    }

    /// The XML.
    pub fn render(&self) -> String {
        let mut writer = Writer::new(Vec::new());
        // Writing into a Vec cannot fail; `write` keeps the code honest anyway.
        let written = write(&mut writer, &self.0);
        debug_assert!(written.is_ok());
        String::from_utf8(writer.into_inner()).unwrap_or_default()
    }
}

fn write(w: &mut Writer<Vec<u8>>, verbs: &[Verb]) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(BytesStart::new("Response")))?;
    for verb in verbs {
        match verb {
            Verb::Say { language, text } => {
                w.create_element("Say")
                    .with_attribute(("language", batline_core::texts::voice::locale(*language)))
                    .write_text_content(BytesText::new(&xml_text(text)))?;
            }
            Verb::Pause { seconds } => {
                w.create_element("Pause").with_attribute(("length", seconds.to_string().as_str())).write_empty()?;
            }
            Verb::Redirect { url } => {
                w.create_element("Redirect")
                    .with_attribute(("method", "POST"))
                    .write_text_content(BytesText::new(&xml_text(url)))?;
            }
            Verb::Dial(dial) => {
                let timeout = dial.timeout.to_string();
                let mut start = BytesStart::new("Dial");
                start.push_attribute(("timeout", timeout.as_str()));
                start.push_attribute(("action", dial.action.as_str()));
                start.push_attribute(("method", "POST"));
                if let Some(id) = &dial.caller_id {
                    start.push_attribute(("callerId", id.as_str()));
                }
                w.write_event(Event::Start(start))?;
                let mut number = w.create_element("Number");
                if let Some(url) = &dial.whisper_url {
                    number = number.with_attribute(("url", url.as_str())).with_attribute(("method", "POST"));
                }
                number.write_text_content(BytesText::new(&xml_text(&dial.number)))?;
                w.write_event(Event::End(BytesEnd::new("Dial")))?;
            }
            Verb::Record(record) => {
                w.create_element("Record")
                    .with_attribute(("action", record.action.as_str()))
                    .with_attribute(("method", "POST"))
                    .with_attribute(("recordingStatusCallback", record.status_callback.as_str()))
                    .with_attribute(("recordingStatusCallbackMethod", "POST"))
                    .with_attribute(("maxLength", record.max_length.to_string().as_str()))
                    .with_attribute(("timeout", record.timeout.to_string().as_str()))
                    .with_attribute(("finishOnKey", "#"))
                    .with_attribute(("playBeep", "true"))
                    .write_empty()?;
            }
            Verb::Hangup => {
                w.create_element("Hangup").write_empty()?;
            }
        }
    }
    w.write_event(Event::End(BytesEnd::new("Response")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let xml = Response::new()
            .say(Language::En, "Aino <b>& \"Mikko\"</b>")
            .then(Verb::Dial(Dial {
                number: "+358401234567".into(),
                timeout: 20,
                action: "https://x.example/twilio/voice/dial?case=1&a=\"2\"".into(),
                caller_id: None,
                whisper_url: None,
            }))
            .render();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"));
        assert!(xml.contains("<Say language=\"en-GB\">Aino &lt;b&gt;&amp; &quot;Mikko&quot;&lt;/b&gt;</Say>"), "{xml}");
        assert!(xml.contains("action=\"https://x.example/twilio/voice/dial?case=1&amp;a=&quot;2&quot;\""), "{xml}");
        assert!(xml.contains("<Number>+358401234567</Number></Dial></Response>"), "{xml}");
    }
}

/// Fuzzing by property: whatever text and URLs go in (names typed by admins,
/// URLs with queries), the TwiML is well-formed XML that says exactly that.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn any_text_renders_as_well_formed_twiml(text in any::<String>(), url in "https://[a-z.]{1,20}/[ -~]{0,40}") {
            let doc = Response::new()
                .say(Language::Fi, text.clone())
                .then(Verb::Redirect { url: url.clone() })
                .render();
            let parsed = roxmltree::Document::parse(&doc).map_err(|e| TestCaseError::fail(format!("{e}: {doc}")))?;
            let root = parsed.root_element();
            prop_assert_eq!(root.tag_name().name(), "Response");
            let say = root.children().find(|n| n.has_tag_name("Say")).map(|n| n.text().unwrap_or_default().to_owned());
            prop_assert_eq!(say.unwrap_or_default(), xml_text(&text));
            let redirect = root.children().find(|n| n.has_tag_name("Redirect")).and_then(|n| n.text().map(str::to_owned));
            prop_assert_eq!(redirect.unwrap_or_default(), url);
        }
    }
}
