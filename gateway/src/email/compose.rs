//! An answer to a resident as an email: from the line's address under the
//! city's name, the tracking code in the subject, threaded under the
//! resident's mail (`In-Reply-To`, `References`), a text part and an HTML
//! part saying the same in the case's language. Batline's own automatic
//! answers say so (`Auto-Submitted: auto-replied`, RFC 3834), so a
//! resident's out-of-office does not answer them back.

use batline_core::{domain::Language, texts};
use lettre::message::{
    Mailbox, Message, MultiPart,
    header::{Header, HeaderName, HeaderValue},
};
use maud::{DOCTYPE, html};

/// One answer, ready to be put in an email.
#[derive(Debug, Clone)]
pub struct Answer<'a> {
    /// The line's address.
    pub from: &'a str,
    /// The city's name in the case's language, the sender's display name.
    pub city: &'a str,
    /// The resident's address.
    pub to: &'a str,
    /// The case's language.
    pub language: Language,
    /// The case's tracking code.
    pub tracking_code: &'a str,
    /// The subject of the resident's first email, if the case began by email.
    pub subject: Option<&'a str>,
    /// The responder who wrote it, for replies.
    pub author: Option<&'a str>,
    /// What is said.
    pub body: &'a str,
    /// The case's tracking page.
    pub track_url: &'a str,
    /// This email's Message-ID, without brackets.
    pub message_id: &'a str,
    /// The Message-IDs of the case's earlier emails, oldest first.
    pub references: &'a [String],
    /// The resident's latest email, which this answers.
    pub in_reply_to: Option<&'a str>,
    /// Written by Batline, not a person (the first answer, notices).
    pub automatic: bool,
}

/// The `Auto-Submitted` header (RFC 3834).
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".to_owned())
    }
}

/// The `Content-Language` header.
#[derive(Debug, Clone)]
struct ContentLanguage(Language);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ContentLanguage(s.trim().parse()?))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.as_str().to_owned())
    }
}

/// The subject: the resident's own with "Re:" and the code, or the city's
/// words for "your case" and the code.
pub fn subject(answer: &Answer<'_>) -> String {
    let code = answer.tracking_code;
    match answer.subject.map(strip_reply_prefixes).filter(|s| !s.is_empty()) {
        Some(theirs) => {
            let theirs = theirs.replace(&format!("[{code}]"), "");
            format!("Re: {} [{code}]", theirs.trim())
        }
        None => format!("{}: {} [{code}]", answer.city, texts::email_case(answer.language)),
    }
}

/// "Re: VS: Sv: AW: Fwd: x" → "x".
fn strip_reply_prefixes(subject: &str) -> &str {
    let mut rest = subject.trim();
    loop {
        let lower = rest.to_lowercase();
        let Some(prefix) = ["re:", "vs:", "sv:", "aw:", "fw:", "fwd:", "vl:"].iter().find(|p| lower.starts_with(**p))
        else {
            return rest;
        };
        rest = rest[prefix.len()..].trim_start();
    }
}

/// The text part: what is said, then who says it and where to follow it.
pub fn text(answer: &Answer<'_>) -> String {
    let signature = match answer.author {
        Some(author) => format!("{author}\n{}", answer.city),
        None => answer.city.to_owned(),
    };
    format!(
        "{}\n\n-- \n{signature}\n{}: {}\n",
        answer.body.trim_end(),
        texts::email_follow(answer.language),
        answer.track_url
    )
}

/// The HTML part: the same words, escaped, in paragraphs; nothing else.
pub fn html(answer: &Answer<'_>) -> String {
    let paragraphs: Vec<&str> = answer.body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect();
    html! {
        (DOCTYPE)
        html lang=(answer.language.as_str()) {
            head { meta charset="utf-8"; title { (subject(answer)) } }
            body {
                @for paragraph in &paragraphs {
                    p {
                        @for (i, line) in paragraph.lines().enumerate() {
                            @if i > 0 { br; }
                            (line)
                        }
                    }
                }
                p {
                    @if let Some(author) = answer.author { (author) br; }
                    (answer.city)
                }
                p { a href=(answer.track_url) { (texts::email_follow(answer.language)) } }
            }
        }
    }
    .into_string()
}

/// The whole email.
pub fn message(answer: &Answer<'_>) -> Result<Message, String> {
    let from: lettre::Address = answer.from.parse().map_err(|e| format!("BATLINE_MAIL_FROM: {e}"))?;
    let to: lettre::Address = answer.to.parse().map_err(|e| format!("the resident's address {}: {e}", answer.to))?;
    let mut builder = Message::builder()
        .from(Mailbox::new(Some(answer.city.to_owned()), from))
        .to(Mailbox::new(None, to))
        .subject(subject(answer))
        .message_id(Some(format!("<{}>", answer.message_id)))
        .header(ContentLanguage(answer.language));
    if let Some(id) = answer.in_reply_to {
        builder = builder.in_reply_to(format!("<{id}>"));
    }
    // The newest ten: enough to thread in any mail program, short enough
    // for a long case's header.
    let start = answer.references.len().saturating_sub(10);
    let references: Vec<String> = answer.references[start..].iter().map(|id| format!("<{id}>")).collect();
    if !references.is_empty() {
        builder = builder.references(references.join(" "));
    }
    if answer.automatic {
        builder = builder.header(AutoSubmitted);
    }
    builder.multipart(MultiPart::alternative_plain_html(text(answer), html(answer))).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer<'a>(subject: Option<&'a str>, references: &'a [String]) -> Answer<'a> {
        Answer {
            from: "palvelu@hel.test",
            city: "Helsingin kaupunki",
            to: "anna@example.fi",
            language: Language::Fi,
            tracking_code: "K7QD-4M2X",
            subject,
            author: Some("Mikko"),
            body: "Hei <Anna>,\n\nkorjaamme lampun huomenna.",
            track_url: "https://hel.test/track/K7QD-4M2X",
            message_id: "m2@hel.test",
            references,
            in_reply_to: references.last().map(String::as_str),
            automatic: false,
        }
    }

    #[test]
    fn the_subject_keeps_the_residents_words_and_carries_the_code() {
        assert_eq!(subject(&answer(Some("Katuvalo rikki"), &[])), "Re: Katuvalo rikki [K7QD-4M2X]");
        assert_eq!(subject(&answer(Some("VS: Re: Katuvalo [K7QD-4M2X]"), &[])), "Re: Katuvalo [K7QD-4M2X]");
        assert_eq!(subject(&answer(None, &[])), "Helsingin kaupunki: Asiasi [K7QD-4M2X]");
    }

    #[test]
    fn the_email_is_threaded_and_escaped() -> Result<(), String> {
        let refs = vec!["a@example.fi".to_owned(), "m1@hel.test".to_owned()];
        let raw =
            String::from_utf8(message(&answer(Some("Katuvalo"), &refs))?.formatted()).map_err(|e| e.to_string())?;
        assert!(raw.contains("Message-ID: <m2@hel.test>"), "{raw}");
        assert!(raw.contains("In-Reply-To: <m1@hel.test>"), "{raw}");
        assert!(raw.contains("References: <a@example.fi> <m1@hel.test>"), "{raw}");
        assert!(raw.contains("Content-Language: fi"), "{raw}");
        assert!(!raw.contains("Auto-Submitted"), "a person's reply is not automatic");
        assert!(raw.contains("&lt;Anna&gt;"), "the HTML part escapes: {raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        Ok(())
    }
}
