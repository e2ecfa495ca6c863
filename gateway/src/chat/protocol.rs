//! The chat's JSON frames, both ways, as documented in
//! `docs/chat-protocol.md`. Every frame is a JSON object tagged by `type`.

use batline_core::{
    domain::{CaseStatus, Direction, MessageKind},
    store::chat::{ChatCase, ChatMessage},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a browser may send.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// The first frame: the page's language, and to resume, the session
    /// token and the last position the browser has shown.
    Hello {
        /// `fi`, `sv` or `en`.
        #[serde(default)]
        lang: Option<String>,
        /// The token a `session` frame gave earlier.
        #[serde(default)]
        token: Option<String>,
        /// Position of the newest message the browser has.
        #[serde(default)]
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
    /// The browser has shown everything up to `seq`.
    Ack {
        /// A message position.
        seq: i64,
    },
}

/// A satisfaction answer on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// A score.
    Score(u8),
    /// `"no"`.
    Word(NoWord),
}

/// The only word an answer may be.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
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
    /// The district they work in, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
}

impl From<ChatCase> for WireCase {
    fn from(c: ChatCase) -> Self {
        WireCase {
            track_url: format!("/track/{}", c.tracking_code),
            code: c.tracking_code,
            status: c.status,
            owner: WireOwner { name: c.owner_name, area: c.owner_area },
            ask_satisfaction: c.awaiting_satisfaction,
        }
    }
}

/// True for a browser's message id: 1 to 64 letters, digits, `-` or `_`.
pub fn valid_client_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
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
    fn client_ids_are_short_and_plain() {
        assert!(valid_client_id("c-1_a"));
        assert!(!valid_client_id(""));
        assert!(!valid_client_id("a:b"));
        assert!(!valid_client_id(&"a".repeat(65)));
    }
}
