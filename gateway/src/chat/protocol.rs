//! The chat's JSON frames, both ways, as documented in
//! `docs/chat-protocol.md`. Every frame is a JSON object tagged by `type`.
//!
//! [`decode`] is the one way in for what a browser sends: it answers every
//! text with a frame or the error the document names, checking everything
//! that does not depend on the connection (JSON, the frame's shape, the
//! `client_id`, the message's length, the answer). The socket checks the
//! rest (greeting, session, rate). Property tests below throw arbitrary
//! input at it on every test run.

use batline_core::{
    domain::{CaseStatus, Direction, MessageKind},
    plain_text,
    store::chat::{ChatCase, ChatMessage},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a browser may send. It serialises as a client writes it, for Rust
/// clients (the tests, `batline bench-chat`) and the round-trip property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// The first frame: the page's language, and to resume, the session
    /// token and the last position the browser has shown.
    Hello {
        /// `fi`, `sv` or `en`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        /// The token a `session` frame gave earlier.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// Position of the newest message the browser has.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seq: Option<i64>,
    },
    /// The resident writes.
    Message {
        /// The browser's id for the message; sending it again (after a
        /// reconnection) stores it once.
        client_id: String,
        /// The text.
        body: String,
    },
    /// The resident answers "Was this solved?".
    Satisfaction {
        /// As for `message`.
        client_id: String,
        /// 1 to 5, or `"no"`.
        answer: Answer,
    },
    /// The resident shares where they are (the browser's geolocation,
    /// with their consent): the case's place and district.
    Location {
        /// As for `message`.
        client_id: String,
        /// Latitude, degrees north (WGS84).
        lat: f64,
        /// Longitude, degrees east (WGS84).
        lon: f64,
    },
    /// The browser has shown everything up to `seq`.
    Ack {
        /// A message position.
        seq: i64,
    },
}

/// A satisfaction answer on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// A score.
    Score(u8),
    /// `"no"`.
    Word(NoWord),
}

/// The only word an answer may be.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoWord {
    /// Not solved.
    No,
}

impl Answer {
    /// The text filed as the resident's message, which the router reads as
    /// an answer exactly as it reads an SMS one.
    pub fn as_body(self) -> Option<String> {
        match self {
            Answer::Score(s @ 1..=5) => Some(s.to_string()),
            Answer::Score(_) => None,
            Answer::Word(NoWord::No) => Some("no".to_owned()),
        }
    }
}

/// What the gateway sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The answer to `hello`.
    Welcome {
        /// True when the token was known and the conversation continues.
        resumed: bool,
        /// The longest message accepted, in characters.
        max_chars: usize,
    },
    /// A session was created with the resident's first message: keep the
    /// token to resume.
    Session {
        /// The secret token.
        token: String,
    },
    /// The resident's message is stored; it will not be lost.
    Accepted {
        /// The browser's id for it.
        client_id: String,
    },
    /// A message of the conversation, in order.
    Message(WireMessage),
    /// The case the chat is about: its code, status and owner.
    Case(WireCase),
    /// The owner is typing.
    Typing {
        /// Their name.
        name: String,
    },
    /// The owner has read the resident's messages up to `seq`.
    Read {
        /// A message position.
        seq: i64,
        /// When.
        at: DateTime<Utc>,
    },
    /// Something the browser sent was refused, or the connection is.
    Error {
        /// Stable code: see the protocol document.
        code: &'static str,
        /// What happened, in English, for developers.
        detail: String,
        /// The message it is about, when it is about one.
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// Seconds to wait before trying again, for `rate_limited`.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
}

impl ServerFrame {
    /// An error frame about nothing in particular.
    pub fn error(code: &'static str, detail: impl Into<String>) -> Self {
        ServerFrame::Error { code, detail: detail.into(), client_id: None, retry_after: None }
    }

    /// An error frame about the message `client_id`.
    pub fn error_about(code: &'static str, detail: impl Into<String>, client_id: &str) -> Self {
        ServerFrame::Error { code, detail: detail.into(), client_id: Some(client_id.to_owned()), retry_after: None }
    }
}

/// A conversation message as the resident sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireMessage {
    /// Position in the conversation, from 1.
    pub seq: i64,
    /// Stable id.
    pub id: Uuid,
    /// `resident`, `responder` or `batline` (automatic notices).
    pub from: &'static str,
    /// The responder's name, for their replies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The text.
    pub body: String,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// For the resident's own messages: the browser's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// For the resident's own messages: when the owner read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
}

impl From<ChatMessage> for WireMessage {
    fn from(m: ChatMessage) -> Self {
        let from = match (m.direction, m.kind) {
            (Direction::Inbound, _) => "resident",
            (Direction::Outbound, MessageKind::Reply) => "responder",
            (Direction::Outbound, _) => "batline",
        };
        WireMessage {
            seq: m.seq,
            id: m.id,
            from,
            author: if from == "responder" { m.author_name } else { None },
            body: m.body,
            at: m.created_at,
            client_id: m.client_id,
            read_at: m.read_at,
        }
    }
}

/// The case the chat is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireCase {
    /// The tracking code.
    pub code: String,
    /// Open or resolved.
    pub status: CaseStatus,
    /// Who owns it.
    pub owner: WireOwner,
    /// The case's district, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// The tracking page, relative to the gateway.
    pub track_url: String,
    /// True when the resident is asked "Was this solved?" and has not answered.
    pub ask_satisfaction: bool,
}

/// A case's owner as the resident sees them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireOwner {
    /// Display name.
    pub name: String,
}

impl From<ChatCase> for WireCase {
    fn from(c: ChatCase) -> Self {
        WireCase {
            track_url: format!("/track/{}", c.tracking_code),
            code: c.tracking_code,
            status: c.status,
            owner: WireOwner { name: c.owner_name },
            area: c.area,
            ask_satisfaction: c.awaiting_satisfaction,
        }
    }
}

/// True for a browser's message id: 1 to 64 letters, digits, `-` or `_`.
pub fn valid_client_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Why [`decode`] refused a frame: what the `error` frame tells the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The stable code, from the protocol document's table.
    pub code: &'static str,
    /// What was wrong, in English, for developers.
    pub detail: String,
    /// The message it is about, when the frame named one with a valid id, so
    /// the client can stop sending it again.
    pub client_id: Option<String>,
}

impl Refusal {
    fn new(code: &'static str, detail: impl Into<String>, client_id: Option<&str>) -> Self {
        Refusal { code, detail: detail.into(), client_id: client_id.map(str::to_owned) }
    }
}

impl From<Refusal> for ServerFrame {
    fn from(r: Refusal) -> Self {
        ServerFrame::Error { code: r.code, detail: r.detail, client_id: r.client_id, retry_after: None }
    }
}

/// Reads one text frame a browser sent. A `message` comes back with its
/// body trimmed, 1 to `max_chars` characters; a `satisfaction` with an
/// answer that is 1-5 or "no"; every `client_id` valid. Anything else is a
/// [`Refusal`] with the document's code: `bad_json`, `bad_frame`, `empty` or
/// `too_long`.
pub fn decode(text: &str, max_chars: usize) -> Result<ClientFrame, Refusal> {
    let value = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => value,
        // JSON allows a `\uD800` with no pair, but Rust strings cannot hold
        // one. A browser sends it when the text holds half an emoji (a
        // paste cut short): keep the message with U+FFFD in its place, as
        // browsers do, rather than refuse it as not JSON and leave the
        // resident's message unsendable.
        Err(e) if e.is_syntax() => match replace_lone_surrogates(text) {
            Some(mended) => serde_json::from_str(&mended).map_err(|e| refuse_parse(&mended, &e))?,
            None => return Err(refuse_parse(text, &e)),
        },
        Err(e) => return Err(refuse_parse(text, &e)),
    };
    // Control characters are blanked before anything reads the frame: the rule for
    // every text Batline accepts (`plain_text`). A NUL in a message used
    // to fail to store and ask the page to send it again, forever.
    let frame = plain_text::from_json::<ClientFrame>(value).map_err(|e| refuse_parse(text, e.inner()))?;
    match frame {
        ClientFrame::Message { client_id, body } => {
            if !valid_client_id(&client_id) {
                return Err(bad_client_id());
            }
            let trimmed = body.trim();
            if trimmed.is_empty() {
                return Err(Refusal::new("empty", "the message is empty", Some(&client_id)));
            }
            let count = trimmed.chars().count();
            if count > max_chars {
                let detail = format!("the message has {count} characters; the most is {max_chars}");
                return Err(Refusal::new("too_long", detail, Some(&client_id)));
            }
            let body = if trimmed.len() == body.len() { body } else { trimmed.to_owned() };
            Ok(ClientFrame::Message { client_id, body })
        }
        ClientFrame::Satisfaction { client_id, answer } => {
            if !valid_client_id(&client_id) {
                return Err(bad_client_id());
            }
            if answer.as_body().is_none() {
                let detail = "an answer is a score from 1 to 5 or \"no\"";
                return Err(Refusal::new("bad_frame", detail, Some(&client_id)));
            }
            Ok(ClientFrame::Satisfaction { client_id, answer })
        }
        ClientFrame::Location { client_id, lat, lon } => {
            if !valid_client_id(&client_id) {
                return Err(bad_client_id());
            }
            if !(lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
            {
                let detail = "a location is a latitude from -90 to 90 and a longitude from -180 to 180";
                return Err(Refusal::new("bad_frame", detail, Some(&client_id)));
            }
            Ok(ClientFrame::Location { client_id, lat, lon })
        }
        frame @ (ClientFrame::Hello { .. } | ClientFrame::Ack { .. }) => Ok(frame),
    }
}

fn bad_client_id() -> Refusal {
    Refusal::new("bad_frame", "client_id must be 1 to 64 letters, digits, '-' or '_'", None)
}

/// The refusal for a frame serde could not read: `bad_frame` when it is
/// JSON but not a frame (naming its `client_id` when it has a valid one),
/// else `bad_json`.
fn refuse_parse(text: &str, e: &serde_json::Error) -> Refusal {
    if !e.is_data() {
        return Refusal::new("bad_json", format!("not JSON: {e}"), None);
    }
    let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let client_id =
        value.as_ref().and_then(|v| v.get("client_id")).and_then(|v| v.as_str()).filter(|id| valid_client_id(id));
    Refusal::new("bad_frame", format!("not a frame this chat takes: {e}"), client_id)
}

/// `text` with every `\u` escape of an unpaired UTF-16 surrogate inside a
/// JSON string replaced by `\ufffd`, or `None` when it has none.
fn replace_lone_surrogates(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let unit_at = |i: usize| -> Option<u16> {
        let digits = text.get(i + 2..i + 6)?;
        (bytes.get(i) == Some(&b'\\')
            && bytes.get(i + 1) == Some(&b'u')
            && digits.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u16::from_str_radix(digits, 16).ok())
        .flatten()
    };
    let (mut out, mut copied, mut replaced) = (String::with_capacity(text.len()), 0, false);
    let (mut i, mut in_string) = (0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            b'\\' if in_string => match unit_at(i) {
                // A pair is one character (ASCII-only JSON writers escape emoji so).
                Some(0xD800..=0xDBFF) if unit_at(i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) => i += 12,
                Some(0xD800..=0xDFFF) => {
                    out.push_str(&text[copied..i]);
                    out.push_str("\\ufffd");
                    (copied, replaced) = (i + 6, true);
                    i += 6;
                }
                // Any other escape is two characters long, or longer and plain.
                _ => i += 2,
            },
            _ => i += 1,
        }
    }
    replaced.then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_and_unknown_fields_are_refused() -> Result<(), serde_json::Error> {
        let hello: ClientFrame = serde_json::from_str(r#"{"type":"hello","lang":"sv","token":"t","last_seq":3}"#)?;
        assert_eq!(hello, ClientFrame::Hello { lang: Some("sv".into()), token: Some("t".into()), last_seq: Some(3) });
        let answer: ClientFrame = serde_json::from_str(r#"{"type":"satisfaction","client_id":"a","answer":"no"}"#)?;
        assert_eq!(answer, ClientFrame::Satisfaction { client_id: "a".into(), answer: Answer::Word(NoWord::No) });
        let score: ClientFrame = serde_json::from_str(r#"{"type":"satisfaction","client_id":"a","answer":4}"#)?;
        assert!(matches!(score, ClientFrame::Satisfaction { answer: Answer::Score(4), .. }));
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"message","client_id":"a","body":"x","x":1}"#).is_err());
        assert!(
            serde_json::from_str::<ClientFrame>(r#"{"type":"satisfaction","client_id":"a","answer":"yes"}"#).is_err()
        );
        assert_eq!(Answer::Score(6).as_body(), None);
        Ok(())
    }

    #[test]
    fn errors_serialise_with_their_code() -> Result<(), serde_json::Error> {
        let v = serde_json::to_value(ServerFrame::error_about("too_long", "too long", "c1"))?;
        assert_eq!(v["type"], "error");
        assert_eq!(v["code"], "too_long");
        assert_eq!(v["client_id"], "c1");
        assert!(v.get("retry_after").is_none());
        Ok(())
    }

    #[test]
    fn a_location_is_a_point_on_earth() {
        let frame = decode(r#"{"type":"location","client_id":"c1","lat":60.2096,"lon":25.1436}"#, 10);
        assert!(matches!(frame, Ok(ClientFrame::Location { lat, .. }) if (lat - 60.2096).abs() < 1e-9));
        for bad in [
            r#"{"type":"location","client_id":"c1","lat":91,"lon":25}"#,
            r#"{"type":"location","client_id":"c1","lat":60,"lon":-181}"#,
            r#"{"type":"location","client_id":"c1","lat":"60","lon":25}"#,
            r#"{"type":"location","client_id":"c1","lat":60}"#,
        ] {
            let refusal = decode(bad, 10).err();
            assert_eq!(refusal.map(|r| r.code), Some("bad_frame"), "{bad}");
        }
    }

    #[test]
    fn client_ids_are_short_and_plain() {
        assert!(valid_client_id("c-1_a"));
        assert!(!valid_client_id(""));
        assert!(!valid_client_id("a:b"));
        assert!(!valid_client_id(&"a".repeat(65)));
    }
}

/// Fuzzing by property: whatever a browser (or anything else that reaches
/// the socket) sends, [`decode`] answers with a checked frame or one of the
/// document's errors, and never panics; every frame a client may write
/// comes back exactly as written.
#[cfg(test)]
mod fuzz {
    use proptest::{
        collection::{btree_map, vec},
        prelude::*,
    };
    use serde_json::{Map, Value, json};

    use super::*;

    /// The errors [`decode`] may give: the ones that need no connection state.
    const CODES: &[&str] = &["bad_json", "bad_frame", "empty", "too_long"];
    const TYPES: &[&str] = &["hello", "message", "satisfaction", "location", "ack"];
    const FIELDS: &[&str] = &["client_id", "body", "answer", "lang", "token", "last_seq", "seq", "lat", "lon"];
    const MAX: usize = 2000;

    fn cases() -> ProptestConfig {
        // Microseconds each: a few hundred cases keep `cargo test` fast.
        ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
    }

    /// True when `frame` is what `decode` promises to hand the socket.
    fn checked(frame: &ClientFrame, max: usize) -> bool {
        match frame {
            ClientFrame::Message { client_id, body } => {
                valid_client_id(client_id) && !body.is_empty() && body.trim() == body && body.chars().count() <= max
            }
            ClientFrame::Satisfaction { client_id, answer } => valid_client_id(client_id) && answer.as_body().is_some(),
            ClientFrame::Location { client_id, lat, lon } => {
                valid_client_id(client_id) && (-90.0..=90.0).contains(lat) && (-180.0..=180.0).contains(lon)
            }
            ClientFrame::Hello { .. } | ClientFrame::Ack { .. } => true,
        }
    }

    fn check(text: &str, max: usize) -> Result<Result<ClientFrame, Refusal>, TestCaseError> {
        let decoded = decode(text, max);
        match &decoded {
            Ok(frame) => prop_assert!(checked(frame, max), "{text:?} gave {frame:?}"),
            Err(r) => {
                prop_assert!(CODES.contains(&r.code), "{text:?} gave the undocumented {}", r.code);
                prop_assert!(!r.detail.is_empty());
                prop_assert!(r.client_id.as_deref().is_none_or(valid_client_id));
            }
        }
        Ok(decoded)
    }

    fn client_id() -> impl Strategy<Value = String> {
        "[A-Za-z0-9_-]{1,64}"
    }

    /// A message body as a client sends it: trimmed, not empty.
    fn body() -> impl Strategy<Value = String> {
        any::<String>().prop_filter_map("blank", |s| Some(s.trim().to_owned()).filter(|s| !s.is_empty()))
    }

    fn answer() -> impl Strategy<Value = Answer> {
        prop_oneof![(1u8..=5).prop_map(Answer::Score), Just(Answer::Word(NoWord::No))]
    }

    /// Every frame a client may send, within `MAX`.
    fn frame() -> impl Strategy<Value = ClientFrame> {
        prop_oneof![
            (
                proptest::option::of(prop_oneof![Just("fi".to_owned()), Just("sv".to_owned()), "[a-z]{0,4}"]),
                proptest::option::of("[ -~]{0,60}"),
                proptest::option::of(any::<i64>()),
            )
                .prop_map(|(lang, token, last_seq)| ClientFrame::Hello { lang, token, last_seq }),
            (client_id(), body()).prop_map(|(client_id, body)| ClientFrame::Message { client_id, body }),
            (client_id(), answer()).prop_map(|(client_id, answer)| ClientFrame::Satisfaction { client_id, answer }),
            // Multiples of 1/1024: written in few digits, so JSON gives back
            // exactly the number written (as a browser's rounded degrees).
            (client_id(), -92_160..=92_160i32, -184_320..=184_320i32).prop_map(|(client_id, lat, lon)| {
                ClientFrame::Location { client_id, lat: f64::from(lat) / 1024.0, lon: f64::from(lon) / 1024.0 }
            }),
            any::<i64>().prop_map(|seq| ClientFrame::Ack { seq }),
        ]
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,20}".prop_map(Value::from),
        ];
        leaf.prop_recursive(2, 8, 4, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..4).prop_map(Value::Array),
                btree_map("[a-z_]{1,8}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Objects that look more or less like frames: a known type or not, the
    /// fields frames have or others, holding any JSON at all.
    fn frame_like() -> impl Strategy<Value = Value> {
        let kind = prop_oneof![
            3 => proptest::sample::select(TYPES).prop_map(Value::from),
            1 => json_value(),
        ];
        let field = prop_oneof![
            4 => proptest::sample::select(FIELDS).prop_map(str::to_owned),
            1 => "[a-z_]{1,10}",
        ];
        (proptest::option::of(kind), vec((field, json_value()), 0..5)).prop_map(|(kind, fields)| {
            let mut object: Map<String, Value> = fields.into_iter().collect();
            if let Some(kind) = kind {
                object.insert("type".into(), kind);
            }
            Value::Object(object)
        })
    }

    /// `json` as a writer that escapes everything beyond ASCII writes it
    /// (`\uXXXX`, astral characters as surrogate pairs).
    fn ascii_only(json: &str) -> String {
        let mut out = String::with_capacity(json.len());
        for c in json.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(cases())]

        #[test]
        fn any_text_is_a_checked_frame_or_a_documented_error(text in any::<String>()) {
            let _checked = check(&text, MAX)?;
        }

        #[test]
        fn any_bytes_are_a_checked_frame_or_a_documented_error(bytes in vec(any::<u8>(), 0..256)) {
            // A text frame is UTF-8 by the time it gets here (tungstenite
            // checks); whatever the bytes were, the decoder copes.
            let _checked = check(&String::from_utf8_lossy(&bytes), MAX)?;
        }

        #[test]
        fn json_is_never_refused_as_not_json(value in frame_like()) {
            let text = value.to_string();
            if let Err(r) = check(&text, MAX)? {
                prop_assert_ne!(r.code, "bad_json", "{} is JSON: {}", text, r.detail);
            }
        }

        #[test]
        fn every_frame_comes_back_as_written(frame in frame()) {
            let compact = serde_json::to_string(&frame).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let pretty = serde_json::to_string_pretty(&frame).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for text in [ascii_only(&compact), pretty, compact] {
                prop_assert_eq!(check(&text, MAX)?, Ok(frame.clone()), "{}", text);
            }
        }

        #[test]
        fn a_message_is_trimmed_and_over_the_limit_is_too_long(
            id in client_id(),
            body in any::<String>(),
            padding in "[ \t\n\u{a0}\u{3000}]{0,3}",
            max in 1usize..64,
        ) {
            let text = json!({ "type": "message", "client_id": id, "body": format!("{padding}{body}{padding}") });
            let trimmed = body.trim();
            let count = trimmed.chars().count();
            match check(&text.to_string(), max)? {
                Ok(frame) => {
                    prop_assert!(!trimmed.is_empty() && count <= max);
                    prop_assert_eq!(frame, ClientFrame::Message { client_id: id, body: trimmed.to_owned() });
                }
                Err(r) if trimmed.is_empty() => {
                    prop_assert_eq!((r.code, r.client_id), ("empty", Some(id)));
                }
                Err(r) => {
                    prop_assert!(count > max, "{count} of {max} refused: {r:?}");
                    prop_assert_eq!((r.code, r.client_id), ("too_long", Some(id)));
                    let said = format!("the message has {count} characters; the most is {max}");
                    prop_assert_eq!(r.detail, said);
                }
            }
        }

        #[test]
        fn an_unknown_type_is_a_bad_frame_that_says_so(kind in "[a-z_]{0,12}", fields in vec(("[a-z_]{1,8}", json_value()), 0..3)) {
            prop_assume!(!TYPES.contains(&kind.as_str()));
            let mut object: Map<String, Value> = fields.into_iter().collect();
            object.insert("type".into(), Value::from(kind.clone()));
            let r = check(&Value::Object(object).to_string(), MAX)?.err();
            let said = format!("unknown variant `{kind}`");
            prop_assert!(r.as_ref().is_some_and(|r| r.code == "bad_frame" && r.detail.contains(&said)), "{r:?}");
        }

        #[test]
        fn a_missing_or_unknown_field_is_a_bad_frame_that_names_it(
            frame in frame(),
            extra in "[a-z_]{1,10}",
            value in json_value(),
        ) {
            let Value::Object(object) = serde_json::to_value(&frame).map_err(|e| TestCaseError::fail(e.to_string()))?
            else {
                return Err(TestCaseError::fail("a frame is an object"));
            };
            let required: &[&str] = match frame {
                ClientFrame::Hello { .. } => &["type"],
                ClientFrame::Message { .. } => &["type", "client_id", "body"],
                ClientFrame::Satisfaction { .. } => &["type", "client_id", "answer"],
                ClientFrame::Location { .. } => &["type", "client_id", "lat", "lon"],
                ClientFrame::Ack { .. } => &["type", "seq"],
            };
            for field in required {
                let mut without = object.clone();
                without.remove(*field);
                let r = check(&Value::Object(without).to_string(), MAX)?.err();
                let said = format!("missing field `{field}`");
                prop_assert!(r.is_some_and(|r| r.code == "bad_frame" && r.detail.contains(&said)), "without {field}");
            }
            prop_assume!(extra != "type" && !FIELDS.contains(&extra.as_str()));
            let mut with = object.clone();
            with.insert(extra.clone(), value);
            let r = check(&Value::Object(with).to_string(), MAX)?.err();
            let said = format!("unknown field `{extra}`");
            prop_assert!(r.as_ref().is_some_and(|r| r.code == "bad_frame" && r.detail.contains(&said)), "{r:?}");
            // The refusal names the message when the frame had one, so the
            // client stops sending it.
            let id = object.get("client_id").and_then(Value::as_str).map(str::to_owned);
            prop_assert_eq!(r.and_then(|r| r.client_id), id);
        }

        #[test]
        fn any_utf16_arrives_as_a_browser_would_show_it(
            id in client_id(),
            units in vec(prop_oneof![3 => 0x20u16..0x7f, 1 => 0xd800u16..0xe000, 1 => any::<u16>()], 1..24),
        ) {
            // What JSON.stringify sends for a string with half an emoji in it,
            // shown as a browser would, with control characters blanked.
            let escaped: String = units.iter().map(|u| format!("\\u{u:04x}")).collect();
            let text = format!(r#"{{"type":"message","client_id":"{id}","body":"{escaped}"}}"#);
            let shown = plain_text::clean(&String::from_utf16_lossy(&units)).into_owned();
            match check(&text, MAX)? {
                Ok(frame) => prop_assert_eq!(frame, ClientFrame::Message { client_id: id, body: shown.trim().to_owned() }),
                Err(r) => prop_assert!(r.code == "empty" && shown.trim().is_empty(), "{text}: {r:?}"),
            }
        }
    }

    #[test]
    fn lone_surrogates_become_replacement_characters_and_nothing_else_changes() {
        let mended = |s: &str| replace_lone_surrogates(s);
        assert_eq!(mended(r#"{"body":"a\ud83db"}"#).as_deref(), Some(r#"{"body":"a\ufffdb"}"#));
        assert_eq!(
            mended(r#"{"body":"\ude00\ud83d\ude00\ud83d"}"#).as_deref(),
            Some(r#"{"body":"\ufffd\ud83d\ude00\ufffd"}"#)
        );
        assert_eq!(mended(r#"{"body":"\ud83d\ude00"}"#), None, "a pair is one character");
        assert_eq!(mended(r#"{"body":"\\ud800"}"#), None, "an escaped backslash, then text");
        assert_eq!(mended(r#"{"body":"\"\ud800"}"#).as_deref(), Some(r#"{"body":"\"\ufffd"}"#));
        assert_eq!(
            mended(r#"{"bo\ud800dy":1} \ud800"#).as_deref(),
            Some(r#"{"bo\ufffddy":1} \ud800"#),
            "only in strings"
        );
    }
}
