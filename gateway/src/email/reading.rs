//! Reading one received email (`mail-parser`): who wrote it, what is new
//! in it, which thread it answers, what it carried, and whether a person
//! wrote it at all. Bounces and automatic replies are told apart here, so
//! Batline never answers a machine (RFC 3834) and never loops with one.

use batline_core::email_address;
use mail_parser::{HeaderValue, MessageParser, MimeHeaders};

use super::quoted;

/// Longest text filed from one email; a longer one is cut with a mark, as
/// no resident writes more to a line and the owner must read it.
pub const MAX_WORDS_CHARS: usize = 20_000;

/// The most attachments kept from one email.
pub const MAX_ATTACHMENTS: usize = 20;

/// What kind of sender an email came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// A person: filed and answered.
    Person,
    /// A delivery failure report about mail Batline sent: the Message-IDs
    /// it names (some of which may be Batline's).
    Bounce(Vec<String>),
    /// Mail a machine sent (out-of-office, list mail, a no-reply sender):
    /// never answered; why, for the log and the timeline.
    Automatic(&'static str),
}

/// A file an email carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// Its name (made up from its type when the mail gave none).
    pub file_name: String,
    /// Its stated type.
    pub content_type: String,
    /// The file.
    pub content: Vec<u8>,
}

/// One email, read.
#[derive(Debug, Clone)]
pub struct Reading {
    /// Its Message-ID without angle brackets; made up from its contents
    /// when it has none, so a resend of the same bytes still files once.
    pub message_id: String,
    /// The address to answer, stored form; `None` when it has none usable.
    pub from: Option<String>,
    /// The name in its From header.
    pub from_name: Option<String>,
    /// Its subject.
    pub subject: Option<String>,
    /// The resident's new words: quoted history and signature trimmed.
    pub words: String,
    /// Whether `words` was cut at [`MAX_WORDS_CHARS`].
    pub words_cut: bool,
    /// Its `In-Reply-To` Message-IDs.
    pub in_reply_to: Vec<String>,
    /// Its `References` Message-IDs.
    pub references: Vec<String>,
    /// Its `Content-Language`, when it says one.
    pub language: Option<String>,
    /// What it carried.
    pub attachments: Vec<Attached>,
    /// Attachments left out beyond [`MAX_ATTACHMENTS`].
    pub attachments_left_out: usize,
    /// Who sent it.
    pub sender: Sender,
}

impl Reading {
    /// Whether it answers something: a thread or a tracking code.
    pub fn is_follow_up(&self) -> bool {
        !self.in_reply_to.is_empty()
            || !self.references.is_empty()
            || self.subject.as_deref().and_then(batline_core::tracking_code::TrackingCode::in_subject).is_some()
    }

    /// The text filed into the case: a first email's subject says what it
    /// is about, so it comes first; a follow-up's subject only repeats it.
    pub fn body(&self) -> String {
        match self.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(subject) if !self.is_follow_up() && !self.words.is_empty() => format!("{subject}\n\n{}", self.words),
            Some(subject) if self.words.is_empty() => subject.to_owned(),
            _ => self.words.clone(),
        }
    }
}

/// Reads `raw`; `reverse_path` is the SMTP envelope's sender (`Some("")` for
/// the null sender of a bounce), `None` when it came from a mailbox.
/// `None` when `raw` is not an email at all.
pub fn read(raw: &[u8], reverse_path: Option<&str>, own_domain: &str) -> Option<Reading> {
    let message = MessageParser::default().parse(raw)?;
    if message.headers().is_empty() {
        return None;
    }
    let from_addr = message.from().and_then(|a| a.first());
    let from = from_addr.and_then(|a| a.address()).and_then(email_address::normalize);
    let from_name = from_addr.and_then(|a| a.name()).map(str::to_owned).filter(|n| !n.trim().is_empty());
    let subject = message.subject().map(|s| s.trim().to_owned());
    let message_id = message
        .message_id()
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty() && id.len() <= 500)
        .unwrap_or_else(|| made_up_id(raw, own_domain));

    let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let mut words = quoted::new_words(&text);
    let words_cut = words.chars().count() > MAX_WORDS_CHARS;
    if words_cut {
        words = words.chars().take(MAX_WORDS_CHARS).collect::<String>() + "\n[…]";
    }

    let mut attachments = Vec::new();
    let mut left_out = 0;
    for (i, part) in message.attachments().enumerate() {
        // A forwarded email inside is read as words by its reader, not kept.
        if part.is_message() {
            continue;
        }
        if attachments.len() == MAX_ATTACHMENTS {
            left_out += 1;
            continue;
        }
        let content_type = part
            .content_type()
            .map(|t| match t.subtype() {
                Some(sub) => format!("{}/{}", t.ctype(), sub),
                None => t.ctype().to_owned(),
            })
            .unwrap_or_else(|| "application/octet-stream".to_owned())
            .to_lowercase();
        let file_name = part
            .attachment_name()
            .map(file_name)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("attachment-{}", i + 1));
        attachments.push(Attached { file_name, content_type, content: part.contents().to_vec() });
    }

    let sender = sender_kind(&message, raw, reverse_path, from.as_deref(), subject.as_deref(), own_domain);
    Some(Reading {
        message_id,
        from,
        from_name,
        subject,
        words,
        words_cut,
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        language: message.header_raw("Content-Language").map(|l| l.trim().to_lowercase()),
        attachments,
        attachments_left_out: left_out,
        sender,
    })
}

/// The Message-IDs in an `In-Reply-To` or `References` header, at most 50.
fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<String> = match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    };
    list.into_iter().map(|id| id.trim().to_owned()).filter(|id| !id.is_empty() && id.len() <= 500).take(50).collect()
}

/// A Message-ID for mail without one, from its bytes: the same mail sent
/// twice gets the same id, so it still files once.
fn made_up_id(raw: &[u8], own_domain: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(raw);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("no-message-id.{hex}@{own_domain}")
}

/// A file name as shown and offered for download: no directories, no
/// control characters, at most 120 characters.
fn file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    base.chars().filter(|c| !c.is_control()).take(120).collect::<String>().trim().to_owned()
}

/// Subjects that automatic replies begin with, in the languages residents
/// and their employers' mail systems use.
const AUTO_SUBJECTS: [&str; 12] = [
    "auto:",
    "automatic reply",
    "autoreply",
    "auto-reply",
    "out of office",
    "out of the office",
    "automaattinen vastaus",
    "poissa toimistolta",
    "poissaolo",
    "automatiskt svar",
    "autosvar",
    "frånvaro",
];

/// Local parts of addresses no person reads.
const MACHINE_SENDERS: [&str; 6] = ["mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"];

fn sender_kind(
    message: &mail_parser::Message<'_>,
    raw: &[u8],
    reverse_path: Option<&str>,
    from: Option<&str>,
    subject: Option<&str>,
    own_domain: &str,
) -> Sender {
    let header = |name: &str| message.header_raw(name).map(|v| v.trim().to_lowercase());
    let local = from.and_then(|f| f.split('@').next()).unwrap_or_default();
    let null_sender = match reverse_path {
        Some(path) => path.trim().is_empty() || path.trim() == "<>",
        None => header("Return-Path").is_some_and(|p| p == "<>"),
    };
    // A delivery status report (RFC 3464) or an old-style bounce from the
    // mailer daemon; a read receipt or a "still trying" notice is a report
    // too, but nothing failed.
    let report_type = message
        .content_type()
        .filter(|t| {
            t.ctype().eq_ignore_ascii_case("multipart") && t.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
        })
        .map(|t| t.attribute("report-type").unwrap_or_default().to_ascii_lowercase());
    let daemon = null_sender && matches!(local, "mailer-daemon" | "postmaster");
    let delivery_report = match report_type.as_deref() {
        Some("delivery-status") => true,
        Some(_) => return Sender::Automatic("report"),
        None => daemon,
    };
    if delivery_report {
        let text = String::from_utf8_lossy(raw).to_ascii_lowercase();
        let delayed = text.contains("action: delayed") && !text.contains("action: failed");
        return if delayed { Sender::Automatic("delivery delayed") } else { Sender::Bounce(ids_in(raw, own_domain)) };
    }
    if null_sender {
        return Sender::Automatic("null sender");
    }
    if header("Auto-Submitted").is_some_and(|v| v != "no") {
        return Sender::Automatic("Auto-Submitted");
    }
    if header("Precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list" | "auto_reply")) {
        return Sender::Automatic("Precedence");
    }
    if header("X-Autoreply").is_some() || header("X-Autorespond").is_some() {
        return Sender::Automatic("X-Autoreply");
    }
    if header("List-Id").is_some() || header("List-Unsubscribe").is_some() {
        return Sender::Automatic("mailing list");
    }
    if MACHINE_SENDERS.contains(&local) {
        return Sender::Automatic("no-reply sender");
    }
    let subject = subject.unwrap_or_default().to_lowercase();
    if AUTO_SUBJECTS.iter().any(|s| subject.starts_with(s)) {
        return Sender::Automatic("out of office");
    }
    Sender::Person
}

/// Message-IDs of `own_domain` anywhere in a bounce (its returned headers
/// or message), without angle brackets.
fn ids_in(raw: &[u8], own_domain: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let suffix = format!("@{own_domain}>");
    let mut found: Vec<String> = Vec::new();
    for (end, _) in text.match_indices(&suffix) {
        let Some(start) = text[..end].rfind('<') else { continue };
        let local = &text[start + 1..end];
        if local.is_empty() || local.len() > 200 || local.contains(char::is_whitespace) || local.contains('<') {
            continue;
        }
        let id = format!("{local}@{own_domain}");
        if !found.contains(&id) {
            found.push(id);
        }
        if found.len() == 20 {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN: &str = "hel.test";

    fn mail(headers: &str, body: &str) -> Vec<u8> {
        format!("{headers}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}").into_bytes()
    }

    #[test]
    fn a_residents_first_email() -> Result<(), String> {
        let raw = mail(
            "From: Anna Virtanen <Anna@Example.FI>\r\nTo: palvelu@hel.test\r\nSubject: Katuvalo rikki\r\nMessage-ID: <abc@example.fi>",
            "Fleminginkadun ja Helsinginkadun kulmassa.\r\n\r\n-- \r\nAnna",
        );
        let reading = read(&raw, Some("anna@example.fi"), DOMAIN).ok_or("not read")?;
        assert_eq!(reading.from.as_deref(), Some("anna@example.fi"));
        assert_eq!(reading.from_name.as_deref(), Some("Anna Virtanen"));
        assert_eq!(reading.message_id, "abc@example.fi");
        assert_eq!(reading.sender, Sender::Person);
        assert_eq!(reading.body(), "Katuvalo rikki\n\nFleminginkadun ja Helsinginkadun kulmassa.");
        Ok(())
    }

    #[test]
    fn a_reply_names_its_thread_and_keeps_only_new_words() -> Result<(), String> {
        let raw = mail(
            "From: anna@example.fi\r\nSubject: Re: Katuvalo rikki [K7QD-4M2X]\r\nMessage-ID: <r1@example.fi>\r\nIn-Reply-To: <m1@hel.test>\r\nReferences: <abc@example.fi> <m1@hel.test>",
            "Yes, still dark.\r\n\r\nOn Thu, Batline wrote:\r\n> Hello",
        );
        let reading = read(&raw, Some("anna@example.fi"), DOMAIN).ok_or("not read")?;
        assert_eq!(reading.in_reply_to, vec!["m1@hel.test"]);
        assert_eq!(reading.references, vec!["abc@example.fi", "m1@hel.test"]);
        assert_eq!(reading.body(), "Yes, still dark.");
        Ok(())
    }

    #[test]
    fn machines_are_told_apart() -> Result<(), String> {
        let cases = [
            (
                "Auto-Submitted: auto-replied\r\nSubject: Poissa",
                Some("x@example.fi"),
                Sender::Automatic("Auto-Submitted"),
            ),
            ("Precedence: bulk\r\nSubject: News", Some("x@example.fi"), Sender::Automatic("Precedence")),
            ("Subject: Automatic reply: Katuvalo", Some("x@example.fi"), Sender::Automatic("out of office")),
            ("List-Id: <news.example.fi>\r\nSubject: Hi", Some("x@example.fi"), Sender::Automatic("mailing list")),
            ("Subject: Hello", Some(""), Sender::Automatic("null sender")),
            ("Auto-Submitted: no\r\nSubject: Hello", Some("x@example.fi"), Sender::Person),
        ];
        for (headers, path, expected) in cases {
            let raw = mail(&format!("From: x@example.fi\r\nMessage-ID: <1@example.fi>\r\n{headers}"), "Hei");
            assert_eq!(read(&raw, path, DOMAIN).ok_or("not read")?.sender, expected, "{headers}");
        }
        let raw = mail("From: noreply@example.fi\r\nSubject: Receipt", "Thanks");
        assert_eq!(
            read(&raw, Some("noreply@example.fi"), DOMAIN).ok_or("not read")?.sender,
            Sender::Automatic("no-reply sender")
        );
        Ok(())
    }

    #[test]
    fn a_bounce_names_batlines_message() -> Result<(), String> {
        let raw = b"From: MAILER-DAEMON@mx.example.fi\r\nSubject: Undelivered Mail Returned to Sender\r\n\
            Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\n\
            Content-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n--b\r\n\
            Content-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; gone@example.fi\r\nAction: failed\r\nStatus: 5.1.1\r\n\
            --b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <3f2a.m@hel.test>\r\nIn-Reply-To: <x@example.fi>\r\n--b--\r\n";
        let reading = read(raw, Some(""), DOMAIN).ok_or("not read")?;
        assert_eq!(reading.sender, Sender::Bounce(vec!["3f2a.m@hel.test".to_owned()]));
        Ok(())
    }

    #[test]
    fn html_only_mail_is_read_as_text_and_attachments_are_kept() -> Result<(), String> {
        let raw = b"From: anna@example.fi\r\nSubject: Kuva\r\nMessage-ID: <h@example.fi>\r\n\
            Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
            <p>Penkki on <b>rikki</b></p><script>alert(1)</script>\r\n--b\r\n\
            Content-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"../../penkki.jpg\"\r\n\
            Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n--b--\r\n";
        let reading = read(raw, Some("anna@example.fi"), DOMAIN).ok_or("not read")?;
        assert!(reading.words.contains("Penkki on rikki"), "{:?}", reading.words);
        assert_eq!(reading.attachments.len(), 1);
        assert_eq!(reading.attachments[0].file_name, "penkki.jpg");
        assert_eq!(reading.attachments[0].content_type, "image/jpeg");
        assert_eq!(reading.attachments[0].content, vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
        Ok(())
    }

    #[test]
    fn mail_without_an_id_gets_one_from_its_bytes() -> Result<(), String> {
        let raw = mail("From: anna@example.fi\r\nSubject: x", "y");
        let (a, b) = (read(&raw, None, DOMAIN).ok_or("not read")?, read(&raw, None, DOMAIN).ok_or("not read")?);
        assert_eq!(a.message_id, b.message_id);
        assert!(a.message_id.ends_with("@hel.test"));
        Ok(())
    }
}
